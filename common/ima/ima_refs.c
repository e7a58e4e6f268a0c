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
 *
 * NOTE: a path is looked up as listed. strongSwan also retries with
 * symlinked directory prefixes swapped (/bin and /usr/bin, taken from the
 * ITA Symlinks attribute); here such a file gets IMA_VERDICT_UNKNOWN.
 */
#include <stdlib.h>
#include <string.h>

#include "ima_internal.h"

/* Longest path accepted as a reference, as PATH_MAX on Linux. */
#define IMA_REFS_PATH_MAX 4096
#define NO_DIGEST UINT32_MAX
/* Entries ahead of the current one whose slot and path are prefetched. */
#define PREFETCH_SLOT_AHEAD 8
#define PREFETCH_FILE_AHEAD 4
#define PREFETCH_RING 16

/* A digest beyond the first one of a path. */
struct ref_digest {
	uint32_t next;             /* next digest of the same path, NO_DIGEST at the end */
	uint8_t alg;
	uint8_t len;
	uint8_t bytes[IMA_DIGEST_MAX];
};

/*
 * One path in refs->files: this header, then the path bytes padded to a
 * multiple of 8. The first digest is kept inline because most paths have
 * one, so a lookup usually touches one slot and two adjacent cache lines.
 */
struct ref_file {
	uint64_t hash;
	uint32_t more;             /* first index in refs->digests, NO_DIGEST if none */
	uint16_t name_len;
	uint8_t alg;
	uint8_t len;
	uint8_t digest[IMA_DIGEST_MAX];
};

struct ima_refs {
	uint64_t *slots;           /* high 32 bits: hash tag; low 32: file offset / 8 + 1; 0: empty */
	size_t slot_mask;
	uint8_t *files;            /* struct ref_file records followed by their paths */
	size_t files_len;
	size_t files_cap;
	size_t nfiles;
	struct ref_digest *digests;
	size_t ndigests;
	size_t digests_cap;
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

static size_t file_record_size(size_t name_len)
{
	return sizeof(struct ref_file) + ((name_len + 7) & ~(size_t)7);
}

static struct ref_file *file_at(const ima_refs *refs, uint64_t slot)
{
	return (struct ref_file *)(void *)(refs->files + ((slot & 0xFFFFFFFFu) - 1) * 8);
}

static const char *file_name(const struct ref_file *f)
{
	return (const char *)(f + 1);
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
	free(refs);
}

size_t ima_refs_count(const ima_refs *refs)
{
	return refs->nfiles;
}

static void slot_insert(uint64_t *slots, size_t mask, uint64_t hash, size_t offset)
{
	size_t i = (size_t)hash & mask;

	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = (hash & 0xFFFFFFFF00000000ull) | (uint64_t)(offset / 8 + 1);
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
	for (size_t off = 0; off < refs->files_len;) {
		const struct ref_file *f = (const struct ref_file *)(void *)(refs->files + off);

		slot_insert(slots, size * 2 - 1, f->hash, off);
		off += file_record_size(f->name_len);
	}
	free(refs->slots);
	refs->slots = slots;
	refs->slot_mask = size * 2 - 1;
	return TS_OK;
}

static struct ref_file *find_file(const ima_refs *refs, const char *name, size_t len,
				  uint64_t hash)
{
	uint64_t tag = hash & 0xFFFFFFFF00000000ull;
	size_t i = (size_t)hash & refs->slot_mask;

	for (;;) {
		uint64_t v = refs->slots[i];
		struct ref_file *f;

		if (v == 0)
			return NULL;
		if ((v & 0xFFFFFFFF00000000ull) == tag) {
			f = file_at(refs, v);
			if (f->name_len == len && memcmp(file_name(f), name, len) == 0)
				return f;
		}
		i = (i + 1) & refs->slot_mask;
	}
}

static int add_file(ima_refs *refs, const char *path, size_t len, uint64_t hash,
		    struct ref_file **ret_file)
{
	size_t size = file_record_size(len);
	struct ref_file *f;
	uint8_t *files;
	int rc;

	if ((refs->files_len + size) / 8 >= UINT32_MAX - 1)
		return TS_E_TOO_LARGE;
	rc = ensure_slots(refs);
	if (rc != TS_OK)
		return rc;
	files = grow(refs->files, &refs->files_cap, refs->files_len + size, 1);
	if (!files)
		return TS_E_NOMEM;
	refs->files = files;

