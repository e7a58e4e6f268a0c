#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "dh_nonce.h"
#include "log.h"
#include "meas_algo.h"

struct dh_nonce_group {
	uint16_t bit;
	const char *name;
	bool is_ec;
	/* OpenSSL group name, or NULL for MODP 1024, which OpenSSL 3.0 does not name. */
	const char *ossl_group;
	size_t public_len;
	size_t shared_len;
};

/* Strongest first: dh_nonce_select_group walks this table in order. */
static const struct dh_nonce_group dh_nonce_groups[] = {
	{ DH_NONCE_ECP384, "ECP 384", true, "P-384", 96, 48 },
	{ DH_NONCE_ECP256, "ECP 256", true, "P-256", 64, 32 },
	{ DH_NONCE_MODP2048, "MODP 2048", false, "modp_2048", 256, 256 },
	{ DH_NONCE_MODP1536, "MODP 1536", false, "modp_1536", 192, 192 },
	{ DH_NONCE_MODP1024, "MODP 1024", false, NULL, 128, 128 },
};

#define DH_NONCE_GROUP_COUNT (sizeof(dh_nonce_groups) / sizeof(dh_nonce_groups[0]))

struct dh_nonce {
	const struct dh_nonce_group *group;
	EVP_PKEY *key;
	uint8_t public_value[DH_NONCE_MAX_PUBLIC_LEN];
	uint8_t nonce[DH_NONCE_MAX_NONCE_LEN];
	size_t nonce_len;
	bool have_peer;
	uint8_t peer_nonce[DH_NONCE_MAX_NONCE_LEN];
	uint8_t shared[DH_NONCE_MAX_SHARED_LEN];
};

static const struct dh_nonce_group *dh_nonce_find_group(uint16_t bit)
{
	for (size_t i = 0; i < DH_NONCE_GROUP_COUNT; i++) {
		if (dh_nonce_groups[i].bit == bit)
			return &dh_nonce_groups[i];
	}
	return NULL;
}

void dh_nonce_config_init(dh_nonce_config *cfg)
{
	cfg->allow_modp1024 = true;
	cfg->nonce_len = DH_NONCE_DEFAULT_NONCE_LEN;
	cfg->min_nonce_len = DH_NONCE_MIN_NONCE_LEN;
}

int dh_nonce_config_load(const conf_t *conf, const char *section, dh_nonce_config *out)
{
	dh_nonce_config cfg;
	long long nonce_len, min_nonce_len;
	int rc;

	dh_nonce_config_init(&cfg);
	rc = conf_get_bool(conf, section, "allow_modp1024", cfg.allow_modp1024, &cfg.allow_modp1024);
	if (rc != TS_OK)
		return rc;
	rc = conf_get_int(conf, section, "nonce_len", DH_NONCE_DEFAULT_NONCE_LEN,
			  DH_NONCE_MIN_NONCE_LEN, DH_NONCE_MAX_NONCE_LEN, &nonce_len);
	if (rc != TS_OK)
		return rc;
	rc = conf_get_int(conf, section, "min_nonce_len", DH_NONCE_MIN_NONCE_LEN,
			  DH_NONCE_MIN_NONCE_LEN, DH_NONCE_MAX_NONCE_LEN, &min_nonce_len);
	if (rc != TS_OK)
		return rc;
	cfg.nonce_len = (size_t)nonce_len;
	cfg.min_nonce_len = (size_t)min_nonce_len;
	*out = cfg;
	return TS_OK;
}

uint16_t dh_nonce_supported_groups(const dh_nonce_config *cfg)
{
	uint16_t set = DH_NONCE_ALL_GROUPS;

	if (!cfg->allow_modp1024)
		set &= (uint16_t)~DH_NONCE_MODP1024;
	return set;
}

const char *dh_nonce_group_name(uint16_t group)
{
	const struct dh_nonce_group *g = dh_nonce_find_group(group);

	return g ? g->name : "unknown";
}

size_t dh_nonce_public_len(uint16_t group)
{
	const struct dh_nonce_group *g = dh_nonce_find_group(group);

	return g ? g->public_len : 0;
}

