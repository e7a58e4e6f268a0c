#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_fapi.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "attest/tpm2_rc.h"
#include "log.h"
#include "tpm/tpm.h"

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	char *tcti_conf;
	uint8_t ak_blob_type;   /* FAPI_ESYSBLOB_*, 0 when no FAPI AK is set */
	uint8_t *ak_blob;
	size_t ak_blob_len;
};

uint16_t tpm_bank_alg(uint32_t bank)
{
	switch (bank) {
	case TPM_BANK_SHA1:   return TPM2_ALG_SHA1;
	case TPM_BANK_SHA256: return TPM2_ALG_SHA256;
	case TPM_BANK_SHA384: return TPM2_ALG_SHA384;
	case TPM_BANK_SHA512: return TPM2_ALG_SHA512;
	}
	return 0;
}

size_t tpm_alg_digest_size(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:   return TPM2_SHA1_DIGEST_SIZE;
	case TPM2_ALG_SHA256: return TPM2_SHA256_DIGEST_SIZE;
	case TPM2_ALG_SHA384: return TPM2_SHA384_DIGEST_SIZE;
	case TPM2_ALG_SHA512: return TPM2_SHA512_DIGEST_SIZE;
	}
	return 0;
}

/* The response code without the format and parameter-number bits. */
static TSS2_RC base_rc(TSS2_RC rc)
{
	if (rc & TPM2_RC_FMT1)
		return rc & (0xFFFF0000u | TPM2_RC_FMT1 | 0x3Fu);
	return rc & 0xFFFF0FFFu;
}


/* Maps a TPM or TSS response code to a ts_error and logs it with the operation. */
static int tpm_fail(const char *what, TSS2_RC rc)
{
	TSS2_RC b = base_rc(rc);

	if (b == TPM2_RC_LOCKOUT) {
		log_error(LOG_SUBSYS_TPM, "%s failed: the TPM is in dictionary-attack lockout (%s); "
			  "clear it with 'tpm2_dictionarylockout -c'", what, Tss2_RC_Decode(rc));
		return TS_E_TPM;
	}
	log_error(LOG_SUBSYS_TPM, "%s failed: %s (0x%x)", what, Tss2_RC_Decode(rc), rc);
	if (b == TPM2_RC_HANDLE || (rc & 0xFFF) == (TPM2_RC_HANDLE & 0xFFF))
		return TS_E_NOT_FOUND;
	return TS_E_TPM;
}

/* Repeats `call` while it returns a transient TPM code, at most TPM_MAX_RETRIES times. */
#define TPM_RETRY(rc, call)                                                   \
	for (int attempt_ = 0;; attempt_++) {                                 \
		rc = (call);                                                  \
		if (!tpm2_rc_is_transient(rc) || attempt_ >= TPM_MAX_RETRIES)            \
			break;                                                \
		log_debug(LOG_SUBSYS_TPM, "TPM busy (0x%x), retrying", rc);   \
		usleep(10000u << (attempt_ < 5 ? attempt_ : 5));              \
	}

int tpm_find_device(char *path, size_t path_size)
{
	static const char *const subsystems[] = { "tpmrm", "tpm" };
	struct udev *udev = udev_new();
	int rc = TS_E_NOT_FOUND;

	if (!udev)
		return TS_E_NOMEM;
	for (size_t i = 0; i < 2 && rc != TS_OK; i++) {
		struct udev_enumerate *en = udev_enumerate_new(udev);
		struct udev_list_entry *entry;

		if (!en)
			break;
		udev_enumerate_add_match_subsystem(en, subsystems[i]);
		udev_enumerate_scan_devices(en);
		udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
			struct udev_device *dev = udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
			const char *node = dev ? udev_device_get_devnode(dev) : NULL;

			if (node && rc != TS_OK) {
				snprintf(path, path_size, "%s", node);
				rc = TS_OK;
			}
			udev_device_unref(dev);
		}
		udev_enumerate_unref(en);
	}
	udev_unref(udev);
	return rc;
}

