#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imc_os_attrs.h"
#include "log.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "pa/ietf_installed_packages.h"
#include "pa/ietf_numeric_version.h"
#include "pa/ietf_op_status.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_string_version.h"
#include "pts/ita_attr.h"

void imc_os_facts_collect(const imc_os_config *conf, const char *device_id, time_t now,
			  imc_os_facts *out)
{
	imc_os_facts f;

	memset(&f, 0, sizeof(f));
	f.have_product = imc_os_read_product(conf->root, &f.product) == TS_OK;
	f.have_boot_time = imc_os_read_boot_time(conf->root, now, &f.boot_time) == TS_OK;
	f.have_forwarding = imc_os_read_forwarding(conf->root, &f.forwarding) == TS_OK;
	f.factory_default_password = conf->factory_default_password;
	if (device_id) {
		snprintf(f.device_id, sizeof(f.device_id), "%s", device_id);
		f.have_device_id = true;
	}
	*out = f;
}

/* Finishes the attribute that begin opened, after its encoder returned rc. */
static int end_attr(pa_msg_builder *b, int rc)
{
	if (rc != TS_OK) {
		pa_msg_builder_attr_cancel(b);
		return rc;
	}
	return pa_msg_builder_attr_end(b);
}

int imc_os_add_product_info(pa_msg_builder *b, const imc_os_product *p)
{
	ietf_product_info info = {
		.vendor = p->vendor,
		.product_id = 0,
		.name = (const uint8_t *)p->name,
		.name_len = strlen(p->name),
	};
	writer_t *w;
	int rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION, &w);

	return rc == TS_OK ? end_attr(b, ietf_product_info_encode(&info, w)) : rc;
}

int imc_os_add_string_version(pa_msg_builder *b, const imc_os_product *p)
{
	char version[IETF_STRING_VERSION_MAX_STRING + 1];
	ietf_string_version sv = { 0 };
	writer_t *w;
	int rc;

	/* Like strongSwan: release and architecture in Product Version Number, the rest empty. */
	imc_os_version_string(p, version, sizeof(version));
	sv.version = (const uint8_t *)version;
	sv.version_len = strlen(version);
	rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_STRING_VERSION, &w);
	return rc == TS_OK ? end_attr(b, ietf_string_version_encode(&sv, w)) : rc;
}

int imc_os_add_numeric_version(pa_msg_builder *b, const imc_os_product *p)
{
	ietf_numeric_version nv = {
		.major = p->major,
		.minor = p->minor,
		.build = p->build,
	};
	writer_t *w;
	int rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_NUMERIC_VERSION, &w);

	return rc == TS_OK ? end_attr(b, ietf_numeric_version_encode(&nv, w)) : rc;
}

int imc_os_add_op_status(pa_msg_builder *b, time_t boot_time)
{
	ietf_op_status st = {
		.status = IETF_OP_STATUS_OPERATIONAL,
		.result = IETF_OP_RESULT_SUCCESS,
	};
	writer_t *w;
	int rc;

	rc = ietf_op_status_format_time(boot_time, st.last_use);
	if (rc != TS_OK)
		return rc;
	rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_OPERATIONAL_STATUS, &w);
	return rc == TS_OK ? end_attr(b, ietf_op_status_encode(&st, w)) : rc;
}

int imc_os_add_forwarding(pa_msg_builder *b, uint32_t status)
{
	writer_t *w;
	int rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_FORWARDING_ENABLED, &w);

	return rc == TS_OK ? end_attr(b, ietf_forwarding_enabled_encode(status, w)) : rc;
}

int imc_os_add_factory_pwd(pa_msg_builder *b, bool enabled)
{
	writer_t *w;
	int rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED, &w);

	return rc == TS_OK ? end_attr(b, ietf_factory_default_pwd_encode(
					   enabled ? IETF_FACTORY_DEFAULT_PWD_ENABLED
						   : IETF_FACTORY_DEFAULT_PWD_DISABLED, w))
			   : rc;
}

int imc_os_add_device_id(pa_msg_builder *b, const char *id)
{
	pts_bytes value = { .data = (const uint8_t *)id, .len = strlen(id) };
	writer_t *w;
	int rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID, &w);

	return rc == TS_OK ? end_attr(b, ita_attr_device_id_encode(&value, w)) : rc;
}