int dh_nonce_select_group(uint16_t offered, uint16_t supported, uint16_t *out)
{
	uint16_t common = offered & supported;

	for (size_t i = 0; i < DH_NONCE_GROUP_COUNT; i++) {
		if (common & dh_nonce_groups[i].bit) {
			*out = dh_nonce_groups[i].bit;
			return TS_OK;
		}
	}
	return TS_E_UNSUPPORTED;
}

int dh_nonce_check_nonce_len(const dh_nonce_config *cfg, size_t len)
{
	size_t min = cfg->min_nonce_len > DH_NONCE_MIN_NONCE_LEN ? cfg->min_nonce_len : DH_NONCE_MIN_NONCE_LEN;

	if (len < min || len > DH_NONCE_MAX_NONCE_LEN) {
		log_error(LOG_SUBSYS_PTS, "DH nonce length %zu is invalid; expected %zu..%d octets",
			  len, min, DH_NONCE_MAX_NONCE_LEN);
		return TS_E_INVALID;
	}
	return TS_OK;
}

/*
 * Pushes the domain parameters of a group: a curve or MODP group name, or
 * p and g = 2 for MODP 1024 (RFC 2409 group 2). OpenSSL 3.0 refuses to
 * generate keys with an unnamed 1024-bit p and its q, so q is left out.
 * Because p is a safe prime, the range check 1 < y < p - 1 that OpenSSL
 * then applies to a peer value already excludes the elements of small order.
 */
static int dh_nonce_push_domain(const struct dh_nonce_group *g, OSSL_PARAM_BLD *bld, BIGNUM **p, BIGNUM **gen)
{
	if (g->ossl_group)
		return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl_group, 0) ? TS_OK
											   : TS_E_CRYPTO;

	*p = BN_get_rfc2409_prime_1024(NULL);
	*gen = BN_new();
	if (!*p || !*gen)
		return TS_E_NOMEM;
	if (!BN_set_word(*gen, 2))
		return TS_E_CRYPTO;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, *p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, *gen))
		return TS_E_CRYPTO;
	return TS_OK;
}

/*
 * Builds an EVP_PKEY of the group from a BLD that already contains the domain
 * parameters. `selection` is EVP_PKEY_KEY_PARAMETERS or EVP_PKEY_PUBLIC_KEY.
 */
static int dh_nonce_fromdata(const struct dh_nonce_group *g, OSSL_PARAM_BLD *bld, int selection, EVP_PKEY **out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = TS_E_CRYPTO;

	if (!params)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->is_ec ? "EC" : "DH", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0) {
		rc = TS_E_INVALID;
		goto out;
	}
	*out = pkey;
	rc = TS_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return rc;
}

/* Writes the public value of `key` in the wire encoding into out[0..g->public_len). */
static int dh_nonce_encode_public(const struct dh_nonce_group *g, EVP_PKEY *key, uint8_t *out)
{
	if (g->is_ec) {
		uint8_t point[1 + DH_NONCE_MAX_PUBLIC_LEN];
		size_t len = 0;

		if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
						     sizeof(point), &len))
			return TS_E_CRYPTO;
		/* SEC 1 uncompressed form 0x04 || x || y. The wire format drops the 0x04. */
		if (len != 1 + g->public_len || point[0] != 0x04)
			return TS_E_CRYPTO;
		memcpy(out, point + 1, g->public_len);
		return TS_OK;
	}

	BIGNUM *y = NULL;
	int rc = TS_E_CRYPTO;

	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
	    BN_bn2binpad(y, out, (int)g->public_len) == (int)g->public_len)
		rc = TS_OK;
	BN_free(y);
	return rc;
}

static int dh_nonce_generate(const struct dh_nonce_group *g, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = NULL, *gen = NULL;
	EVP_PKEY *domain = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	int rc = TS_E_NOMEM;

	if (!bld)
		goto out;
	rc = dh_nonce_push_domain(g, bld, &p, &gen);
	if (rc != TS_OK)
		goto out;
	rc = dh_nonce_fromdata(g, bld, EVP_PKEY_KEY_PARAMETERS, &domain);
	if (rc != TS_OK) {
		rc = TS_E_CRYPTO;
		goto out;
	}

	rc = TS_E_CRYPTO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, domain, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0)
		goto out;
	*out = key;
	rc = TS_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(domain);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(gen);
	return rc;
}