int tpm_open(const char *tcti, tpm_t **out)
{
	char conf[4200];
	TSS2_RC rc;
	tpm_t *tpm;

	if (tcti && *tcti) {
		snprintf(conf, sizeof(conf), "%s", tcti);
	} else {
		char node[4096];

		if (tpm_find_device(node, sizeof(node)) == TS_OK)
			snprintf(conf, sizeof(conf), "device:%s", node);
		else
			snprintf(conf, sizeof(conf), "device:/dev/tpmrm0");
	}

	tpm = calloc(1, sizeof(*tpm));
	if (!tpm)
		return TS_E_NOMEM;
	tpm->tcti_conf = strdup(conf);
	if (!tpm->tcti_conf) {
		free(tpm);
		return TS_E_NOMEM;
	}
	rc = Tss2_TctiLdr_Initialize(conf, &tpm->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		log_error(LOG_SUBSYS_TPM, "cannot reach a TPM through TCTI '%s': %s; is the TPM present "
			  "and the tcti setting right?", conf, Tss2_RC_Decode(rc));
		tpm_close(tpm);
		return TS_E_NOT_FOUND;
	}
	rc = Esys_Initialize(&tpm->esys, tpm->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		log_error(LOG_SUBSYS_TPM, "cannot start ESAPI on TCTI '%s': %s", conf, Tss2_RC_Decode(rc));
		tpm_close(tpm);
		return TS_E_TPM;
	}
	log_debug(LOG_SUBSYS_TPM, "connected to the TPM through '%s'", conf);
	*out = tpm;
	return TS_OK;
}

void tpm_close(tpm_t *tpm)
{
	if (!tpm)
		return;
	if (tpm->esys)
		Esys_Finalize(&tpm->esys);
	if (tpm->tcti)
		Tss2_TctiLdr_Finalize(&tpm->tcti);
	free(tpm->tcti_conf);
	free(tpm->ak_blob);
	free(tpm);
}

int tpm_fapi_get_ak_blob(const char *path, uint8_t *type, uint8_t **blob, size_t *len)
{
	FAPI_CONTEXT *fapi = NULL;
	uint8_t *data = NULL;
	size_t n = 0;
	TSS2_RC rc;

	rc = Fapi_Initialize(&fapi, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		log_error(LOG_SUBSYS_TPM, "cannot start FAPI (configuration from TSS2_FAPICONF): %s",
			  Tss2_RC_Decode(rc));
		return TS_E_TPM;
	}
	rc = Fapi_GetEsysBlob(fapi, path, type, &data, &n);
	if (rc != TSS2_RC_SUCCESS) {
		log_error(LOG_SUBSYS_TPM, "cannot load the FAPI key %s: %s", path, Tss2_RC_Decode(rc));
		Fapi_Finalize(&fapi);
		return TS_E_NOT_FOUND;
	}
	*blob = malloc(n);
	if (*blob) {
		memcpy(*blob, data, n);
		*len = n;
	}
	Fapi_Free(data);
	Fapi_Finalize(&fapi);
	return *blob ? TS_OK : TS_E_NOMEM;
}

int tpm_set_ak_blob(tpm_t *tpm, uint8_t type, const uint8_t *blob, size_t len)
{
	uint8_t *copy;

	if (type != FAPI_ESYSBLOB_CONTEXTLOAD && type != FAPI_ESYSBLOB_DESERIALIZE)
		return TS_E_INVALID;
	copy = malloc(len);
	if (!copy)
		return TS_E_NOMEM;
	memcpy(copy, blob, len);
	free(tpm->ak_blob);
	tpm->ak_blob = copy;
	tpm->ak_blob_len = len;
	tpm->ak_blob_type = type;
	return TS_OK;
}

