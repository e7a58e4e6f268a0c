/*
 * The software TPM of bench_soft_tpm.h: an EC P-256 key from a PEM file
 * and the PCR values of a replayed firmware event log.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include "attest/tpm2_ak.h"
#include "attest/tpm2_quote.h"
#include "bench_soft_tpm.h"
#include "eventlog/eventlog.h"
#include "eventlog/pcr_set.h"
#include "log.h"

#define SOFT_TPM_MAX_PATH 4096
/* Byte length of a P-256 coordinate and of r and s. */
#define SOFT_TPM_P256_LEN 32

/* Everything loaded at the first tpm_open(): shared, read-only afterwards. */
typedef struct soft_tpm_data {
	char *tcti;
	EVP_PKEY *key;
	uint8_t public[sizeof(TPM2B_PUBLIC)];  /* marshalled TPM2B_PUBLIC */
	size_t public_len;
	TPM2B_NAME name;
	pcr_set_t *pcrs;
	uint32_t banks;                         /* TPM_BANK_* of the log's algorithms */
	struct timespec start;
} soft_tpm_data;

struct tpm {
	const soft_tpm_data *data;
};

static pthread_mutex_t soft_lock = PTHREAD_MUTEX_INITIALIZER;
static soft_tpm_data *soft;

/* Copies the value of "name=" from a comma-separated option list into out. */
static int tcti_option(const char *opts, const char *name, char *out, size_t size)
{
	size_t name_len = strlen(name);
	const char *p = opts;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
			len -= name_len + 1;
			if (len + 1 > size)
				return TS_E_TOO_LARGE;
			memcpy(out, p + name_len + 1, len);
			out[len] = '\0';
			return TS_OK;
		}
		p = end ? end + 1 : NULL;
	}
	return TS_E_NOT_FOUND;
}

static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;
	int rc = TS_E_IO;

	if (!f)
		return TS_E_NOT_FOUND;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc((size_t)size + 1);
	if (!buf) {
		rc = TS_E_NOMEM;
		goto out;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto out;
	*out = buf;
	*out_len = (size_t)size;
	buf = NULL;
	rc = TS_OK;
out:
	free(buf);
	fclose(f);
	return rc;
}

/* Writes a big-endian BIGNUM parameter of key into a TPM2B_ECC_PARAMETER of P-256 width. */
static int ecc_param(const EVP_PKEY *key, const char *param, TPM2B_ECC_PARAMETER *out)
{
	BIGNUM *bn = NULL;
	int rc = TS_E_CRYPTO;

	if (EVP_PKEY_get_bn_param(key, param, &bn) == 1 &&
	    BN_bn2binpad(bn, out->buffer, SOFT_TPM_P256_LEN) == SOFT_TPM_P256_LEN) {
		out->size = SOFT_TPM_P256_LEN;
		rc = TS_OK;
	}
	BN_free(bn);
	return rc;
}

/* Builds the TPM2B_PUBLIC of a P-256 AK and its Name. */
static int make_public(soft_tpm_data *d)
{
	TPM2B_PUBLIC pub;
	size_t off = 0, name_len = 0;
	TPMT_PUBLIC *area = &pub.publicArea;
	int rc;

	memset(&pub, 0, sizeof(pub));
	area->type = TPM2_ALG_ECC;
	area->nameAlg = TPM2_ALG_SHA256;
	area->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
				 TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
	area->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	area->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	area->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	area->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	area->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	rc = ecc_param(d->key, OSSL_PKEY_PARAM_EC_PUB_X, &area->unique.ecc.x);
	if (rc == TS_OK)
		rc = ecc_param(d->key, OSSL_PKEY_PARAM_EC_PUB_Y, &area->unique.ecc.y);
	if (rc != TS_OK)
		return rc;
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, d->public, sizeof(d->public), &off) != TSS2_RC_SUCCESS)
		return TS_E_INVALID;
	d->public_len = off;
	rc = tpm2_ak_name(d->public, d->public_len, d->name.name, sizeof(d->name.name), &name_len);
	if (rc == TS_OK)
		d->name.size = (UINT16)name_len;
	return rc;
}

