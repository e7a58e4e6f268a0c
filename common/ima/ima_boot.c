/*
 * boot_aggregate: the first IMA measurement, which ties the runtime list to
 * the boot PCRs (Linux security/integrity/ima/ima_crypto.c,
 * ima_calc_boot_aggregate()).
 *
 *   SHA-1 bank:   H(PCR0 || PCR1 || .. || PCR7)
 *   other banks:  H(PCR0 || PCR1 || .. || PCR9)
 *
 * PCR 8 and 9 (kernel command line and kernel image under the usual PC
 * client allocation) are included for non-SHA-1 banks only. The kernel picks
 * the bank of its IMA hash algorithm, else SHA-256, else SHA-1, and the d-ng
 * prefix of the entry names the bank it used.
 */
#include <string.h>

#include "ima_internal.h"

static const char boot_aggregate_name[] = "boot_aggregate";

int ima_boot_aggregate_compute(const ima_boot_pcrs *pcrs, uint8_t *out, size_t *out_len)
{
	size_t bank_len = ima_hash_alg_size(pcrs->alg);
	size_t npcrs = pcrs->alg == IMA_HASH_SHA1 ? 8 : IMA_BOOT_PCR_COUNT;
	uint8_t concat[IMA_BOOT_PCR_COUNT * IMA_DIGEST_MAX];
	ima_hasher h;
	int rc;

	if (bank_len == 0 || pcrs->alg == IMA_HASH_MD5)
		return TS_E_UNSUPPORTED;
	for (size_t i = 0; i < npcrs; i++)
		memcpy(concat + i * bank_len, pcrs->value[i], bank_len);

	rc = ima_hasher_init(&h);
	if (rc == TS_OK)
		rc = ima_hasher_digest2(&h, pcrs->alg, concat, npcrs * bank_len, NULL, 0, out);
	ima_hasher_cleanup(&h);
	if (rc == TS_OK)
		*out_len = bank_len;
	return rc;
}

int ima_boot_aggregate_check(const ima_list *list, const ima_boot_pcrs *banks, size_t nbanks)
{
	const ima_entry *e = ima_list_entry(list, 0);
	const ima_boot_pcrs *bank = NULL;
	uint8_t digest[IMA_DIGEST_MAX];
	size_t digest_len;
	int rc;

	if (!e || !e->file_name || e->file_name_len != strlen(boot_aggregate_name) ||
	    memcmp(e->file_name, boot_aggregate_name, e->file_name_len) != 0)
		return TS_E_INVALID;
	for (size_t i = 0; i < nbanks; i++) {
		if (banks[i].alg == e->digest_alg)
			bank = &banks[i];
	}
	if (!bank)
		return TS_E_NOT_FOUND;

	rc = ima_boot_aggregate_compute(bank, digest, &digest_len);
	if (rc != TS_OK)
		return rc;
	if (digest_len != e->digest_len || memcmp(digest, e->digest, digest_len) != 0)
		return TS_E_VERIFY;
	return TS_OK;
}
