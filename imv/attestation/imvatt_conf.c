/*
 * Section [imv-attestation] of tncsuite.conf; the database is [imv] database,
 * shared with imv-os.
 *
 *   hash_algorithm = sha256     strongest measurement algorithm offered
 *                               (sha1, sha256, sha384, sha512)
 *   dh_group = ecp256           strongest DH group offered (ecp384, ecp256,
 *                               modp2048, modp1536, modp1024)
 *   allow_modp1024 = no         also offer and accept MODP 1024
 *   min_nonce_len = 16          shortest IMC nonce accepted (16..255); the
 *                               IMV's own nonce takes the IMC's length, so
 *                               nonce_len is read but has no effect here
 *   ca_dir = PATH               CA certificates (PEM or DER) for AIK certificates
 *   untrusted_ak = no-access    recommendation for an untrusted AK (isolate, no-access)
 *   fail_closed = no-access     recommendation for database errors, missing
 *                               results and incomplete evidence
 *   max_measurements = 65536    Simple Component Evidence accepted per connection
 *   busy_timeout = 5000         milliseconds to wait for a locked config.db
 *   debug = N                   log level of [IMV] and [PTS] lines (0..4)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/meas_algo.h"
#include "imvatt.h"
#include "log.h"

#define IMVATT_DEFAULT_DB_PATH LOCALSTATEDIR "/lib/tncsuite/config.db"

static const char *const known_keys[] = {
	"hash_algorithm", "dh_group", "allow_modp1024", "nonce_len", "min_nonce_len", "ca_dir",
	"untrusted_ak", "fail_closed", "debug", "max_measurements", "busy_timeout", NULL,
};

/* "isolate" or "no-access" into a PM_REC_* value. */
static int parse_rec(const conf_t *conf, const char *key, const char *def, int *out)
{
	const char *v = conf_get_str(conf, IMVATT_SECTION, key, def);

	if (strcasecmp(v, "isolate") == 0) {
		*out = PM_REC_ISOLATE;
		return TS_OK;
	}
	if (strcasecmp(v, "no-access") == 0) {
		*out = PM_REC_NO_ACCESS;
		return TS_OK;
	}
	log_error(LOG_SUBSYS_CFG, "%s: [%s] %s = '%s' is invalid: use isolate or no-access",
		  conf_name(conf), IMVATT_SECTION, key, v);
	return TS_E_CONFIG;
}

/* The DH groups up to and including `strongest`, strongest first: ECP 384, ECP 256, MODP 2048, 1536, 1024. */
static int parse_dh_groups(const conf_t *conf, bool allow_modp1024, uint16_t *out)
{
	static const struct {
		const char *name;
		uint16_t set;
	} groups[] = {
		{ "ecp384", DH_NONCE_ECP384 | DH_NONCE_ECP256 | DH_NONCE_MODP2048 | DH_NONCE_MODP1536 | DH_NONCE_MODP1024 },
		{ "ecp256", DH_NONCE_ECP256 | DH_NONCE_MODP2048 | DH_NONCE_MODP1536 | DH_NONCE_MODP1024 },
		{ "modp2048", DH_NONCE_MODP2048 | DH_NONCE_MODP1536 | DH_NONCE_MODP1024 },
		{ "modp1536", DH_NONCE_MODP1536 | DH_NONCE_MODP1024 },
		{ "modp1024", DH_NONCE_MODP1024 },
	};
	const char *v = conf_get_str(conf, IMVATT_SECTION, "dh_group", "ecp256");

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcasecmp(v, groups[i].name) != 0)
			continue;
		*out = groups[i].set;
		if (!allow_modp1024)
			*out &= (uint16_t)~DH_NONCE_MODP1024;
		if (*out == 0) {
			log_error(LOG_SUBSYS_CFG, "%s: [%s] dh_group = modp1024 needs allow_modp1024 = yes",
				  conf_name(conf), IMVATT_SECTION);
			return TS_E_CONFIG;
		}
		return TS_OK;
	}
	log_error(LOG_SUBSYS_CFG, "%s: [%s] dh_group = '%s' is invalid: use ecp384, ecp256, modp2048, modp1536 or modp1024",
		  conf_name(conf), IMVATT_SECTION, v);
	return TS_E_CONFIG;
}

