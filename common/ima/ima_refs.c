/*
 * Reference file digests and the verification of IMA entries against them.
 *
 * strongTNC keeps, per product, the allowed digests of each file in
 * file_hashes (path split into directories/files, digest as lowercase hex,
 * algorithm as a PTS bit). An IMV loads the rows for the session's product
 * into an ima_refs table and verifies the list with ima_refs_verify_list().
 *
 * The table is an open-addressing hash table (linear probing, load at most
 * one half) over the path bytes. Only the operator inserts paths, and a peer
 * only looks names up. A lookup stops at the first empty slot, so the names
 * in a list cannot make probes longer than the clusters that the operator's
 * paths already form.
 */
#include <stdlib.h>
#include <string.h>

#include "ima_internal.h"

/* Longest path accepted as a reference, as PATH_MAX on Linux. */
#define IMA_REFS_PATH_MAX 4096
#define NO_DIGEST UINT32_MAX

struct ref_digest {
	uint32_t next;             /* next digest of the same path, NO_DIGEST at the end */
	uint8_t alg;
	uint8_t len;
	uint8_t bytes[IMA_DIGEST_MAX];
};

struct ref_file {
	uint64_t hash;
	size_t name_offset;        /* into names */
	uint32_t name_len;
	uint32_t first_digest;
};

struct ima_refs {
	uint64_t *slots;           /* high 32 bits: hash tag; low 32: file index + 1; 0: empty */
	size_t slot_mask;
	struct ref_file *files;
	size_t nfiles;
	size_t files_cap;
	struct ref_digest *digests;
	size_t ndigests;
	size_t digests_cap;
	char *names;
	size_t names_len;
	size_t names_cap;
};

static const char boot_aggregate_name[] = "boot_aggregate";

/* A 64-bit hash over the path, eight bytes per step, with a final mix. */
static uint64_t path_hash(const char *p, size_t len)
{
	const uint64_t k = 0x9E3779B97F4A7C15ull;
	uint64_t h = 0x243F6A8885A308D3ull ^ len;
	uint64_t w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ w) * k;
	h ^= h >> 32;
	h *= 0xD6E8FEB86659FD93ull;
	h ^= h >> 32;
	return h;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	while (n < need)
		n *= 2;
	if (n == *cap)
		return p;
	q = realloc(p, n * elem);
	if (q)
		*cap = n;
	return q;
}

int ima_refs_create(ima_refs **ret_refs)
{
	ima_refs *refs = calloc(1, sizeof(*refs));

	if (!refs)
		return TS_E_NOMEM;
	refs->slot_mask = 1024 - 1;
	refs->slots = calloc(refs->slot_mask + 1, sizeof(*refs->slots));
	if (!refs->slots) {
		free(refs);
		return TS_E_NOMEM;
	}
	*ret_refs = refs;
	return TS_OK;
}

void ima_refs_destroy(ima_refs *refs)
{
	if (!refs)
		return;
	free(refs->slots);
	free(refs->files);
	free(refs->digests);
	free(refs->names);
	free(refs);
}

size_t ima_refs_count(const ima_refs *refs)
{
	return refs->nfiles;
}

static void slot_insert(uint64_t *slots, size_t mask, uint64_t hash, size_t index)
{
	size_t i = (size_t)hash & mask;

	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = (hash & 0xFFFFFFFF00000000ull) | (uint64_t)(index + 1);
}

/* Doubles the slot array once the table would be more than half full. */
static int ensure_slots(ima_refs *refs)
{
	size_t size = refs->slot_mask + 1;
	uint64_t *slots;

	if ((refs->nfiles + 1) * 2 <= size)
		return TS_OK;
	slots = calloc(size * 2, sizeof(*slots));
	if (!slots)
		return TS_E_NOMEM;
	for (size_t i = 0; i < refs->nfiles; i++)
		slot_insert(slots, size * 2 - 1, refs->files[i].hash, i);
	free(refs->slots);
	refs->slots = slots;
	refs->slot_mask = size * 2 - 1;
	return TS_OK;
}