const char *tpm_tcti(const tpm_t *tpm)
{
	return tpm->tcti_conf;
}

int tpm_get_banks(tpm_t *tpm, uint32_t *banks)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_NO;
	uint32_t mask = 0;
	TSS2_RC rc;

	TPM_RETRY(rc, Esys_GetCapability(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					 TPM2_CAP_PCRS, 0, 1, &more, &cap));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("reading the PCR banks", rc);

	for (uint32_t i = 0; i < cap->data.assignedPCR.count; i++) {
		const TPMS_PCR_SELECTION *sel = &cap->data.assignedPCR.pcrSelections[i];
		bool any = false;

		for (uint8_t k = 0; k < sel->sizeofSelect && k < TPM2_PCR_SELECT_MAX; k++)
			any = any || sel->pcrSelect[k] != 0;
		if (!any)
			continue;
		switch (sel->hash) {
		case TPM2_ALG_SHA1:   mask |= TPM_BANK_SHA1; break;
		case TPM2_ALG_SHA256: mask |= TPM_BANK_SHA256; break;
		case TPM2_ALG_SHA384: mask |= TPM_BANK_SHA384; break;
		case TPM2_ALG_SHA512: mask |= TPM_BANK_SHA512; break;
		default: break;
		}
	}
	Esys_Free(cap);
	*banks = mask;
	return TS_OK;
}

int tpm_get_version_info(tpm_t *tpm, tpm_version_info *out)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_NO;
	tpm_version_info info = { 0 };
	TSS2_RC rc;
	int err;

	TPM_RETRY(rc, Esys_GetCapability(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					 TPM2_CAP_TPM_PROPERTIES, TPM2_PT_FIXED, TPM2_MAX_TPM_PROPERTIES,
					 &more, &cap));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("reading the TPM properties", rc);

	for (uint32_t i = 0; i < cap->data.tpmProperties.count; i++) {
		uint32_t value = cap->data.tpmProperties.tpmProperty[i].value;

		switch (cap->data.tpmProperties.tpmProperty[i].property) {
		case TPM2_PT_LEVEL:              info.spec_level = value; break;
		case TPM2_PT_REVISION:           info.spec_revision = value; break;
		case TPM2_PT_DAY_OF_YEAR:        info.spec_day_of_year = value; break;
		case TPM2_PT_YEAR:               info.spec_year = value; break;
		case TPM2_PT_MANUFACTURER:       info.manufacturer = value; break;
		case TPM2_PT_VENDOR_STRING_1:    info.vendor_string[0] = value; break;
		case TPM2_PT_VENDOR_STRING_2:    info.vendor_string[1] = value; break;
		case TPM2_PT_VENDOR_STRING_3:    info.vendor_string[2] = value; break;
		case TPM2_PT_VENDOR_STRING_4:    info.vendor_string[3] = value; break;
		case TPM2_PT_FIRMWARE_VERSION_1: info.firmware_version1 = value; break;
		case TPM2_PT_FIRMWARE_VERSION_2: info.firmware_version2 = value; break;
		default: break;
		}
	}
	Esys_Free(cap);

	err = tpm_get_banks(tpm, &info.banks);
	if (err != TS_OK)
		return err;
	*out = info;
	return TS_OK;
}

int tpm_pcr_read(tpm_t *tpm, uint16_t alg, unsigned pcr, uint8_t *digest, size_t *len)
{
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPML_PCR_SELECTION *sel_out = NULL;
	TPML_DIGEST *values = NULL;
	UINT32 counter = 0;
	TSS2_RC rc;
	int err = TS_OK;

	if (pcr >= TPM_PCR_COUNT || tpm_alg_digest_size(alg) == 0)
		return TS_E_INVALID;
	sel.pcrSelections[0].hash = alg;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1u << (pcr % 8));

	TPM_RETRY(rc, Esys_PCR_Read(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
				    &counter, &sel_out, &values));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("reading a PCR", rc);
	if (values->count != 1 || values->digests[0].size != tpm_alg_digest_size(alg)) {
		/* The TPM returns no value for a bank it has not allocated. */
		log_error(LOG_SUBSYS_TPM, "PCR %u of bank 0x%04x is not available: the bank is not active",
			  pcr, alg);
		err = TS_E_NOT_FOUND;
	} else {
		memcpy(digest, values->digests[0].buffer, values->digests[0].size);
		*len = values->digests[0].size;
	}
	Esys_Free(sel_out);
	Esys_Free(values);
	return err;
}