	f = (struct ref_file *)(void *)(files + refs->files_len);
	memset(f, 0, size);
	f->hash = hash;
	f->more = NO_DIGEST;
	f->name_len = (uint16_t)len;
	memcpy(f + 1, path, len);
	slot_insert(refs->slots, refs->slot_mask, hash, refs->files_len);
	refs->files_len += size;
	refs->nfiles++;
	*ret_file = f;
	return TS_OK;
}

static bool digest_equal(uint8_t alg, uint8_t len, const uint8_t *bytes, ima_hash_alg e_alg,
			 const uint8_t *digest, size_t digest_len)
{
	return alg == e_alg && len == digest_len && memcmp(bytes, digest, len) == 0;
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

	file = find_file(refs, path, path_len, hash);
	if (!file) {
		rc = add_file(refs, path, path_len, hash, &file);
		if (rc != TS_OK)
			return rc;
	}
	if (file->alg == IMA_HASH_UNKNOWN) {
		file->alg = (uint8_t)alg;
		file->len = (uint8_t)digest_len;
		memcpy(file->digest, digest, digest_len);
		return TS_OK;
	}
	if (digest_equal(file->alg, file->len, file->digest, alg, digest, digest_len))
		return TS_OK;
	for (uint32_t d = file->more; d != NO_DIGEST; d = refs->digests[d].next) {
		const struct ref_digest *ref = &refs->digests[d];

		if (digest_equal(ref->alg, ref->len, ref->bytes, alg, digest, digest_len))
			return TS_OK;
	}

	if (refs->ndigests >= NO_DIGEST)
		return TS_E_TOO_LARGE;
	/* grow() may move refs->files only in add_file(), so `file` stays valid here */
	digests = grow(refs->digests, &refs->digests_cap, refs->ndigests + 1, sizeof(*digests));
	if (!digests)
		return TS_E_NOMEM;
	refs->digests = digests;
	digests[refs->ndigests] = (struct ref_digest){
		.next = file->more,
		.alg = (uint8_t)alg,
		.len = (uint8_t)digest_len,
	};
	memcpy(digests[refs->ndigests].bytes, digest, digest_len);
	file->more = (uint32_t)refs->ndigests++;
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

/* Verdict of an entry with a file name and a known digest algorithm. */
static ima_verdict verify_hashed(const ima_refs *refs, const ima_entry *e, uint64_t hash)
{
	const struct ref_file *file = find_file(refs, e->file_name, e->file_name_len, hash);
	bool same_alg;

	if (!file)
		return IMA_VERDICT_UNKNOWN;
	if (digest_equal(file->alg, file->len, file->digest, e->digest_alg, e->digest,
			 e->digest_len))
		return IMA_VERDICT_MATCH;
	same_alg = file->alg == e->digest_alg;
	for (uint32_t d = file->more; d != NO_DIGEST; d = refs->digests[d].next) {
		const struct ref_digest *ref = &refs->digests[d];

		if (digest_equal(ref->alg, ref->len, ref->bytes, e->digest_alg, e->digest,
				 e->digest_len))
			return IMA_VERDICT_MATCH;
		same_alg = same_alg || ref->alg == e->digest_alg;
	}
	return same_alg ? IMA_VERDICT_MISMATCH : IMA_VERDICT_UNKNOWN;
}

static bool has_file_digest(const ima_entry *e)
{
	return e->file_name && e->digest && e->digest_alg != IMA_HASH_UNKNOWN;
}

ima_verdict ima_refs_verify_entry(const ima_refs *refs, const ima_entry *e)
{
	if (e->violation)
		return IMA_VERDICT_VIOLATION;
	if (!has_file_digest(e))
		return IMA_VERDICT_UNKNOWN;
	return verify_hashed(refs, e, path_hash(e->file_name, e->file_name_len));
}

/*
 * Starts loading the slot of an entry a few places ahead, and the path record
 * of an entry closer ahead, so the lookups of a long list do not wait for
 * memory one after the other.
 */
static void prefetch_ahead(const ima_refs *refs, const ima_list *list, size_t i, uint64_t *ring)
{
	size_t ahead = i + PREFETCH_SLOT_AHEAD;
	uint64_t v;

	if (ahead < list->count && has_file_digest(&list->entries[ahead])) {
		const ima_entry *e = &list->entries[ahead];

		ring[ahead % PREFETCH_RING] = path_hash(e->file_name, e->file_name_len);
		__builtin_prefetch(&refs->slots[ring[ahead % PREFETCH_RING] & refs->slot_mask]);
	}
	ahead = i + PREFETCH_FILE_AHEAD;
	if (ahead < list->count && has_file_digest(&list->entries[ahead])) {
		v = refs->slots[ring[ahead % PREFETCH_RING] & refs->slot_mask];
		if (v != 0) {
			const uint8_t *f = (const uint8_t *)file_at(refs, v);

			__builtin_prefetch(f);
			__builtin_prefetch(f + 64);
		}
	}
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
	uint64_t ring[PREFETCH_RING] = { 0 };
	uint8_t digest[IMA_DIGEST_MAX];
	size_t digest_len;
	ima_hasher h;
	int rc = ima_hasher_init(&h);

	if (rc != TS_OK)
		goto out;
	/* hashes of the entries the loop has not reached yet, for prefetching */
	for (size_t i = 0; i < PREFETCH_SLOT_AHEAD && i < list->count; i++) {
		const ima_entry *e = &list->entries[i];

		if (has_file_digest(e))
			ring[i] = path_hash(e->file_name, e->file_name_len);
	}
	for (size_t i = 0; i < list->count; i++) {
		const ima_entry *e = &list->entries[i];
		ima_verdict v;

		prefetch_ahead(refs, list, i, ring);
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
		} else if (!has_file_digest(e)) {
			v = IMA_VERDICT_UNKNOWN;
		} else {
			v = verify_hashed(refs, e, ring[i % PREFETCH_RING]);
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
