/*
 * PCR replay of an IMA measurement list.
 *
 *   PCR[bank] = zeros
 *   for each entry of that PCR:
 *       PCR[bank] = H_bank(PCR[bank] || d)
 *
 * d is bank-size bytes of 0xff for a violation. Otherwise it is the template
 * hash of the entry in that bank. Newer kernels extend the bank algorithm's
 * hash of the template data. Older kernels extend the SHA-1 template hash
 * zero-padded to the bank size, because their TPM driver padded the one
 * SHA-1 digest it received.
 */
#include <string.h>

#include "ima_internal.h"

/* The digest that the kernel extended into `bank` for entry e. */
static int extend_value(ima_hasher *h, const ima_list *list, const ima_entry *e,
			ima_hash_alg bank, ima_replay_mode mode, uint8_t *out)
{
	size_t bank_len = ima_hash_alg_size(bank);
	uint8_t sha1[IMA_DIGEST_MAX];
	size_t len;
	int rc;

	if (e->violation) {
		memset(out, 0xff, bank_len);
		return TS_OK;
	}
	if (bank == list->alg) {
		memcpy(out, e->template_hash, bank_len);
		return TS_OK;
	}
	if (mode == IMA_REPLAY_BANK_HASH)
		return ima_hasher_template(h, e, bank, out, &len);

	/* Padded SHA-1: the listed digest when the list is the SHA-1 one. */
	if (list->alg == IMA_HASH_SHA1) {
		memcpy(sha1, e->template_hash, 20);
	} else {
		rc = ima_hasher_template(h, e, IMA_HASH_SHA1, sha1, &len);
		if (rc != TS_OK)
			return rc;
	}
	memset(out, 0, bank_len);
	memcpy(out, sha1, bank_len < 20 ? bank_len : 20);
	return TS_OK;
}

static bool bank_supported(ima_hash_alg bank)
{
	return bank == IMA_HASH_SHA1 || bank == IMA_HASH_SHA256 || bank == IMA_HASH_SHA384 ||
	       bank == IMA_HASH_SHA512;
}

/*
 * Replays entries [0, count) into pcr_value, calling `visit` (when given)
 * after each entry of that PCR so a caller can compare intermediate values.
 * visit returns true to stop.
 */
static int replay(const ima_list *list, size_t count, uint32_t pcr, ima_hash_alg bank,
		  ima_replay_mode mode, uint8_t *pcr_value,
		  bool (*visit)(const uint8_t *value, size_t index, void *arg), void *arg,
		  bool *stopped)
{
	size_t bank_len = ima_hash_alg_size(bank);
	uint8_t d[IMA_DIGEST_MAX];
	ima_hasher h;
	int rc;

	if (!bank_supported(bank) || pcr >= IMA_PCR_COUNT)
		return TS_E_UNSUPPORTED;
	rc = ima_hasher_init(&h);
	if (rc != TS_OK)
		goto out;

	memset(pcr_value, 0, bank_len);
	if (count > list->count)
		count = list->count;
	for (size_t i = 0; i < count; i++) {
		const ima_entry *e = &list->entries[i];

		if (e->pcr != pcr)
			continue;
		rc = extend_value(&h, list, e, bank, mode, d);
		if (rc == TS_OK)
			rc = ima_hasher_digest2(&h, bank, pcr_value, bank_len, d, bank_len, pcr_value);
		if (rc != TS_OK)
			goto out;
		if (visit && visit(pcr_value, i, arg)) {
			*stopped = true;
			break;
		}
	}
	rc = TS_OK;
out:
	ima_hasher_cleanup(&h);
	return rc;
}

int ima_replay_pcr(const ima_list *list, size_t count, uint32_t pcr, ima_hash_alg bank,
		   ima_replay_mode mode, uint8_t *out, size_t *out_len)
{
	uint8_t value[IMA_DIGEST_MAX];
	int rc = replay(list, count, pcr, bank, mode, value, NULL, NULL, NULL);

	if (rc != TS_OK)
		return rc;
	memcpy(out, value, ima_hash_alg_size(bank));
	*out_len = ima_hash_alg_size(bank);
	return TS_OK;
}

struct prefix_search {
	const uint8_t *expected;
	size_t len;
	size_t count;
};

static bool prefix_matches(const uint8_t *value, size_t index, void *arg)
{
	struct prefix_search *s = arg;

	if (memcmp(value, s->expected, s->len) != 0)
		return false;
	s->count = index + 1;
	return true;
}

int ima_replay_find_prefix(const ima_list *list, uint32_t pcr, ima_hash_alg bank,
			   const uint8_t *expected, size_t expected_len, size_t *ret_count,
			   ima_replay_mode *ret_mode)
{
	static const ima_replay_mode modes[] = { IMA_REPLAY_BANK_HASH, IMA_REPLAY_PADDED_SHA1 };
	uint8_t value[IMA_DIGEST_MAX];

	if (expected_len != ima_hash_alg_size(bank))
		return TS_E_INVALID;
	/* Zero entries: the PCR was never extended. */
	if (ima_is_zero(expected, expected_len)) {
		*ret_count = 0;
		if (ret_mode)
			*ret_mode = IMA_REPLAY_BANK_HASH;
		return TS_OK;
	}
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct prefix_search s = { .expected = expected, .len = expected_len };
		bool stopped = false;
		int rc;

		if (m > 0 && (bank == IMA_HASH_SHA1 || bank == list->alg))
			break;
		rc = replay(list, SIZE_MAX, pcr, bank, modes[m], value, prefix_matches, &s,
			    &stopped);
		if (rc != TS_OK)
			return rc;
		if (stopped) {
			*ret_count = s.count;
			if (ret_mode)
				*ret_mode = modes[m];
			return TS_OK;
		}
	}
	return TS_E_VERIFY;
}