static const struct ref_file *find_file(const ima_refs *refs, const char *name, size_t len,
					uint64_t hash)
{
	uint64_t tag = hash & 0xFFFFFFFF00000000ull;
	size_t i = (size_t)hash & refs->slot_mask;

	for (;;) {
		uint64_t v = refs->slots[i];
		const struct ref_file *f;

		if (v == 0)
			return NULL;
		f = &refs->files[(v & 0xFFFFFFFFu) - 1];
		if ((v & 0xFFFFFFFF00000000ull) == tag && f->name_len == len &&
		    memcmp(refs->names + f->name_offset, name, len) == 0)
			return f;
		i = (i + 1) & refs->slot_mask;
	}
}

static int add_file(ima_refs *refs, const char *path, size_t len, uint64_t hash,
		    struct ref_file **ret_file)
{
	struct ref_file *files;
	char *names;
	int rc;

	if (refs->nfiles >= UINT32_MAX - 1)
		return TS_E_TOO_LARGE;
	rc = ensure_slots(refs);
	if (rc != TS_OK)
		return rc;
	files = grow(refs->files, &refs->files_cap, refs->nfiles + 1, sizeof(*files));
	if (!files)
		return TS_E_NOMEM;
	refs->files = files;
	names = grow(refs->names, &refs->names_cap, refs->names_len + len, 1);
	if (!names)
		return TS_E_NOMEM;
	refs->names = names;

	memcpy(refs->names + refs->names_len, path, len);
	files[refs->nfiles] = (struct ref_file){
		.hash = hash,
		.name_offset = refs->names_len,
		.name_len = (uint32_t)len,
		.first_digest = NO_DIGEST,
	};
	refs->names_len += len;
	slot_insert(refs->slots, refs->slot_mask, hash, refs->nfiles);
	*ret_file = &files[refs->nfiles++];
	return TS_OK;
}

int ima_refs_add(ima_refs *refs, const char *path, size_t path_len, ima_hash_alg alg,
		 const uint8_t *digest, size_t digest_len)
{
	uint64_t hash = path_hash(path, path_len);
	struct ref_file *file;
	struct ref_digest *digests;
	int rc;

	if (path_len == 0 || path_len > IMA_REFS_PATH_MAX)
		return TS_E_INVALID;
	if (ima_hash_alg_size(alg) == 0 || digest_len != ima_hash_alg_size(alg))
		return TS_E_INVALID;
	if (refs->ndigests >= NO_DIGEST)
		return TS_E_TOO_LARGE;

	file = (struct ref_file *)find_file(refs, path, path_len, hash);
	if (!file) {
		rc = add_file(refs, path, path_len, hash, &file);
		if (rc != TS_OK)
			return rc;
	}
	for (uint32_t d = file->first_digest; d != NO_DIGEST; d = refs->digests[d].next) {
		const struct ref_digest *ref = &refs->digests[d];

		if (ref->alg == alg && memcmp(ref->bytes, digest, digest_len) == 0)
			return TS_OK;
	}

	digests = grow(refs->digests, &refs->digests_cap, refs->ndigests + 1, sizeof(*digests));
	if (!digests)
		return TS_E_NOMEM;
	refs->digests = digests;
	digests[refs->ndigests] = (struct ref_digest){
		.next = file->first_digest,
		.alg = (uint8_t)alg,
		.len = (uint8_t)digest_len,
	};
	memcpy(digests[refs->ndigests].bytes, digest, digest_len);
	file->first_digest = (uint32_t)refs->ndigests++;
	return TS_OK;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ima_refs_add_hex(ima_refs *refs, const char *path, ima_hash_alg alg, const char *hex)
{
	uint8_t digest[IMA_DIGEST_MAX];
	size_t len = strlen(hex);

	if (len % 2 != 0 || len / 2 > sizeof(digest))
		return TS_E_INVALID;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_digit(hex[2 * i]);
		int lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return TS_E_INVALID;
		digest[i] = (uint8_t)(hi << 4 | lo);
	}
	return ima_refs_add(refs, path, strlen(path), alg, digest, len / 2);
}