/* Parses and replays the event log into d->pcrs. */
static int load_pcrs(soft_tpm_data *d, const char *path)
{
	const eventlog_algorithm_t *algs;
	eventlog_error_t err = { 0 };
	eventlog_t *log = NULL;
	uint8_t *data = NULL;
	size_t len = 0, n;
	int rc;

	rc = read_file(path, &data, &len);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_TPM, "bench TPM: cannot read the event log %s: %s", path, ts_strerror(rc));
		return rc;
	}
	rc = eventlog_parse(data, len, NULL, &log, &err);
	if (rc == TS_OK)
		rc = pcr_set_create(&d->pcrs);
	if (rc == TS_OK)
		rc = eventlog_replay(log, d->pcrs, &err);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_TPM, "bench TPM: cannot replay the event log %s: event %zu, offset %zu: %s", path,
			  err.index, err.offset, err.message);
		goto out;
	}
	n = eventlog_get_algorithms(log, &algs);
	for (size_t i = 0; i < n; i++) {
		switch (algs[i].alg_id) {
		case TPM2_ALG_SHA1:
			d->banks |= TPM_BANK_SHA1;
			break;
		case TPM2_ALG_SHA256:
			d->banks |= TPM_BANK_SHA256;
			break;
		case TPM2_ALG_SHA384:
			d->banks |= TPM_BANK_SHA384;
			break;
		case TPM2_ALG_SHA512:
			d->banks |= TPM_BANK_SHA512;
			break;
		default:
			break;
		}
	}
out:
	eventlog_destroy(log);
	free(data);
	return rc;
}

static void data_free(soft_tpm_data *d)
{
	if (!d)
		return;
	free(d->tcti);
	EVP_PKEY_free(d->key);
	pcr_set_destroy(d->pcrs);
	free(d);
}

static int data_load(const char *tcti, soft_tpm_data **out)
{
	const char *opts = tcti + strlen(BENCH_SOFT_TPM_TCTI_PREFIX);
	char key_path[SOFT_TPM_MAX_PATH], log_path[SOFT_TPM_MAX_PATH];
	soft_tpm_data *d = calloc(1, sizeof(*d));
	FILE *f;
	int rc;

	if (!d)
		return TS_E_NOMEM;
	clock_gettime(CLOCK_MONOTONIC, &d->start);
	d->tcti = strdup(tcti);
	if (!d->tcti) {
		rc = TS_E_NOMEM;
		goto out;
	}
	if (tcti_option(opts, "key", key_path, sizeof(key_path)) != TS_OK ||
	    tcti_option(opts, "eventlog", log_path, sizeof(log_path)) != TS_OK) {
		log_error(LOG_SUBSYS_TPM, "bench TPM: the TCTI '%s' lacks key=PATH or eventlog=PATH", tcti);
		rc = TS_E_CONFIG;
		goto out;
	}
	f = fopen(key_path, "r");
	if (f) {
		d->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!d->key || !EVP_PKEY_is_a(d->key, "EC") || tpm2_ak_ecc_coordinate_len(d->key) != SOFT_TPM_P256_LEN) {
		log_error(LOG_SUBSYS_TPM, "bench TPM: %s is not a PEM EC P-256 private key", key_path);
		rc = TS_E_CONFIG;
		goto out;
	}
	rc = make_public(d);
	if (rc == TS_OK)
		rc = load_pcrs(d, log_path);
	if (rc != TS_OK)
		goto out;
	*out = d;
	d = NULL;
out:
	data_free(d);
	return rc;
}

/* Frees the shared data when the module is unloaded, after every connection closed its handle. */
__attribute__((destructor)) static void soft_unload(void)
{
	data_free(soft);
	soft = NULL;
}

int tpm_open(const char *tcti, tpm_t **out)
{
	tpm_t *tpm;
	int rc = TS_OK;

	if (!tcti || strncmp(tcti, BENCH_SOFT_TPM_TCTI_PREFIX, strlen(BENCH_SOFT_TPM_TCTI_PREFIX)) != 0) {
		log_error(LOG_SUBSYS_TPM, "bench TPM: the TCTI '%s' does not start with '%s'", tcti ? tcti : "",
			  BENCH_SOFT_TPM_TCTI_PREFIX);
		return TS_E_CONFIG;
	}
	pthread_mutex_lock(&soft_lock);
	if (!soft)
		rc = data_load(tcti, &soft);
	else if (strcmp(soft->tcti, tcti) != 0)
		rc = TS_E_CONFIG;
	pthread_mutex_unlock(&soft_lock);
	if (rc == TS_E_CONFIG && soft)
		log_error(LOG_SUBSYS_TPM, "bench TPM: the TCTI '%s' differs from '%s'; a process has one software TPM",
			  tcti, soft->tcti);
	if (rc != TS_OK)
		return rc;
	tpm = calloc(1, sizeof(*tpm));
	if (!tpm)
		return TS_E_NOMEM;
	tpm->data = soft;
	*out = tpm;
	return TS_OK;
}