int tpm_pcr_extend(tpm_t *tpm, unsigned pcr, uint16_t alg, const uint8_t *digest, size_t len)
{
	TPML_DIGEST_VALUES values = { .count = 1 };
	TSS2_RC rc;

	if (pcr >= TPM_PCR_COUNT || len != tpm_alg_digest_size(alg) || len > sizeof(values.digests[0].digest))
		return TS_E_INVALID;
	values.digests[0].hashAlg = alg;
	memcpy(&values.digests[0].digest, digest, len);
	TPM_RETRY(rc, Esys_PCR_Extend(tpm->esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				      ESYS_TR_NONE, &values));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("extending a PCR", rc);
	return TS_OK;
}

/* Loads the FAPI AK set by tpm_set_ak_blob() into the TPM. */
static int load_fapi_ak(tpm_t *tpm, ESYS_TR *out)
{
	TPM2B_AUTH empty = { .size = 0 };
	TPMS_CONTEXT context;
	size_t offset = 0;
	TSS2_RC rc;

	if (!tpm->ak_blob) {
		log_error(LOG_SUBSYS_TPM, "no FAPI AK was loaded");
		return TS_E_NOT_FOUND;
	}
	if (tpm->ak_blob_type == FAPI_ESYSBLOB_DESERIALIZE) {
		rc = Esys_TR_Deserialize(tpm->esys, tpm->ak_blob, tpm->ak_blob_len, out);
	} else {
		rc = Tss2_MU_TPMS_CONTEXT_Unmarshal(tpm->ak_blob, tpm->ak_blob_len, &offset, &context);
		if (rc == TSS2_RC_SUCCESS)
			TPM_RETRY(rc, Esys_ContextLoad(tpm->esys, &context, out));
	}
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("loading the FAPI AK", rc);
	Esys_TR_SetAuth(tpm->esys, *out, &empty);
	return TS_OK;
}

/* Gives back an object from load_persistent(): a loaded FAPI key is flushed. */
static void release_key(tpm_t *tpm, uint32_t handle, ESYS_TR *obj)
{
	if (handle == TPM_AK_FAPI && tpm->ak_blob_type == FAPI_ESYSBLOB_CONTEXTLOAD)
		Esys_FlushContext(tpm->esys, *obj);
	else
		Esys_TR_Close(tpm->esys, obj);
}

/* Turns a persistent handle (or TPM_AK_FAPI) into an ESAPI object; TS_E_NOT_FOUND when nothing is there. */
static int load_persistent(tpm_t *tpm, uint32_t handle, ESYS_TR *out)
{
	TPM2B_AUTH empty = { .size = 0 };
	TSS2_RC rc;

	if (handle == TPM_AK_FAPI)
		return load_fapi_ak(tpm, out);
	if ((handle >> 24) != TPM2_HT_PERSISTENT) {
		log_error(LOG_SUBSYS_TPM, "0x%08x is not a persistent handle (0x81xxxxxx)", handle);
		return TS_E_INVALID;
	}
	TPM_RETRY(rc, Esys_TR_FromTPMPublic(tpm->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, out));
	if (rc != TSS2_RC_SUCCESS) {
		log_error(LOG_SUBSYS_TPM, "no key at persistent handle 0x%08x (%s); provision one with "
			  "'tnc-client --provision'", handle, Tss2_RC_Decode(rc));
		return TS_E_NOT_FOUND;
	}
	Esys_TR_SetAuth(tpm->esys, *out, &empty);
	return TS_OK;
}

