/*
 * libFuzzer harness for the TPM 2.0 quote, quote info, AK, AK
 * SubjectPublicKeyInfo and DH peer-value parsers; the first byte picks the
 * parser.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <openssl/x509.h>
#include "log.h"
#include "attest/tpm2_quote.h"
#include "attest/tpm2_quote_info.h"
#include "attest/tpm2_ak.h"
#include "attest/dh_nonce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
	TPM2B_PUBLIC pub;
	size_t off;
	uint8_t name[80];
	size_t name_len;
	EVP_PKEY *key = NULL;
	tpm2_quote_info info;
	reader_t r;

	if (!init) { log_set_level_all(0); init = 1; }
	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0:
		if (tpm2_quote_parse(data + 1, size - 1, &attest, &off) == TS_OK) {
			memset(&sig, 0, sizeof(sig));
			sig.sigAlg = TPM2_ALG_ECDSA;
			sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
			(void)tpm2_quote_info_from_quote(&attest, &sig, NULL, &info, (uint16_t[]){0});
		}
		break;
	case 1:
		if (tpm2_quote_parse_signature(data + 1, size - 1, &sig, &off) == TS_OK && size > 2) {
			EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
			(void)tpm2_quote_verify_signature(k, &sig, data, size);
			EVP_PKEY_free(k);
		}
		break;
	case 2:
		(void)tpm2_ak_parse_public(data + 1, size - 1, &pub, &off);
		if (tpm2_ak_from_tpm2b_public(data + 1, size - 1, &key) == TS_OK)
			EVP_PKEY_free(key);
		(void)tpm2_ak_name(data + 1, size - 1, name, sizeof(name), &name_len);
		break;
	case 3: {
		reader_init(&r, data + 1, size - 1);
		if (tpm2_quote_info_parse(&r, &info, &off) == TS_OK) {
			writer_t w;
			writer_init(&w, 1 << 16);
			if (tpm2_quote_info_build(&info, &w) == TS_OK) {
				size_t used = size - 1 - reader_remaining(&r);
				if (writer_len(&w) != used || memcmp(writer_data(&w), data + 1, used) != 0)
					abort();
			}
			writer_free(&w);
		}
		break;
	}
	case 4: {
		static dh_nonce_t *dh;
		dh_nonce_t *d = NULL;
		if (!dh && dh_nonce_create(DH_NONCE_ECP256, 20, &dh) != TS_OK)
			abort();
		if (size - 1 >= 84 && dh_nonce_create(DH_NONCE_ECP256, 20, &d) == TS_OK) {
			(void)dh_nonce_set_peer(d, data + 1, size - 21, data + size - 20, 20);
			dh_nonce_destroy(d);
		}
		break;
	}
	case 5: {
		/* The direct decoder must agree with OpenSSL's on every key it accepts. */
		const unsigned char *p = data + 1;
		EVP_PKEY *fixed = NULL, *general = NULL;

		if (tpm2_ak_from_spki_fixed(data + 1, size - 1, &fixed) == TS_OK) {
			general = d2i_PUBKEY(NULL, &p, (long)(size - 1));
			if (!general || p != data + size || EVP_PKEY_eq(fixed, general) != 1)
				abort();
		}
		EVP_PKEY_free(fixed);
		EVP_PKEY_free(general);
		if (tpm2_ak_from_spki_der(data + 1, size - 1, &key) == TS_OK)
			EVP_PKEY_free(key);
		break;
	}
	}
	return 0;
}
