#include <stdlib.h>
#include <string.h>

#include "imcatt_conf.h"
#include "log.h"
#include "tpm/tpm.h"

static const char *const known_keys[] = {
	"tcti", "ak_handle", "ak_fapi_path", "ak_cert", "eventlog", "ima", "sha1", "root", "nonce_len", "debug", NULL,
};

static int dup_str(const char *value, char **out)
{
	*out = NULL;
	if (!value || !*value)
		return TS_OK;
	*out = strdup(value);
	return *out ? TS_OK : TS_E_NOMEM;
}

int imcatt_conf_load(const conf_t *conf, imcatt_conf *out)
{
	imcatt_conf c = { .debug = -1 };
	conf_t *empty = NULL;
	long long value;
	int rc;

	if (!conf) {
		empty = conf_new_empty();
		if (!empty)
			return TS_E_NOMEM;
		conf = empty;
	}
	conf_warn_unknown(conf, IMCATT_CONF_SECTION, known_keys);

	rc = dup_str(conf_get_str(conf, IMCATT_CONF_SECTION, "tcti", NULL), &c.tcti);
	if (rc != TS_OK)
		goto out;

	rc = conf_get_int(conf, IMCATT_CONF_SECTION, "ak_handle", TPM_DEFAULT_AK_HANDLE, 0x81000000LL,
			  0x81FFFFFFLL, &value);
	if (rc != TS_OK)
		goto out;
	c.ak_handle = (uint32_t)value;

	/* An AK made by FAPI: the key path wins over ak_handle. */
	rc = dup_str(conf_get_str(conf, IMCATT_CONF_SECTION, "ak_fapi_path", NULL), &c.ak_fapi_path);
	if (rc != TS_OK)
		goto out;
	if (c.ak_fapi_path)
		c.ak_handle = TPM_AK_FAPI;

	rc = conf_get_path(conf, IMCATT_CONF_SECTION, "ak_cert", NULL, &c.ak_cert);
	if (rc != TS_OK)
		goto out;
	rc = conf_get_path(conf, IMCATT_CONF_SECTION, "eventlog", IMCATT_CONF_DEFAULT_EVENTLOG, &c.eventlog);
	if (rc != TS_OK)
		goto out;
	rc = conf_get_path(conf, IMCATT_CONF_SECTION, "ima", IMCATT_CONF_DEFAULT_IMA, &c.ima);
	if (rc != TS_OK)
		goto out;
	rc = conf_get_path(conf, IMCATT_CONF_SECTION, "root", "/", &c.root);
	if (rc != TS_OK)
		goto out;
	/* Drop trailing slashes so "root + /path" has one separator; "/" becomes "". */
	for (size_t n = strlen(c.root); n > 0 && c.root[n - 1] == '/'; n--)
		c.root[n - 1] = '\0';

	rc = conf_get_bool(conf, IMCATT_CONF_SECTION, "sha1", false, &c.sha1);
	if (rc != TS_OK)
		goto out;
	rc = conf_get_int(conf, IMCATT_CONF_SECTION, "nonce_len", IMCATT_CONF_DEFAULT_NONCE_LEN, 17, 255, &value);
	if (rc != TS_OK)
		goto out;
	c.nonce_len = (unsigned)value;
	if (conf_get_str(conf, IMCATT_CONF_SECTION, "debug", NULL)) {
		rc = conf_get_int(conf, IMCATT_CONF_SECTION, "debug", 1, 0, 4, &value);
		if (rc != TS_OK)
			goto out;
		c.debug = (int)value;
	}

	*out = c;
	memset(&c, 0, sizeof(c));
	rc = TS_OK;
out:
	imcatt_conf_free(&c);
	conf_free(empty);
	return rc;
}

void imcatt_conf_free(imcatt_conf *c)
{
	if (!c)
		return;
	free(c->tcti);
	free(c->ak_cert);
	free(c->ak_fapi_path);
	free(c->ak_blob);
	free(c->eventlog);
	free(c->ima);
	free(c->root);
	memset(c, 0, sizeof(*c));
}