int dh_nonce_create(uint16_t group, size_t nonce_len, dh_nonce_t **out)
{
	const struct dh_nonce_group *g = dh_nonce_find_group(group);
	dh_nonce_t *dh = NULL;
	int rc;

	if (!g) {
		log_error(LOG_SUBSYS_PTS, "DH group 0x%04x is not supported", group);
		return TS_E_UNSUPPORTED;
	}
	if (nonce_len < DH_NONCE_MIN_NONCE_LEN || nonce_len > DH_NONCE_MAX_NONCE_LEN) {
		log_error(LOG_SUBSYS_PTS, "DH nonce length %zu is invalid; expected %d..%d octets",
			  nonce_len, DH_NONCE_MIN_NONCE_LEN, DH_NONCE_MAX_NONCE_LEN);
		return TS_E_INVALID;
	}
	dh = OPENSSL_zalloc(sizeof(*dh));
	if (!dh)
		return TS_E_NOMEM;
	dh->group = g;
	dh->nonce_len = nonce_len;

	rc = dh_nonce_generate(g, &dh->key);
	if (rc != TS_OK)
		goto out;
	rc = dh_nonce_encode_public(g, dh->key, dh->public_value);
	if (rc != TS_OK)
		goto out;
	if (RAND_bytes(dh->nonce, (int)nonce_len) != 1) {
		rc = TS_E_CRYPTO;
		goto out;
	}
	*out = dh;
	dh = NULL;
out:
	if (rc != TS_OK)
		log_error(LOG_SUBSYS_PTS, "creating a %s key pair failed: %s", g->name, ts_strerror(rc));
	dh_nonce_destroy(dh);
	return rc;
}

void dh_nonce_destroy(dh_nonce_t *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	OPENSSL_clear_free(dh, sizeof(*dh));
}

uint16_t dh_nonce_get_group(const dh_nonce_t *dh)
{
	return dh->group->bit;
}

void dh_nonce_get_public(const dh_nonce_t *dh, const uint8_t **value, size_t *len)
{
	*value = dh->public_value;
	*len = dh->group->public_len;
}

void dh_nonce_get_nonce(const dh_nonce_t *dh, const uint8_t **nonce, size_t *len)
{
	*nonce = dh->nonce;
	*len = dh->nonce_len;
}

/* Turns the peer's wire public value into an EVP_PKEY and checks it fully. */
static int dh_nonce_import_peer(const struct dh_nonce_group *g, const uint8_t *value, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = NULL, *gen = NULL, *y = NULL;
	uint8_t point[1 + DH_NONCE_MAX_PUBLIC_LEN];
	EVP_PKEY_CTX *check = NULL;
	EVP_PKEY *peer = NULL;
	int rc = TS_E_NOMEM;

	if (!bld)
		goto out;
	rc = dh_nonce_push_domain(g, bld, &p, &gen);
	if (rc != TS_OK)
		goto out;

	rc = TS_E_CRYPTO;
	if (g->is_ec) {
		point[0] = 0x04;
		memcpy(point + 1, value, g->public_len);
		if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + g->public_len))
			goto out;
	} else {
		y = BN_bin2bn(value, (int)g->public_len, NULL);
		if (!y || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
			goto out;
	}

	/* Import fails for an EC point off the curve. */
	rc = dh_nonce_fromdata(g, bld, EVP_PKEY_PUBLIC_KEY, &peer);
	if (rc != TS_OK)
		goto out;

	/*
	 * MODP: 1 < y < p - 1 and, where q is known, y^q = 1. EC: a finite
	 * point on the curve, which for the NIST curves (cofactor 1) is already
	 * a point of the prime-order group, so the costly order check is skipped.
	 */
	rc = TS_E_CRYPTO;
	check = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL);
	if (!check)
		goto out;
	if ((g->is_ec ? EVP_PKEY_public_check_quick(check) : EVP_PKEY_public_check(check)) != 1) {
		rc = TS_E_INVALID;
		goto out;
	}
	*out = peer;
	peer = NULL;
	rc = TS_OK;
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_free(peer);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(gen);
	BN_free(y);
	OPENSSL_cleanse(point, sizeof(point));
	return rc;
}

