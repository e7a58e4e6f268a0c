/*
 * libFuzzer harness for common/ima: the first input byte selects the parser
 * (binary list with SHA-1 or SHA-256 template digests, or text list), the
 * rest is the list. A list that parses is then template-checked, replayed
 * into every bank in both modes, checked for a boot_aggregate and verified
 * against a small reference table, so those paths see parsed input too.
 */
#include <stdint.h>
#include <string.h>

#include "ima/ima.h"

static ima_refs *refs;

static void setup_refs(void)
{
	static const uint8_t digest[32] = { 0 };

	if (refs || ima_refs_create(&refs) != TS_OK)
		return;
	if (ima_refs_add(refs, "/init", 5, IMA_HASH_SHA256, digest, 32) != TS_OK ||
	    ima_refs_add(refs, "/a", 2, IMA_HASH_SHA1, digest, 20) != TS_OK) {
		ima_refs_destroy(refs);
		refs = NULL;
	}
}

static void exercise(const ima_list *list)
{
	static const ima_hash_alg banks[] = { IMA_HASH_SHA1, IMA_HASH_SHA256, IMA_HASH_SHA384,
					      IMA_HASH_SHA512 };
	uint8_t pcr[IMA_DIGEST_MAX];
	ima_boot_pcrs boot[2];
	ima_verify_counts counts;
	size_t len, bad, count;

	if (ima_template_check_list(list, &bad) == TS_E_VERIFY && bad >= ima_list_count(list))
		__builtin_trap();
	for (size_t b = 0; b < sizeof(banks) / sizeof(banks[0]); b++) {
		if (ima_replay_pcr(list, SIZE_MAX, IMA_PCR_DEFAULT, banks[b], IMA_REPLAY_BANK_HASH,
				   pcr, &len) != TS_OK ||
		    len != ima_hash_alg_size(banks[b]))
			__builtin_trap();
		if (ima_replay_pcr(list, SIZE_MAX, IMA_PCR_DEFAULT, banks[b], IMA_REPLAY_PADDED_SHA1,
				   pcr, &len) != TS_OK)
			__builtin_trap();
	}
	/* the full replay must be found as a prefix of the list */
	if (ima_replay_pcr(list, SIZE_MAX, IMA_PCR_DEFAULT, IMA_HASH_SHA256, IMA_REPLAY_BANK_HASH,
			   pcr, &len) != TS_OK ||
	    ima_replay_find_prefix(list, IMA_PCR_DEFAULT, IMA_HASH_SHA256, pcr, len, &count,
				   NULL) != TS_OK)
		__builtin_trap();

	memset(boot, 0, sizeof(boot));
	boot[0].alg = IMA_HASH_SHA1;
	boot[1].alg = IMA_HASH_SHA256;
	(void)ima_boot_aggregate_check(list, boot, 2);

	if (refs) {
		if (ima_refs_verify_list(refs, list, 0, NULL, &counts) != TS_OK)
			__builtin_trap();
		if (counts.match + counts.mismatch + counts.unknown + counts.violation +
			    counts.bad_template + counts.boot_aggregate !=
		    ima_list_count(list))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ima_parse_error err;
	ima_limits limits;
	ima_list *list = NULL;
	int rc;

	if (size < 1)
		return 0;
	setup_refs();
	ima_limits_default(&limits);
	limits.max_entries = 4096;

	switch (data[0] % 3) {
	case 0:
		rc = ima_list_parse_binary(data + 1, size - 1, IMA_HASH_SHA1, &limits, &list, &err);
		break;
	case 1:
		rc = ima_list_parse_binary(data + 1, size - 1, IMA_HASH_SHA256, &limits, &list, &err);
		break;
	default:
		rc = ima_ascii_parse((const char *)data + 1, size - 1, IMA_HASH_SHA1, &limits, &list,
				     &err);
		break;
	}
	if (rc == TS_OK) {
		exercise(list);
		ima_list_destroy(list);
	} else if (list || err.code != rc || err.offset > size || err.record_offset > err.offset) {
		/* a failure must leave the output alone and report a place inside the input */
		__builtin_trap();
	}
	return 0;
}