const char *ima_verdict_name(ima_verdict verdict)
{
	switch (verdict) {
	case IMA_VERDICT_MATCH:
		return "match";
	case IMA_VERDICT_MISMATCH:
		return "mismatch";
	case IMA_VERDICT_UNKNOWN:
		return "unknown";
	case IMA_VERDICT_VIOLATION:
		return "violation";
	case IMA_VERDICT_BAD_TEMPLATE:
		return "bad template hash";
	case IMA_VERDICT_BOOT_AGGREGATE:
		return "boot_aggregate";
	}
	return "invalid verdict";
}

ima_verdict ima_refs_verify_entry(const ima_refs *refs, const ima_entry *e)
{
	const struct ref_file *file;
	bool same_alg = false;

	if (e->violation)
		return IMA_VERDICT_VIOLATION;
	if (!e->file_name || !e->digest || e->digest_alg == IMA_HASH_UNKNOWN)
		return IMA_VERDICT_UNKNOWN;
	file = find_file(refs, e->file_name, e->file_name_len,
			 path_hash(e->file_name, e->file_name_len));
	if (!file)
		return IMA_VERDICT_UNKNOWN;
	for (uint32_t d = file->first_digest; d != NO_DIGEST; d = refs->digests[d].next) {
		const struct ref_digest *ref = &refs->digests[d];

		if (ref->alg != e->digest_alg)
			continue;
		same_alg = true;
		if (ref->len == e->digest_len && memcmp(ref->bytes, e->digest, ref->len) == 0)
			return IMA_VERDICT_MATCH;
	}
	return same_alg ? IMA_VERDICT_MISMATCH : IMA_VERDICT_UNKNOWN;
}

static bool is_boot_aggregate(const ima_entry *e)
{
	return e->file_name && e->file_name_len == sizeof(boot_aggregate_name) - 1 &&
	       memcmp(e->file_name, boot_aggregate_name, e->file_name_len) == 0;
}

static void count_verdict(ima_verify_counts *c, ima_verdict v)
{
	switch (v) {
	case IMA_VERDICT_MATCH:
		c->match++;
		break;
	case IMA_VERDICT_MISMATCH:
		c->mismatch++;
		break;
	case IMA_VERDICT_UNKNOWN:
		c->unknown++;
		break;
	case IMA_VERDICT_VIOLATION:
		c->violation++;
		break;
	case IMA_VERDICT_BAD_TEMPLATE:
		c->bad_template++;
		break;
	case IMA_VERDICT_BOOT_AGGREGATE:
		c->boot_aggregate++;
		break;
	}
}

int ima_refs_verify_list(const ima_refs *refs, const ima_list *list, unsigned int flags,
			 ima_verdict *verdicts, ima_verify_counts *counts)
{
	bool check_template = !(flags & IMA_VERIFY_SKIP_TEMPLATE_HASH);
	ima_verify_counts c = { 0 };
	uint8_t digest[IMA_DIGEST_MAX];
	size_t digest_len;
	ima_hasher h;
	int rc = ima_hasher_init(&h);

	if (rc != TS_OK)
		goto out;
	for (size_t i = 0; i < list->count; i++) {
		const ima_entry *e = &list->entries[i];
		ima_verdict v;

		if (e->violation) {
			v = IMA_VERDICT_VIOLATION;
		} else if (check_template &&
			   ((rc = ima_hasher_template(&h, e, list->alg, digest, &digest_len)) != TS_OK ||
			    memcmp(digest, e->template_hash, list->hash_len) != 0)) {
			if (rc != TS_OK)
				goto out;
			v = IMA_VERDICT_BAD_TEMPLATE;
		} else if (i == 0 && is_boot_aggregate(e)) {
			v = IMA_VERDICT_BOOT_AGGREGATE;
		} else {
			v = ima_refs_verify_entry(refs, e);
		}
		if (verdicts)
			verdicts[i] = v;
		count_verdict(&c, v);
	}
	*counts = c;
	rc = TS_OK;
out:
	ima_hasher_cleanup(&h);
	return rc;
}