void tpm_close(tpm_t *tpm)
{
	free(tpm);
}

const char *tpm_tcti(const tpm_t *tpm)
{
	return tpm->data->tcti;
}

int tpm_fapi_get_ak_blob(const char *path, uint8_t *type, uint8_t **blob, size_t *len)
{
	(void)path;
	(void)type;
	(void)blob;
	(void)len;
	return TS_E_UNSUPPORTED;
}

int tpm_set_ak_blob(tpm_t *tpm, uint8_t type, const uint8_t *blob, size_t len)
{
	(void)tpm;
	(void)type;
	(void)blob;
	(void)len;
	return TS_E_UNSUPPORTED;
}

int tpm_find_device(char *path, size_t path_size)
{
	(void)path;
	(void)path_size;
	return TS_E_NOT_FOUND;
}

int tpm_get_version_info(tpm_t *tpm, tpm_version_info *out)
{
	memset(out, 0, sizeof(*out));
	out->spec_level = 0;
	out->spec_revision = 159;
	out->spec_day_of_year = 1;
	out->spec_year = 2025;
	out->manufacturer = 0x42454E43;  /* "BENC" */
	out->banks = tpm->data->banks;
	return TS_OK;
}

int tpm_get_banks(tpm_t *tpm, uint32_t *banks)
{
	*banks = tpm->data->banks;
	return TS_OK;
}

int tpm_pcr_read(tpm_t *tpm, uint16_t alg, unsigned pcr, uint8_t *digest, size_t *len)
{
	const pcr_bank_t *bank = pcr_set_get_bank(tpm->data->pcrs, alg);
	const uint8_t *value;
	int rc;

	if (!bank)
		return TS_E_NOT_FOUND;
	rc = pcr_bank_read(bank, pcr, &value, len);
	if (rc == TS_OK)
		memcpy(digest, value, *len);
	return rc;
}

int tpm_pcr_extend(tpm_t *tpm, unsigned pcr, uint16_t alg, const uint8_t *digest, size_t len)
{
	(void)tpm;
	(void)pcr;
	(void)alg;
	(void)digest;
	(void)len;
	return TS_E_UNSUPPORTED;
}

int tpm_provision_ak(tpm_t *tpm, uint32_t handle, tpm_ak_type type, bool replace, uint8_t **public_out,
		     size_t *public_len)
{
	(void)tpm;
	(void)handle;
	(void)type;
	(void)replace;
	(void)public_out;
	(void)public_len;
	return TS_E_UNSUPPORTED;
}

int tpm_read_public(tpm_t *tpm, uint32_t handle, uint8_t **public_out, size_t *public_len)
{
	uint8_t *copy = malloc(tpm->data->public_len);

	(void)handle;
	if (!copy)
		return TS_E_NOMEM;
	memcpy(copy, tpm->data->public, tpm->data->public_len);
	*public_out = copy;
	*public_len = tpm->data->public_len;
	return TS_OK;
}

static int read_pcr(void *ctx, TPM2_ALG_ID bank, uint32_t index, const uint8_t **value, size_t *len)
{
	const pcr_bank_t *b = pcr_set_get_bank(ctx, bank);

	if (!b)
		return TS_E_NOT_FOUND;
	return pcr_bank_read(b, index, value, len);
}

/* Signs the SHA-256 digest of data with the AK into a TPMT_SIGNATURE (ECDSA, SHA-256). */
static int sign_ecdsa(EVP_PKEY *key, const uint8_t *data, size_t len, TPMT_SIGNATURE *out)
{
	uint8_t digest[32], der[80];
	const uint8_t *p = der;
	size_t der_len = sizeof(der);
	unsigned int digest_len = 0;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int rc = TS_E_CRYPTO;

	if (!ctx || EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL) != 1 ||
	    EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_sign(ctx, der, &der_len, digest, digest_len) != 1)
		goto out;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!sig)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	memset(out, 0, sizeof(*out));
	out->sigAlg = TPM2_ALG_ECDSA;
	out->signature.ecdsa.hash = TPM2_ALG_SHA256;
	if (BN_bn2binpad(r, out->signature.ecdsa.signatureR.buffer, SOFT_TPM_P256_LEN) != SOFT_TPM_P256_LEN ||
	    BN_bn2binpad(s, out->signature.ecdsa.signatureS.buffer, SOFT_TPM_P256_LEN) != SOFT_TPM_P256_LEN)
		goto out;
	out->signature.ecdsa.signatureR.size = SOFT_TPM_P256_LEN;
	out->signature.ecdsa.signatureS.size = SOFT_TPM_P256_LEN;
	rc = TS_OK;
