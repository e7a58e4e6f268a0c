/*
 * tnc-provision: creates the attestation key (AK) of imc-attestation.so at
 * its persistent handle and prints its keyid and PEM public key.
 *
 * The TCTI and the handle come from the [imc-attestation] section of the
 * configuration unless given on the command line. Exit status: 0 done,
 * 1 failure (no TPM, a key exists already, TPM error), 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "attest/tpm2_ak.h"
#include "conf.h"
#include "imcatt_conf.h"
#include "log.h"
#include "tnc_provision.h"
#include "tpm/tpm.h"

enum { EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tnc-provision [OPTIONS]\n"
		"Creates the attestation key of imc-attestation.so and prints its keyid and public key.\n\n"
		"  -c, --config FILE   configuration file (default $TNCSUITE_CONF or %s)\n"
		"  -T, --tcti TCTI     TPM access, e.g. device:/dev/tpmrm0 or swtpm:path=/run/tpm.sock\n"
		"  -H, --handle HANDLE persistent handle of the AK (default from [imc-attestation] ak_handle,\n"
		"                      else 0x%08x)\n"
		"  -t, --type TYPE     key type: ecc (NIST P-256, ECDSA SHA-256, the default) or rsa (2048 bits,\n"
		"                      RSASSA SHA-256)\n"
		"  -f, --force         replace a key that exists at the handle\n"
		"  -s, --show          print the keyid and public key of the existing AK, create nothing\n"
		"  -d, --debug LEVEL   log level 0..4 of the TPM lines\n"
		"  -h, --help          show this text\n",
		conf_default_path(), TPM_DEFAULT_AK_HANDLE);
}

/* Prints keyid and PEM public key of a marshalled TPM2B_PUBLIC. */
static int print_key(const uint8_t *pub, size_t pub_len)
{
	uint8_t keyid[TPM2_AK_KEYID_LEN];
	char hex[TPM2_AK_KEYID_HEX_LEN + 1];
	EVP_PKEY *key = NULL;
	int rc;

	rc = tpm2_ak_from_tpm2b_public(pub, pub_len, &key);
	if (rc == TS_OK)
		rc = tpm2_ak_keyid(key, keyid);
	if (rc != TS_OK) {
		EVP_PKEY_free(key);
		return rc;
	}
	tpm2_ak_keyid_hex(keyid, hex);
	printf("keyid: %s\n", hex);
	if (PEM_write_PUBKEY(stdout, key) != 1)
		rc = TS_E_CRYPTO;
	EVP_PKEY_free(key);
	return rc;
}

int tnc_provision_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' }, { "tcti", required_argument, NULL, 'T' },
		{ "handle", required_argument, NULL, 'H' }, { "type", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },        { "debug", required_argument, NULL, 'd' },
		{ "show", no_argument, NULL, 's' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *tcti = NULL, *handle_arg = NULL;
	tpm_ak_type type = TPM_AK_ECC_P256;
	bool force = false, show = false, debug = false;
	imcatt_conf ic = { 0 };
	conf_t *conf = NULL;
	tpm_t *tpm = NULL;
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	uint32_t handle;
	int opt, rc, status = EXIT_FAILURE;

	log_set_program("tnc-provision");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:T:H:t:fsd:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'T':
			tcti = optarg;
			break;
		case 'H':
			handle_arg = optarg;
			break;
		case 't':
			if (strcmp(optarg, "ecc") == 0) {
				type = TPM_AK_ECC_P256;
			} else if (strcmp(optarg, "rsa") == 0) {
				type = TPM_AK_RSA_2048;
			} else {
				fprintf(stderr, "tnc-provision: invalid key type '%s'; use ecc or rsa\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			force = true;
			break;
		case 's':
			show = true;
			break;
		case 'd':
			debug = true;
			if (log_parse_levels(optarg) != 0) {
				fprintf(stderr, "tnc-provision: invalid log level '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	/* Configuration: a missing default file is fine, a missing --config file is not. */
	rc = conf_load(config ? config : conf_default_path(), &conf);
	if (rc == TS_E_NOT_FOUND && !config)
		rc = TS_OK;
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-provision: cannot load the configuration %s: %s\n",
			config ? config : conf_default_path(), ts_strerror(rc));
		goto out;
	}
	if (imcatt_conf_load(conf, &ic) != TS_OK)
		goto out;
	handle = ic.ak_handle;
	if (handle_arg) {
		char *end = NULL;
		unsigned long v = strtoul(handle_arg, &end, 0);

		if (!end || *end || (v >> 24) != 0x81) {
			fprintf(stderr, "tnc-provision: invalid handle '%s'; a persistent handle is 0x81xxxxxx\n",
				handle_arg);
			status = EXIT_USAGE;
			goto out;
		}
		handle = (uint32_t)v;
	}
	if (!tcti)
		tcti = ic.tcti;

	/* tpm2-tss logs every failed lookup itself; its lines only help when debugging. */
	if (!debug && !getenv("TSS2_LOG"))
		setenv("TSS2_LOG", "all+none", 0);

	if (tpm_open(tcti, &tpm) != TS_OK) {
		fprintf(stderr, "tnc-provision: no TPM reachable through '%s'\n", tcti ? tcti : "device discovery");
		goto out;
	}
	if (show) {
		rc = tpm_read_public(tpm, handle, &pub, &pub_len);
		if (rc != TS_OK) {
			fprintf(stderr, "tnc-provision: no AK at handle 0x%08x: %s\n", handle, ts_strerror(rc));
			goto out;
		}
	} else {
		rc = tpm_provision_ak(tpm, handle, type, force, &pub, &pub_len);
	}
	if (rc == TS_E_INVALID && !force) {
		fprintf(stderr, "tnc-provision: a key exists at handle 0x%08x; --show prints it, "
			"--force replaces it\n", handle);
		goto out;
	}
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-provision: creating the AK at 0x%08x failed: %s\n", handle, ts_strerror(rc));
		goto out;
	}
	printf("handle: 0x%08x\n", handle);
	if (print_key(pub, pub_len) != TS_OK) {
		fprintf(stderr, "tnc-provision: cannot convert the new AK public key\n");
		goto out;
	}
	status = EXIT_SUCCESS;
out:
	free(pub);
	tpm_close(tpm);
	imcatt_conf_free(&ic);
	conf_free(conf);
	return status;
}