int imc_os_add_attr(pa_msg_builder *b, const imc_os_facts *facts, uint32_t vendor, uint32_t type)
{
	if (vendor == PA_VENDOR_ITA && type == ITA_ATTR_DEVICE_ID)
		return facts->have_device_id ? imc_os_add_device_id(b, facts->device_id) : TS_E_NOT_FOUND;
	if (vendor != PA_VENDOR_IETF)
		return TS_E_UNSUPPORTED;

	switch (type) {
	case IETF_ATTR_PRODUCT_INFORMATION:
		return facts->have_product ? imc_os_add_product_info(b, &facts->product) : TS_E_NOT_FOUND;
	case IETF_ATTR_STRING_VERSION:
		return facts->have_product ? imc_os_add_string_version(b, &facts->product) : TS_E_NOT_FOUND;
	case IETF_ATTR_NUMERIC_VERSION:
		return facts->have_product ? imc_os_add_numeric_version(b, &facts->product) : TS_E_NOT_FOUND;
	case IETF_ATTR_OPERATIONAL_STATUS:
		return facts->have_boot_time ? imc_os_add_op_status(b, facts->boot_time) : TS_E_NOT_FOUND;
	case IETF_ATTR_FORWARDING_ENABLED:
		return facts->have_forwarding ? imc_os_add_forwarding(b, facts->forwarding) : TS_E_NOT_FOUND;
	case IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED:
		return imc_os_add_factory_pwd(b, facts->factory_default_password);
	default:
		return TS_E_UNSUPPORTED;
	}
}

/* The attributes of the first message, in strongSwan's order. */
static const struct {
	uint32_t vendor;
	uint32_t type;
} first_attrs[] = {
	{ PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION },
	{ PA_VENDOR_IETF, IETF_ATTR_STRING_VERSION },
	{ PA_VENDOR_IETF, IETF_ATTR_NUMERIC_VERSION },
	{ PA_VENDOR_IETF, IETF_ATTR_OPERATIONAL_STATUS },
	{ PA_VENDOR_IETF, IETF_ATTR_FORWARDING_ENABLED },
	{ PA_VENDOR_IETF, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED },
	{ PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID },
};

int imc_os_add_first_attrs(pa_msg_builder *b, const imc_os_facts *facts)
{
	for (size_t i = 0; i < sizeof(first_attrs) / sizeof(first_attrs[0]); i++) {
		int rc = imc_os_add_attr(b, facts, first_attrs[i].vendor, first_attrs[i].type);

		if (rc != TS_OK && rc != TS_E_NOT_FOUND)
			return rc;
	}
	return TS_OK;
}

int imc_os_add_packages(pa_msg_builder *b, const imc_os_packages *pkgs, size_t *pos)
{
	size_t used = pa_msg_builder_len(b), max = b->w.max, room, take = 0, start = *pos;
	ietf_package *list = NULL;
	writer_t *w;
	int rc;

	if (used + PA_ATTR_HEADER_LEN + IETF_INSTALLED_PACKAGES_FIXED_LEN > max)
		return TS_E_TOO_LARGE;
	room = max - used - PA_ATTR_HEADER_LEN - IETF_INSTALLED_PACKAGES_FIXED_LEN;

	/* Each entry takes two length octets besides its strings. */
	while (start + take < pkgs->count && take < IETF_INSTALLED_PACKAGES_MAX_COUNT) {
		const imc_os_package *p = &pkgs->list[start + take];
		size_t need = 2 + strlen(p->name) + strlen(p->version);

		if (need > room)
			break;
		room -= need;
		take++;
	}
	if (take == 0 && start < pkgs->count)
		return TS_E_TOO_LARGE;

	if (take) {
		list = calloc(take, sizeof(*list));
		if (!list)
			return TS_E_NOMEM;
	}
	for (size_t i = 0; i < take; i++) {
		const imc_os_package *p = &pkgs->list[start + i];

		list[i].name = (const uint8_t *)p->name;
		list[i].name_len = strlen(p->name);
		list[i].version = (const uint8_t *)p->version;
		list[i].version_len = strlen(p->version);
	}
	rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_INSTALLED_PACKAGES, &w);
	if (rc == TS_OK)
		rc = end_attr(b, ietf_installed_packages_encode(list, take, w));
	free(list);
	if (rc == TS_OK)
		*pos = start + take;
	return rc;
}