static int marshal_public(const TPM2B_PUBLIC *pub, uint8_t **out, size_t *len)
{
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	size_t offset = 0;
	TSS2_RC rc = Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof(buf), &offset);

	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("marshalling a public key", rc);
	*out = malloc(offset);
	if (!*out)
		return TS_E_NOMEM;
	memcpy(*out, buf, offset);
	*len = offset;
	return TS_OK;
}

int tpm_read_public(tpm_t *tpm, uint32_t handle, uint8_t **public_out, size_t *public_len)
{
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_NAME *name = NULL, *qualified = NULL;
	ESYS_TR obj;
	TSS2_RC rc;
	int err;

	err = load_persistent(tpm, handle, &obj);
	if (err != TS_OK)
		return err;
	TPM_RETRY(rc, Esys_ReadPublic(tpm->esys, obj, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name,
				      &qualified));
	release_key(tpm, handle, &obj);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("reading the AK public key", rc);
	err = marshal_public(pub, public_out, public_len);
	Esys_Free(pub);
	Esys_Free(name);
	Esys_Free(qualified);
	return err;
}

/* The template of a restricted signing key: the AK. */
static void ak_template(tpm_ak_type type, TPM2B_PUBLIC *tmpl)
{
	memset(tmpl, 0, sizeof(*tmpl));
	tmpl->publicArea.nameAlg = TPM2_ALG_SHA256;
	/* NODA: an unclean TPM shutdown must not lock the AK out. */
	tmpl->publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
		TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA;
	if (type == TPM_AK_ECC_P256) {
		TPMS_ECC_PARMS *ecc = &tmpl->publicArea.parameters.eccDetail;

		tmpl->publicArea.type = TPM2_ALG_ECC;
		ecc->symmetric.algorithm = TPM2_ALG_NULL;
		ecc->scheme.scheme = TPM2_ALG_ECDSA;
		ecc->scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
		ecc->curveID = TPM2_ECC_NIST_P256;
		ecc->kdf.scheme = TPM2_ALG_NULL;
	} else {
		TPMS_RSA_PARMS *rsa = &tmpl->publicArea.parameters.rsaDetail;

		tmpl->publicArea.type = TPM2_ALG_RSA;
		rsa->symmetric.algorithm = TPM2_ALG_NULL;
		rsa->scheme.scheme = TPM2_ALG_RSASSA;
		rsa->scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
		rsa->keyBits = 2048;
		rsa->exponent = 0;
	}
}

