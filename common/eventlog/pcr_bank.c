#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pcr_bank.h"

struct pcr_bank {
	uint16_t alg_id;
	size_t digest_size;
	const char *name;
	EVP_MD *md;          /* fetched once, so an extend does no lookup */
	EVP_MD_CTX *ctx;     /* reused by every extend */
	uint32_t extended;   /* bit i: PCR i extended since the last reset */
	uint8_t pcrs[PCR_BANK_NUM_PCRS][PCR_BANK_MAX_DIGEST_SIZE];
};

struct alg_info {
	uint16_t id;
	size_t size;
	const char *name;        /* tpm2-tools spelling */
	const char *openssl;     /* NULL: known name, no emulated bank */
};

/* TPM_ALG_ID values from TPM 2.0 Library Part 2, table "TPM_ALG_ID Constants". */
static const struct alg_info algs[] = {
	{ PCR_BANK_ALG_SHA1,   20, "sha1",     "SHA1" },
	{ PCR_BANK_ALG_SHA256, 32, "sha256",   "SHA256" },
	{ PCR_BANK_ALG_SHA384, 48, "sha384",   "SHA384" },
	{ PCR_BANK_ALG_SHA512, 64, "sha512",   "SHA512" },
	{ 0x0012,              32, "sm3_256",  NULL },
	{ 0x0027,              32, "sha3_256", NULL },
	{ 0x0028,              48, "sha3_384", NULL },
	{ 0x0029,              64, "sha3_512", NULL },
};

static const struct alg_info *alg_lookup(uint16_t alg_id)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].id == alg_id)
			return &algs[i];
	return NULL;
}

size_t pcr_bank_alg_digest_size(uint16_t alg_id)
{
	const struct alg_info *a = alg_lookup(alg_id);

	return a && a->openssl ? a->size : 0;
}

const char *pcr_bank_alg_name(uint16_t alg_id)
{
	const struct alg_info *a = alg_lookup(alg_id);

	return a ? a->name : NULL;
}

int pcr_bank_create(uint16_t alg_id, pcr_bank_t **out)
{
	const struct alg_info *a = alg_lookup(alg_id);
	pcr_bank_t *bank = NULL;
	int rc;

	if (!a || !a->openssl)
		return TS_E_UNSUPPORTED;

	bank = calloc(1, sizeof(*bank));
	if (!bank)
		return TS_E_NOMEM;
	bank->alg_id = alg_id;
	bank->digest_size = a->size;
	bank->name = a->name;

	bank->md = EVP_MD_fetch(NULL, a->openssl, NULL);
	bank->ctx = EVP_MD_CTX_new();
	if (!bank->md || !bank->ctx || (size_t)EVP_MD_get_size(bank->md) != a->size) {
		rc = TS_E_CRYPTO;
		goto out;
	}
	rc = pcr_bank_reset(bank, 0);
	if (rc != TS_OK)
		goto out;

	*out = bank;
	bank = NULL;
out:
	pcr_bank_destroy(bank);
	return rc;
}

void pcr_bank_destroy(pcr_bank_t *bank)
{
	if (!bank)
		return;
	EVP_MD_CTX_free(bank->ctx);
	EVP_MD_free(bank->md);
	free(bank);
}

int pcr_bank_reset(pcr_bank_t *bank, uint8_t startup_locality)
{
	if (startup_locality > 4)
		return TS_E_INVALID;

	for (unsigned i = 0; i < PCR_BANK_NUM_PCRS; i++) {
		uint8_t fill = (i >= 17 && i <= 22) ? 0xff : 0x00;

		memset(bank->pcrs[i], fill, sizeof(bank->pcrs[i]));
	}
	bank->pcrs[0][bank->digest_size - 1] = startup_locality;
	bank->extended = 0;
	return TS_OK;
}

int pcr_bank_extend(pcr_bank_t *bank, unsigned index, const uint8_t *digest, size_t len)
{
	uint8_t input[2 * PCR_BANK_MAX_DIGEST_SIZE];
	unsigned int out_len = 0;

	if (index >= PCR_BANK_NUM_PCRS || len != bank->digest_size)
		return TS_E_INVALID;

	/* One update over old value || digest costs less than two. */
	memcpy(input, bank->pcrs[index], len);
	memcpy(input + len, digest, len);
	if (EVP_DigestInit_ex2(bank->ctx, bank->md, NULL) != 1 ||
	    EVP_DigestUpdate(bank->ctx, input, 2 * len) != 1 ||
	    EVP_DigestFinal_ex(bank->ctx, bank->pcrs[index], &out_len) != 1 || out_len != len)
		return TS_E_CRYPTO;

	bank->extended |= UINT32_C(1) << index;
	return TS_OK;
}

int pcr_bank_read(const pcr_bank_t *bank, unsigned index, const uint8_t **value, size_t *len)
{
	if (index >= PCR_BANK_NUM_PCRS)
		return TS_E_INVALID;
	*value = bank->pcrs[index];
	*len = bank->digest_size;
	return TS_OK;
}

uint32_t pcr_bank_get_extended(const pcr_bank_t *bank)
{
	return bank->extended;
}

uint16_t pcr_bank_get_alg(const pcr_bank_t *bank)
{
	return bank->alg_id;
}

size_t pcr_bank_get_digest_size(const pcr_bank_t *bank)
{
	return bank->digest_size;
}

const char *pcr_bank_get_name(const pcr_bank_t *bank)
{
	return bank->name;
}