int imvatt_conf_load(const conf_t *conf, imvatt_conf *out)
{
	imvatt_conf c = { 0 };
	const char *algo = conf_get_str(conf, IMVATT_SECTION, "hash_algorithm", "sha256");
	uint16_t strongest = 0;
	long long v = 0;
	bool b = false;
	int rc;

	conf_warn_unknown(conf, IMVATT_SECTION, known_keys);
	rc = meas_algo_from_name(algo, &strongest);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_CFG, "%s: [%s] hash_algorithm = '%s' is invalid: use sha1, sha256, sha384 or sha512",
			  conf_name(conf), IMVATT_SECTION, algo);
		rc = TS_E_CONFIG;
		goto out;
	}
	c.meas_algos = meas_algo_set_up_to(strongest);

	rc = dh_nonce_config_load(conf, IMVATT_SECTION, &c.dh);
	if (rc == TS_OK)
		rc = conf_get_bool(conf, IMVATT_SECTION, "allow_modp1024", false, &b);
	if (rc != TS_OK)
		goto out;
	c.dh.allow_modp1024 = b;
	rc = parse_dh_groups(conf, b, &c.dh_groups);
	if (rc == TS_OK)
		rc = parse_rec(conf, "untrusted_ak", "no-access", &c.untrusted_ak_rec);
	if (rc == TS_OK)
		rc = parse_rec(conf, "fail_closed", "no-access", &c.fail_closed_rec);
	if (rc == TS_OK)
		rc = conf_get_int(conf, IMVATT_SECTION, "max_measurements", IMVATT_DEFAULT_MAX_MEASUREMENTS,
				  1, 16 * 1024 * 1024, &v);
	if (rc != TS_OK)
		goto out;
	c.max_measurements = (size_t)v;
	rc = conf_get_int(conf, IMVATT_SECTION, "busy_timeout", DB_BUSY_TIMEOUT_MS_DEFAULT, 1, 600000, &v);
	if (rc != TS_OK)
		goto out;
	c.busy_timeout_ms = (int)v;
	rc = conf_get_int(conf, IMVATT_SECTION, "debug", -1, -1, LOG_LEVEL_DUMP, &v);
	if (rc != TS_OK)
		goto out;
	if (v >= 0) {
		log_set_level(LOG_SUBSYS_IMV, (int)v);
		log_set_level(LOG_SUBSYS_PTS, (int)v);
	}
	rc = conf_get_path(conf, IMVATT_SECTION, "ca_dir", NULL, &c.ca_dir);
	if (rc == TS_OK)
		rc = conf_get_path(conf, "imv", "database", IMVATT_DEFAULT_DB_PATH, &c.db_path);
	if (rc != TS_OK)
		goto out;
	*out = c;
	return TS_OK;
out:
	imvatt_conf_free(&c);
	return rc == TS_E_NOMEM ? rc : TS_E_CONFIG;
}

void imvatt_conf_free(imvatt_conf *c)
{
	free(c->db_path);
	free(c->ca_dir);
	c->db_path = NULL;
	c->ca_dir = NULL;
}

int imvatt_conf_read(imvatt_conf *out)
{
	const char *path = conf_default_path();
	conf_t *conf = NULL;
	int rc;

	rc = conf_load(path, &conf);
	if (rc == TS_E_NOT_FOUND) {
		log_info(LOG_SUBSYS_CFG, "%s not found: [%s] uses its defaults", path, IMVATT_SECTION);
		conf = conf_new_empty();
		rc = conf ? TS_OK : TS_E_NOMEM;
	}
	if (rc != TS_OK)
		return rc;
	rc = imvatt_conf_load(conf, out);
	conf_free(conf);
	return rc;
}
