/*
 * Trust in the attestation key (AK) an endpoint presents.
 *
 * The AK keyid (SHA-1 over the DER SubjectPublicKeyInfo, lowercase hex)
 * must equal the device ID the OS IMC sent, so the registered measurements
 * and devices.trusted belong to this key. The key is then trusted when the
 * device row has trusted = 1 (the flag strongTNC sets), or when the AIK
 * came as an X.509 certificate that chains to a CA certificate in ca_dir.
 * Unlike strongSwan 6.0.6, a naked public key that is not trusted stops the
 * attestation.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "attest/tpm2_ak.h"
#include "imvatt.h"
#include "log.h"

/* CA certificates read from ca_dir at most. */
#define IMVATT_MAX_CA_FILES 256

/* Adds every PEM or DER certificate file of dir to store; returns how many were added. */
static size_t load_ca_dir(X509_STORE *store, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t added = 0, seen = 0;

	if (!d) {
		log_error(LOG_SUBSYS_IMV, "%s: cannot open ca_dir %s", IMVATT_NAME, dir);
		return 0;
	}
	while ((e = readdir(d)) != NULL && seen < IMVATT_MAX_CA_FILES) {
		char path[4096];
		X509 *cert = NULL;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		seen++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		cert = PEM_read_X509(f, NULL, NULL, NULL);
		if (!cert) {
			rewind(f);
			cert = d2i_X509_fp(f, NULL);
		}
		fclose(f);
		if (cert && X509_STORE_add_cert(store, cert) == 1)
			added++;
		X509_free(cert);
	}
	closedir(d);
	return added;
}

/* Whether cert chains to a CA of ca_dir; problem gets the reason when not. */
static bool chains_to_ca(const char *ca_dir, X509 *cert, char *problem, size_t size)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = false;

	if (!store || !ctx) {
		snprintf(problem, size, "out of memory while checking the AIK certificate");
		goto out;
	}
	if (!ca_dir || load_ca_dir(store, ca_dir) == 0) {
		snprintf(problem, size, "no CA certificate in ca_dir %s to check the AIK certificate",
			 ca_dir ? ca_dir : "(not set)");
		goto out;
	}
	if (X509_STORE_CTX_init(ctx, store, cert, NULL) != 1)
		goto out;
	if (X509_verify_cert(ctx) == 1) {
		ok = true;
		goto out;
	}
	snprintf(problem, size, "the AIK certificate does not chain to a CA in %s: %s", ca_dir,
		 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

int imvatt_ak_check(imvatt_state *s, bool naked, const uint8_t *blob, size_t len)
{
	uint8_t keyid[TPM2_AK_KEYID_LEN];
	uint8_t *spki = NULL;
	X509 *cert = NULL;
	bool cert_ok = false;
	char cert_problem[IMVATT_TEXT_MAX] = "";
	int spki_len, rc;

	s->ak_trusted = false;
	if (naked) {
		rc = tpm2_ak_from_spki_der(blob, len, &s->ak);
		if (rc == TS_OK)
			rc = tpm2_ak_keyid_spki(blob, len, keyid);
	} else {
		const unsigned char *p = blob;

		cert = d2i_X509(NULL, &p, (long)len);
		rc = (cert && p == blob + len) ? TS_OK : TS_E_INVALID;
		if (rc == TS_OK) {
			s->ak = X509_get_pubkey(cert);
			spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
			rc = (s->ak && spki_len > 0) ? tpm2_ak_keyid_spki(spki, (size_t)spki_len, keyid) : TS_E_INVALID;
		}
	}
	if (rc != TS_OK) {
		snprintf(s->ak_problem, sizeof(s->ak_problem), "the Attestation Identity Key is invalid: %s",
			 ts_strerror(rc));
		goto out;
	}
	tpm2_ak_keyid_hex(keyid, s->ak_keyid);

	if (!s->device_id || strcmp(s->device_id, s->ak_keyid) != 0) {
		snprintf(s->ak_problem, sizeof(s->ak_problem),
			 "the AK keyid %s differs from the device ID %s: the key does not belong to this device",
			 s->ak_keyid, s->device_id ? s->device_id : "(none)");
		goto out;
	}
	if (cert)
		cert_ok = chains_to_ca(s->mod->conf.ca_dir, cert, cert_problem, sizeof(cert_problem));
	if (s->session.device_trusted || cert_ok) {
		s->ak_trusted = true;
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, s->conn, "%s: AK %s trusted (%s)", IMVATT_NAME, s->ak_keyid,
			 cert_ok ? "certificate chain" : "devices.trusted");
		goto out;
	}
	if (cert)
		snprintf(s->ak_problem, sizeof(s->ak_problem),
			 "the AK %s is not trusted: %s, and the device is not marked trusted (tnc-db device-trust %s)",
			 s->ak_keyid, cert_problem, s->ak_keyid);
	else
		snprintf(s->ak_problem, sizeof(s->ak_problem),
			 "the AK %s is not trusted: mark the device trusted (tnc-db device-trust %s) or send an AIK certificate from a CA in ca_dir",
			 s->ak_keyid, s->ak_keyid);
out:
	if (!s->ak_trusted)
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, s->conn, "%s: %s", IMVATT_NAME, s->ak_problem);
	OPENSSL_free(spki);
	X509_free(cert);
	return TS_OK;
}
