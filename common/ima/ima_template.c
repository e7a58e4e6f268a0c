/*
 * IMA template hashes (Linux security/integrity/ima/ima_crypto.c,
 * ima_calc_field_array_hash()).
 *
 *   ima:      H( d (20 bytes) || file name in a zero-filled 256-byte buffer )
 *   others:   H( for each field: 4-byte length || field bytes )
 *
 * The second form is exactly the template data of the binary list. The list
 * shows the SHA-1 template hash; newer kernels compute one per PCR bank with
 * the bank's algorithm. Violations are never hashed: the list shows zeros.
 */
#include <string.h>

#include "ima_internal.h"

static const char *const openssl_names[IMA_HASH_COUNT] = {
	[IMA_HASH_MD5] = "MD5",
	[IMA_HASH_SHA1] = "SHA1",
	[IMA_HASH_SHA256] = "SHA256",
	[IMA_HASH_SHA384] = "SHA384",
	[IMA_HASH_SHA512] = "SHA512",
};

int ima_hasher_init(ima_hasher *h)
{
	memset(h, 0, sizeof(*h));
	h->ctx = EVP_MD_CTX_new();
	return h->ctx ? TS_OK : TS_E_NOMEM;
}

void ima_hasher_cleanup(ima_hasher *h)
{
	for (int i = 0; i < IMA_HASH_COUNT; i++)
		EVP_MD_free(h->md[i]);
	EVP_MD_CTX_free(h->ctx);
	memset(h, 0, sizeof(*h));
}

/* Fetches the digest once per hasher; MD5 may be missing under a FIPS provider. */
static const EVP_MD *hasher_md(ima_hasher *h, ima_hash_alg alg)
{
	if ((unsigned)alg >= IMA_HASH_COUNT || !openssl_names[alg])
		return NULL;
	if (!h->md[alg])
		h->md[alg] = EVP_MD_fetch(NULL, openssl_names[alg], NULL);
	return h->md[alg];
}

int ima_hasher_digest2(ima_hasher *h, ima_hash_alg alg, const uint8_t *a, size_t a_len,
		       const uint8_t *b, size_t b_len, uint8_t *out)
{
	const EVP_MD *md = hasher_md(h, alg);

	if (!md)
		return TS_E_UNSUPPORTED;
	if (EVP_DigestInit_ex2(h->ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(h->ctx, a, a_len) != 1 ||
	    (b_len > 0 && EVP_DigestUpdate(h->ctx, b, b_len) != 1) ||
	    EVP_DigestFinal_ex(h->ctx, out, NULL) != 1)
		return TS_E_CRYPTO;
	return TS_OK;
}

int ima_hasher_template(ima_hasher *h, const ima_entry *e, ima_hash_alg alg, uint8_t *out,
			size_t *out_len)
{
	uint8_t name_buf[IMA_LEGACY_NAME_BUF];
	int rc;

	if (e->template_id == IMA_TEMPLATE_IMA) {
		/* The parsers keep legacy names below 256 bytes. */
		memset(name_buf, 0, sizeof(name_buf));
		memcpy(name_buf, e->file_name, e->file_name_len);
		rc = ima_hasher_digest2(h, alg, e->digest, e->digest_len, name_buf,
					sizeof(name_buf), out);
	} else {
		rc = ima_hasher_digest2(h, alg, e->data, e->data_len, NULL, 0, out);
	}
	if (rc == TS_OK)
		*out_len = ima_hash_alg_size(alg);
	return rc;
}

int ima_template_hash(const ima_entry *e, ima_hash_alg alg, uint8_t *out, size_t *out_len)
{
	ima_hasher h;
	int rc = ima_hasher_init(&h);

	if (rc == TS_OK)
		rc = ima_hasher_template(&h, e, alg, out, out_len);
	ima_hasher_cleanup(&h);
	return rc;
}

int ima_template_check_list(const ima_list *list, size_t *bad_index)
{
	uint8_t digest[IMA_DIGEST_MAX];
	size_t digest_len;
	ima_hasher h;
	int rc = ima_hasher_init(&h);

	if (rc != TS_OK)
		goto out;
	for (size_t i = 0; i < list->count; i++) {
		const ima_entry *e = &list->entries[i];

		if (e->violation)
			continue;
		rc = ima_hasher_template(&h, e, list->alg, digest, &digest_len);
		if (rc != TS_OK)
			goto out;
		if (memcmp(digest, e->template_hash, list->hash_len) != 0) {
			if (bad_index)
				*bad_index = i;
			rc = TS_E_VERIFY;
			goto out;
		}
	}
	rc = TS_OK;
out:
	ima_hasher_cleanup(&h);
	return rc;
}