int tpm_provision_ak(tpm_t *tpm, uint32_t handle, tpm_ak_type type, bool replace, uint8_t **public_out,
		     size_t *public_len)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION creation_pcrs = { 0 };
	TPM2B_PUBLIC tmpl, *pub = NULL;
	TPM2B_CREATION_DATA *creation = NULL;
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	ESYS_TR existing, primary = ESYS_TR_NONE, persistent = ESYS_TR_NONE;
	TSS2_RC rc;
	int err;

	if ((handle >> 24) != TPM2_HT_PERSISTENT) {
		log_error(LOG_SUBSYS_TPM, "0x%08x is not a persistent handle (0x81xxxxxx)", handle);
		return TS_E_INVALID;
	}

	/* Keep an existing key unless asked to replace it. */
	rc = Esys_TR_FromTPMPublic(tpm->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &existing);
	if (rc == TSS2_RC_SUCCESS) {
		if (!replace) {
			Esys_TR_Close(tpm->esys, &existing);
			log_info(LOG_SUBSYS_TPM, "a key exists at handle 0x%08x already; not replacing it",
				 handle);
			return TS_E_INVALID;
		}
		TPM_RETRY(rc, Esys_EvictControl(tpm->esys, ESYS_TR_RH_OWNER, existing, ESYS_TR_PASSWORD,
						ESYS_TR_NONE, ESYS_TR_NONE, handle, &persistent));
		if (rc != TSS2_RC_SUCCESS) {
			Esys_TR_Close(tpm->esys, &existing);
			return tpm_fail("removing the old AK", rc);
		}
		log_info(LOG_SUBSYS_TPM, "removed the old key at handle 0x%08x", handle);
	}

	ak_template(type, &tmpl);
	TPM_RETRY(rc, Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &sensitive, &tmpl, &outside, &creation_pcrs, &primary,
					 &pub, &creation, &creation_hash, &ticket));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("creating the AK", rc);

	persistent = ESYS_TR_NONE;
	TPM_RETRY(rc, Esys_EvictControl(tpm->esys, ESYS_TR_RH_OWNER, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					ESYS_TR_NONE, handle, &persistent));
	if (rc != TSS2_RC_SUCCESS) {
		err = tpm_fail("making the AK persistent", rc);
		goto out;
	}
	err = public_out ? marshal_public(pub, public_out, public_len) : TS_OK;
	log_info(LOG_SUBSYS_TPM, "created an %s AK at handle 0x%08x",
		 type == TPM_AK_ECC_P256 ? "ECC P-256" : "RSA 2048", handle);
out:
	Esys_FlushContext(tpm->esys, primary);
	if (persistent != ESYS_TR_NONE)
		Esys_TR_Close(tpm->esys, &persistent);
	Esys_Free(pub);
	Esys_Free(creation);
	Esys_Free(creation_hash);
	Esys_Free(ticket);
	return err;
}

int tpm_quote(tpm_t *tpm, uint32_t handle, uint16_t alg, uint32_t pcr_mask, const uint8_t *qualifying,
	      size_t qualifying_len, uint8_t **attest, size_t *attest_len, uint8_t **signature,
	      size_t *signature_len)
{
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPM2B_DATA data = { 0 };
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;
	uint8_t sig_buf[sizeof(TPMT_SIGNATURE)];
	size_t sig_len = 0;
	ESYS_TR key;
	TSS2_RC rc;
	int err;

	if (qualifying_len > sizeof(data.buffer) || tpm_alg_digest_size(alg) == 0 ||
	    (pcr_mask & ~((1u << TPM_PCR_COUNT) - 1)) != 0)
		return TS_E_INVALID;
	data.size = (UINT16)qualifying_len;
	if (qualifying_len)
		memcpy(data.buffer, qualifying, qualifying_len);
	sel.pcrSelections[0].hash = alg;
	sel.pcrSelections[0].sizeofSelect = 3;
	for (unsigned i = 0; i < TPM_PCR_COUNT; i++)
		if (pcr_mask & (1u << i))
			sel.pcrSelections[0].pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));

	err = load_persistent(tpm, handle, &key);
	if (err != TS_OK)
		return err;
	TPM_RETRY(rc, Esys_Quote(tpm->esys, key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &data, &scheme,
				 &sel, &quoted, &sig));
	release_key(tpm, handle, &key);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail("quoting the PCRs", rc);

	rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, sig_buf, sizeof(sig_buf), &sig_len);
	if (rc != TSS2_RC_SUCCESS) {
		err = tpm_fail("marshalling the quote signature", rc);
		goto out;
	}
	*attest = malloc(quoted->size);
	*signature = malloc(sig_len);
	if (!*attest || !*signature) {
		free(*attest);
		free(*signature);
		err = TS_E_NOMEM;
		goto out;
	}
	memcpy(*attest, quoted->attestationData, quoted->size);
	*attest_len = quoted->size;
	memcpy(*signature, sig_buf, sig_len);
	*signature_len = sig_len;
	err = TS_OK;
out:
	Esys_Free(quoted);
	Esys_Free(sig);
	return err;
}
