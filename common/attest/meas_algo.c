#include <string.h>
#include <strings.h>

#include "log.h"
#include "meas_algo.h"

struct meas_algo_entry {
	uint16_t bit;
	const char *name;       /* display name */
	const char *conf_name;  /* name in configuration files */
	size_t digest_len;
	TPM2_ALG_ID tpm_alg;
};

/* Strongest first: meas_algo_select walks this table in order. */
static const struct meas_algo_entry meas_algo_table[] = {
	{ MEAS_ALGO_SHA512, "SHA-512", "sha512", 64, TPM2_ALG_SHA512 },
	{ MEAS_ALGO_SHA384, "SHA-384", "sha384", 48, TPM2_ALG_SHA384 },
	{ MEAS_ALGO_SHA256, "SHA-256", "sha256", 32, TPM2_ALG_SHA256 },
	{ MEAS_ALGO_SHA1, "SHA-1", "sha1", 20, TPM2_ALG_SHA1 },
};

#define MEAS_ALGO_COUNT (sizeof(meas_algo_table) / sizeof(meas_algo_table[0]))

static const struct meas_algo_entry *meas_algo_find(uint16_t algo)
{
	for (size_t i = 0; i < MEAS_ALGO_COUNT; i++) {
		if (meas_algo_table[i].bit == algo)
			return &meas_algo_table[i];
	}
	return NULL;
}

bool meas_algo_is_single(uint16_t algo)
{
	return meas_algo_find(algo) != NULL;
}

const char *meas_algo_name(uint16_t algo)
{
	const struct meas_algo_entry *e = meas_algo_find(algo);

	return e ? e->name : "unknown";
}

size_t meas_algo_digest_len(uint16_t algo)
{
	const struct meas_algo_entry *e = meas_algo_find(algo);

	return e ? e->digest_len : 0;
}

const EVP_MD *meas_algo_evp_md(uint16_t algo)
{
	switch (algo) {
	case MEAS_ALGO_SHA1:
		return EVP_sha1();
	case MEAS_ALGO_SHA256:
		return EVP_sha256();
	case MEAS_ALGO_SHA384:
		return EVP_sha384();
	case MEAS_ALGO_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

int meas_algo_from_name(const char *name, uint16_t *out)
{
	for (size_t i = 0; name && i < MEAS_ALGO_COUNT; i++) {
		if (strcasecmp(name, meas_algo_table[i].conf_name) == 0) {
			*out = meas_algo_table[i].bit;
			return TS_OK;
		}
	}
	return TS_E_INVALID;
}

uint16_t meas_algo_set_up_to(uint16_t strongest)
{
	uint16_t set = 0;

	if (!meas_algo_is_single(strongest))
		return 0;
	/* The bits grow towards the weaker algorithms (SHA-1 is 0x8000). */
	for (size_t i = 0; i < MEAS_ALGO_COUNT; i++) {
		if (meas_algo_table[i].bit >= strongest)
			set |= meas_algo_table[i].bit;
	}
	return set;
}

int meas_algo_select(uint16_t offered, uint16_t supported, uint16_t *out)
{
	uint16_t common = offered & supported;

	for (size_t i = 0; i < MEAS_ALGO_COUNT; i++) {
		if (common & meas_algo_table[i].bit) {
			*out = meas_algo_table[i].bit;
			return TS_OK;
		}
	}
	return TS_E_UNSUPPORTED;
}

int meas_algo_from_tpm_alg(TPM2_ALG_ID alg, uint16_t *out)
{
	for (size_t i = 0; i < MEAS_ALGO_COUNT; i++) {
		if (meas_algo_table[i].tpm_alg == alg) {
			*out = meas_algo_table[i].bit;
			return TS_OK;
		}
	}
	return TS_E_UNSUPPORTED;
}

int meas_algo_to_tpm_alg(uint16_t algo, TPM2_ALG_ID *out)
{
	const struct meas_algo_entry *e = meas_algo_find(algo);

	if (!e)
		return TS_E_UNSUPPORTED;
	*out = e->tpm_alg;
	return TS_OK;
}

int meas_algo_config_load(const conf_t *conf, const char *section, uint16_t *out)
{
	const char *name = conf_get_str(conf, section, "hash_algorithm", "sha384");
	uint16_t strongest;

	if (meas_algo_from_name(name, &strongest) != TS_OK) {
		char shown[64];

		log_escape(shown, sizeof(shown), name, strlen(name));
		log_error(LOG_SUBSYS_CFG, "%s: [%s] hash_algorithm = '%s' is invalid; use sha1, sha256, sha384 or sha512",
			  conf_name(conf), section, shown);
		return TS_E_CONFIG;
	}
	*out = meas_algo_set_up_to(strongest);
	return TS_OK;
}