int dh_nonce_set_peer(dh_nonce_t *dh, const uint8_t *public_value, size_t public_len,
		      const uint8_t *nonce, size_t nonce_len)
{
	const struct dh_nonce_group *g = dh->group;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer = NULL;
	size_t shared_len = sizeof(dh->shared);
	int rc;

	if (dh->have_peer)
		return TS_E_STATE;
	if (nonce_len != dh->nonce_len) {
		log_error(LOG_SUBSYS_PTS, "peer DH nonce has %zu octets; expected %zu", nonce_len, dh->nonce_len);
		return TS_E_INVALID;
	}
	if (public_len != g->public_len) {
		log_error(LOG_SUBSYS_PTS, "peer %s public value has %zu octets; expected %zu",
			  g->name, public_len, g->public_len);
		return TS_E_INVALID;
	}

	rc = dh_nonce_import_peer(g, public_value, &peer);
	if (rc != TS_OK) {
		if (rc == TS_E_INVALID)
			log_error(LOG_SUBSYS_PTS, "peer %s public value is invalid", g->name);
		goto out;
	}

	rc = TS_E_CRYPTO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	/* MODP: keep leading zero octets so the secret has the prime length. */
	if (!g->is_ec && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out;
	/* The peer was checked on import, so OpenSSL need not check it again. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0 ||
	    EVP_PKEY_derive(ctx, dh->shared, &shared_len) <= 0)
		goto out;
	if (shared_len != g->shared_len) {
		log_error(LOG_SUBSYS_PTS, "%s shared secret has %zu octets; expected %zu",
			  g->name, shared_len, g->shared_len);
		goto out;
	}

	memcpy(dh->peer_nonce, nonce, nonce_len);
	dh->have_peer = true;
	rc = TS_OK;
out:
	if (rc == TS_E_CRYPTO)
		log_error(LOG_SUBSYS_PTS, "%s key agreement failed", g->name);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}

int dh_nonce_compute_secret(const dh_nonce_t *dh, dh_nonce_role role, uint16_t hash_algo,
			    uint8_t *out, size_t out_size, size_t *out_len)
{
	const uint8_t *initiator, *responder;

	if (!dh->have_peer)
		return TS_E_STATE;
	initiator = role == DH_NONCE_INITIATOR ? dh->nonce : dh->peer_nonce;
	responder = role == DH_NONCE_INITIATOR ? dh->peer_nonce : dh->nonce;
	return dh_nonce_derive_secret(hash_algo, initiator, dh->nonce_len, responder, dh->nonce_len,
				      dh->shared, dh->group->shared_len, out, out_size, out_len);
}

int dh_nonce_derive_secret(uint16_t hash_algo,
			   const uint8_t *initiator_nonce, size_t initiator_nonce_len,
			   const uint8_t *responder_nonce, size_t responder_nonce_len,
			   const uint8_t *shared_secret, size_t shared_secret_len,
			   uint8_t *out, size_t out_size, size_t *out_len)
{
	static const uint8_t label = 0x31;  /* the ASCII character '1' */
	const EVP_MD *md = meas_algo_evp_md(hash_algo);
	size_t digest_len = meas_algo_digest_len(hash_algo);
	unsigned int written = 0;
	EVP_MD_CTX *ctx = NULL;
	int rc = TS_E_CRYPTO;

	if (!md) {
		log_error(LOG_SUBSYS_PTS, "DH nonce hash algorithm 0x%04x is not supported", hash_algo);
		return TS_E_UNSUPPORTED;
	}
	if (out_size < digest_len)
		return TS_E_TOO_LARGE;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return TS_E_NOMEM;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, &label, 1) != 1 ||
	    EVP_DigestUpdate(ctx, initiator_nonce, initiator_nonce_len) != 1 ||
	    EVP_DigestUpdate(ctx, responder_nonce, responder_nonce_len) != 1 ||
	    EVP_DigestUpdate(ctx, shared_secret, shared_secret_len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &written) != 1)
		goto out;
	*out_len = written;
	rc = TS_OK;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}