out:
	ECDSA_SIG_free(sig);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int tpm_quote(tpm_t *tpm, uint32_t handle, uint16_t alg, uint32_t pcr_mask, const uint8_t *qualifying,
	      size_t qualifying_len, uint8_t **attest, size_t *attest_len, uint8_t **signature,
	      size_t *signature_len)
{
	const soft_tpm_data *d = tpm->data;
	TPMS_ATTEST a;
	TPMS_PCR_SELECTION *sel;
	TPMT_SIGNATURE sig;
	struct timespec now;
	uint8_t *attest_buf = NULL, *sig_buf = NULL;
	size_t digest_len = 0, attest_off = 0, sig_off = 0;
	int rc;

	(void)handle;
	if (qualifying_len > sizeof(a.extraData.buffer) || !pcr_set_get_bank(d->pcrs, alg))
		return TS_E_INVALID;
	memset(&a, 0, sizeof(a));
	a.magic = TPM2_GENERATED_VALUE;
	a.type = TPM2_ST_ATTEST_QUOTE;
	a.qualifiedSigner = d->name;
	a.extraData.size = (UINT16)qualifying_len;
	memcpy(a.extraData.buffer, qualifying, qualifying_len);
	clock_gettime(CLOCK_MONOTONIC, &now);
	a.clockInfo.clock = (UINT64)(now.tv_sec - d->start.tv_sec) * 1000u + (UINT64)(now.tv_nsec / 1000000);
	a.clockInfo.resetCount = 1;
	a.clockInfo.restartCount = 0;
	a.clockInfo.safe = TPM2_YES;
	a.firmwareVersion = 0x0001000200030004ull;
	a.attested.quote.pcrSelect.count = 1;
	sel = &a.attested.quote.pcrSelect.pcrSelections[0];
	sel->hash = alg;
	sel->sizeofSelect = 3;
	sel->pcrSelect[0] = (uint8_t)pcr_mask;
	sel->pcrSelect[1] = (uint8_t)(pcr_mask >> 8);
	sel->pcrSelect[2] = (uint8_t)(pcr_mask >> 16);
	/* The TPM hashes the selected PCRs with the signing scheme's hash, SHA-256 here. */
	rc = tpm2_quote_pcr_digest(&a.attested.quote.pcrSelect, TPM2_ALG_SHA256, read_pcr, d->pcrs,
				   a.attested.quote.pcrDigest.buffer, sizeof(a.attested.quote.pcrDigest.buffer),
				   &digest_len);
	if (rc != TS_OK)
		return rc;
	a.attested.quote.pcrDigest.size = (UINT16)digest_len;

	attest_buf = malloc(sizeof(TPMS_ATTEST));
	sig_buf = malloc(sizeof(TPMT_SIGNATURE));
	if (!attest_buf || !sig_buf) {
		rc = TS_E_NOMEM;
		goto out;
	}
	if (Tss2_MU_TPMS_ATTEST_Marshal(&a, attest_buf, sizeof(TPMS_ATTEST), &attest_off) != TSS2_RC_SUCCESS) {
		rc = TS_E_INVALID;
		goto out;
	}
	rc = sign_ecdsa(d->key, attest_buf, attest_off, &sig);
	if (rc != TS_OK)
		goto out;
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, sig_buf, sizeof(TPMT_SIGNATURE), &sig_off) != TSS2_RC_SUCCESS) {
		rc = TS_E_INVALID;
		goto out;
	}
	*attest = attest_buf;
	*attest_len = attest_off;
	*signature = sig_buf;
	*signature_len = sig_off;
	attest_buf = sig_buf = NULL;
out:
	free(attest_buf);
	free(sig_buf);
	return rc;
}
