/*
 * Shared between the files of common/ima/; not part of the public API.
 */
#ifndef IMA_INTERNAL_H
#define IMA_INTERNAL_H

#include <openssl/evp.h>

#include "ima.h"
#include "reader.h"

struct ima_list {
	ima_hash_alg alg;       /* template digest algorithm of the list */
	size_t hash_len;        /* its size */
	uint8_t *bytes;         /* owned storage the entries point into */
	ima_entry *entries;
	size_t count;
	size_t cap;
	size_t violations;
};

/* Where the parser is, for error reports. */
typedef struct ima_parse_pos {
	ima_parse_error *err;   /* may be NULL */
	size_t entry;
	size_t record_offset;
	size_t line;            /* 0 for binary lists */
	size_t base;            /* added to decoder offsets (text lists) */
} ima_parse_pos;

/* Fills in pos->err (when given) and returns code. */
int ima_parse_fail(const ima_parse_pos *pos, int code, size_t offset, const char *field,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Allocates an empty list of the given template digest algorithm. */
TS_MUST_CHECK int ima_list_new(ima_hash_alg alg, ima_list **ret_list);
/* Appends a copy of *e; fails with TS_E_TOO_LARGE past limits->max_entries. */
TS_MUST_CHECK int ima_list_append(ima_list *list, const ima_entry *e, const ima_limits *limits,
				  const ima_parse_pos *pos);

/* Template id of a template name. */
ima_template ima_list_template_id(const char *name, size_t len);

/*
 * Decodes the template data in `data` (the reader's window) for e->template_id
 * and sets e->data and the decoded fields. Offsets in errors are those of the
 * reader plus pos->base.
 */
TS_MUST_CHECK int ima_list_decode_data(reader_t *data, ima_entry *e, const ima_limits *limits,
				       const ima_parse_pos *pos);

/* True when all n bytes are zero. */
bool ima_is_zero(const uint8_t *p, size_t n);

/* Fetched message digests and one reusable context. */
typedef struct ima_hasher {
	EVP_MD_CTX *ctx;
	EVP_MD *md[IMA_HASH_COUNT];
} ima_hasher;

TS_MUST_CHECK int ima_hasher_init(ima_hasher *h);
void ima_hasher_cleanup(ima_hasher *h);
/* H_alg(e's template) into out (IMA_DIGEST_MAX bytes). */
TS_MUST_CHECK int ima_hasher_template(ima_hasher *h, const ima_entry *e, ima_hash_alg alg,
				      uint8_t *out, size_t *out_len);
/* H_alg(a || b); b may be NULL. */
TS_MUST_CHECK int ima_hasher_digest2(ima_hasher *h, ima_hash_alg alg, const uint8_t *a,
				     size_t a_len, const uint8_t *b, size_t b_len, uint8_t *out);

#endif
