/*
 * Attestation key (AK) public keys for TPM 2.0 quote verification.
 *
 * An AK arrives as a TPM2B_PUBLIC (from TPM2_ReadPublic or tpm2_createak -u),
 * as a DER SubjectPublicKeyInfo (the PTS Attestation Identity Key attribute
 * with the naked-key flag) or as PEM. Each loader returns an OpenSSL EVP_PKEY
 * that the caller frees with EVP_PKEY_free().
 *
 * The AK keyid, which strongSwan uses as device ID and config.db stores in
 * devices.value, is SHA-1 over the DER SubjectPublicKeyInfo, written as 40
 * lowercase hex digits. It is neither the TPM Name nor a hash of the
 * TPM2B_PUBLIC.
 */
#ifndef ATTEST_TPM2_AK_H
#define ATTEST_TPM2_AK_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "ts_error.h"

#define TPM2_AK_KEYID_LEN 20
#define TPM2_AK_KEYID_HEX_LEN (2 * TPM2_AK_KEYID_LEN)

/*
 * Parses a marshalled TPM2B_PUBLIC (2-byte size, then TPMT_PUBLIC) that must
 * fill `len` exactly. public_out may be NULL. On a parse error *err_offset
 * (may be NULL) receives the offset of the offending field.
 */
TS_MUST_CHECK int tpm2_ak_parse_public(const uint8_t *data, size_t len, TPM2B_PUBLIC *public_out,
				       size_t *err_offset);

/*
 * Converts an RSA or ECC (NIST P-192 to P-521) TPMT_PUBLIC into an EVP_PKEY.
 * An RSA exponent of 0 means 65537. TS_E_UNSUPPORTED for other key types
 * and curves.
 */
TS_MUST_CHECK int tpm2_ak_from_tpmt_public(const TPMT_PUBLIC *pub, EVP_PKEY **out);

/* tpm2_ak_parse_public() followed by tpm2_ak_from_tpmt_public(). */
TS_MUST_CHECK int tpm2_ak_from_tpm2b_public(const uint8_t *data, size_t len, EVP_PKEY **out);

/*
 * A DER SubjectPublicKeyInfo, with trailing bytes rejected (TS_E_TRAILING).
 * The usual AK layouts go through tpm2_ak_from_spki_fixed(), every other
 * one through OpenSSL's d2i_PUBKEY.
 */
TS_MUST_CHECK int tpm2_ak_from_spki_der(const uint8_t *der, size_t len, EVP_PKEY **out);

/*
 * Decodes the DER SubjectPublicKeyInfo of an EC P-256 or P-384 key with an
 * uncompressed point, or of an RSA 2048 key with exponent 65537, by its
 * fixed layout, and imports the key with EVP_PKEY_fromdata. Returns
 * TS_E_UNSUPPORTED for any other layout, TS_E_INVALID for a truncated input
 * or a point not on the curve, and TS_E_TRAILING for bytes after the key.
 */
TS_MUST_CHECK int tpm2_ak_from_spki_fixed(const uint8_t *der, size_t len, EVP_PKEY **out);

/* A PEM "PUBLIC KEY" block. */
TS_MUST_CHECK int tpm2_ak_from_pem(const char *pem, size_t len, EVP_PKEY **out);

/*
 * SHA-1 over the DER SubjectPublicKeyInfo that OpenSSL encodes for `key`.
 * NOTE: strongSwan 6.0.6 writes a non-zero TPM RSA exponent as 4 octets
 * without minimising it, so for such a key its keyid differs from this one.
 * The usual AK exponent field is 0 (65537), where both agree.
 */
TS_MUST_CHECK int tpm2_ak_keyid(EVP_PKEY *key, uint8_t out[TPM2_AK_KEYID_LEN]);

/*
 * SHA-1 over SubjectPublicKeyInfo bytes exactly as received. Use this for a
 * key that came from a peer, so its keyid does not depend on re-encoding.
 */
TS_MUST_CHECK int tpm2_ak_keyid_spki(const uint8_t *der, size_t len, uint8_t out[TPM2_AK_KEYID_LEN]);

/* Writes the keyid as 40 lowercase hex digits and a NUL. */
void tpm2_ak_keyid_hex(const uint8_t keyid[TPM2_AK_KEYID_LEN], char out[TPM2_AK_KEYID_HEX_LEN + 1]);

/*
 * The TPM Name of a key given as marshalled TPM2B_PUBLIC: nameAlg (2 bytes)
 * || H_nameAlg(marshalled TPMT_PUBLIC). The Name is written into
 * out[0..out_size) and *out_len receives its length.
 */
TS_MUST_CHECK int tpm2_ak_name(const uint8_t *data, size_t len, uint8_t *out, size_t out_size, size_t *out_len);

/* Byte length of one ECC coordinate of `key`, 0 if it is not an EC key. */
size_t tpm2_ak_ecc_coordinate_len(const EVP_PKEY *key);

#endif
