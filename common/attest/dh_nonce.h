/*
 * PTS DH nonce exchange (TCG Attestation PTS Protocol: Binding to TNC IF-M,
 * DH Nonce Parameters Request/Response and DH Nonce Finish), as strongSwan
 * 6.0.6 implements it.
 *
 * The IMV is the initiator, the IMC the responder. Both contribute a nonce of
 * the same length N and a Diffie-Hellman public value. Both then compute
 *
 *   secret = H( 0x31 || initiator nonce || responder nonce || shared secret )
 *
 * with H the hash selected in DH Nonce Finish. The secret is the qualifying
 * data of the TPM quote, so a quote is bound to this exchange.
 *
 * DH group set (16 bits) and the public value and shared secret encodings:
 *
 *   bit     group                 public value             shared secret
 *   0x8000  MODP 1024 (IKE 2)     g^x, 128 bytes, BE       g^xy, 128 bytes
 *   0x4000  MODP 1536 (IKE 5)     192 bytes                192 bytes
 *   0x2000  MODP 2048 (IKE 14)    256 bytes                256 bytes
 *   0x1000  ECP 256 (IKE 19)      x || y, 64 bytes         x, 32 bytes
 *   0x0800  ECP 384 (IKE 20)      x || y, 96 bytes         x, 48 bytes
 *
 * MODP values are left-padded with zeros to the prime length, and EC points are
 * written without the 0x04 prefix of the SEC 1 uncompressed form.
 */
#ifndef ATTEST_DH_NONCE_H
#define ATTEST_DH_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ts_error.h"

enum {
	DH_NONCE_MODP1024 = 0x8000,
	DH_NONCE_MODP1536 = 0x4000,
	DH_NONCE_MODP2048 = 0x2000,
	DH_NONCE_ECP256 = 0x1000,
	DH_NONCE_ECP384 = 0x0800,
	DH_NONCE_ALL_GROUPS = 0xF800,
};

/*
 * Nonce length limits. The length field on the wire is one octet, so 255 is
 * the hard maximum. strongSwan 6.0.6 rejects nonces shorter than 17 octets,
 * so peers that talk to it should keep the default of 20.
 */
#define DH_NONCE_MIN_NONCE_LEN 16
#define DH_NONCE_MAX_NONCE_LEN 255
#define DH_NONCE_DEFAULT_NONCE_LEN 20

/* Largest public value and shared secret (MODP 2048). */
#define DH_NONCE_MAX_PUBLIC_LEN 256
#define DH_NONCE_MAX_SHARED_LEN 256

typedef enum dh_nonce_role {
	DH_NONCE_INITIATOR,  /* the IMV */
	DH_NONCE_RESPONDER,  /* the IMC */
} dh_nonce_role;

typedef struct dh_nonce_config {
	bool allow_modp1024;  /* offer and accept MODP 1024 */
	size_t nonce_len;     /* length of the nonces this side generates */
	size_t min_nonce_len; /* shortest peer nonce accepted (at least DH_NONCE_MIN_NONCE_LEN) */
} dh_nonce_config;

typedef struct dh_nonce dh_nonce_t;

/* The defaults: MODP 1024 allowed, nonces of 20 octets, minimum 16. */
void dh_nonce_config_init(dh_nonce_config *cfg);

/*
 * Reads `allow_modp1024` (yes/no), `nonce_len` and `min_nonce_len`
 * (16..255) from `section`, falling back to the defaults.
 */
TS_MUST_CHECK int dh_nonce_config_load(const conf_t *conf, const char *section, dh_nonce_config *out);

/* The groups this side supports under `cfg`. */
uint16_t dh_nonce_supported_groups(const dh_nonce_config *cfg);

/* "ECP 256" etc., or "unknown" for anything that is not a single known bit. */
const char *dh_nonce_group_name(uint16_t group);

/* Public value length of a group in bytes, 0 for an unknown group. */
size_t dh_nonce_public_len(uint16_t group);

/*
 * Picks the strongest group in both sets, in the order ECP 384, ECP 256,
 * MODP 2048, MODP 1536, MODP 1024. TS_E_UNSUPPORTED with *out untouched if
 * the sets share none (PTS error "DH groups not supported").
 */
TS_MUST_CHECK int dh_nonce_select_group(uint16_t offered, uint16_t supported, uint16_t *out);

/*
 * Checks a nonce length against the hard limits and the configured
 * minimum. TS_E_INVALID when it is out of range (PTS error "bad nonce
 * length").
 */
TS_MUST_CHECK int dh_nonce_check_nonce_len(const dh_nonce_config *cfg, size_t len);

/*
 * Generates a key pair in `group` and a random nonce of `nonce_len` octets
 * (DH_NONCE_MIN_NONCE_LEN..DH_NONCE_MAX_NONCE_LEN). The caller frees *out
 * with dh_nonce_destroy().
 */
TS_MUST_CHECK int dh_nonce_create(uint16_t group, size_t nonce_len, dh_nonce_t **out);

void dh_nonce_destroy(dh_nonce_t *dh);

uint16_t dh_nonce_get_group(const dh_nonce_t *dh);
/* This side's public value in the wire encoding, valid while dh lives. */
void dh_nonce_get_public(const dh_nonce_t *dh, const uint8_t **value, size_t *len);
/* This side's nonce, valid while dh lives. */
void dh_nonce_get_nonce(const dh_nonce_t *dh, const uint8_t **nonce, size_t *len);

/*
 * Takes the peer's public value and nonce, validates the public value (exact
 * length, and range for MODP, also the subgroup for MODP 1536 and 2048, or a
 * point on the curve for ECP) and
 * computes the shared secret. The peer nonce must have the length of ours.
 * TS_E_INVALID for a bad public value or nonce length, TS_E_STATE if a peer
 * was already set.
 */
TS_MUST_CHECK int dh_nonce_set_peer(dh_nonce_t *dh, const uint8_t *public_value, size_t public_len,
				    const uint8_t *nonce, size_t nonce_len);

/*
 * Computes the secret assessment value for this side in `role` with the hash
 * `hash_algo` (one MEAS_ALGO_* bit) into out[0..out_size). *out_len receives
 * the digest length. TS_E_STATE before dh_nonce_set_peer().
 */
TS_MUST_CHECK int dh_nonce_compute_secret(const dh_nonce_t *dh, dh_nonce_role role, uint16_t hash_algo,
					  uint8_t *out, size_t out_size, size_t *out_len);

/*
 * The secret formula itself, from raw inputs:
 * H(0x31 || initiator_nonce || responder_nonce || shared_secret).
 */
TS_MUST_CHECK int dh_nonce_derive_secret(uint16_t hash_algo,
					 const uint8_t *initiator_nonce, size_t initiator_nonce_len,
					 const uint8_t *responder_nonce, size_t responder_nonce_len,
					 const uint8_t *shared_secret, size_t shared_secret_len,
					 uint8_t *out, size_t out_size, size_t *out_len);

#endif
