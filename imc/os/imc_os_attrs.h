/*
 * The PA-TNC attributes imc-os sends in IETF/Operating System messages,
 * built from the facts of imc_os_info.h and imc_os_device.h.
 *
 * The first message of a handshake carries, in this order (as strongSwan's
 * OS IMC sends them): IETF Product Information, String Version, Numeric
 * Version, Operational Status, Forwarding Enabled, Factory Default Password
 * Enabled, and ITA-HSR Device ID. Installed Packages (IETF 7) is sent only
 * on request. An attribute whose source could not be read is left out.
 */
#ifndef IMC_OS_ATTRS_H
#define IMC_OS_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "imc_os_device.h"
#include "imc_os_info.h"
#include "pa/pa_msg.h"
#include "ts_error.h"

/* The [imc-os] configuration that decides what is read and sent. */
typedef struct imc_os_config {
	char *root;                    /* root of /etc, /proc, /sys, /var; "/" by default */
	char *device_id;               /* configured device ID, or NULL */
	char *ak_public_key;           /* AK public key file, or NULL */
	uint32_t ak_handle;            /* persistent AK handle, or 0 */
	char *tcti;                    /* TCTI for ak_handle, or NULL */
	char *ak_fapi_path;            /* FAPI key path of the AK ([imc-attestation]), or NULL */
	bool ak_optional;              /* AK taken from [imc-attestation]: fall back to the machine ID */
	bool factory_default_password; /* value of Factory Default Password Enabled */
} imc_os_config;

/* What was read for one message; `have_*` false means the attribute is left out. */
typedef struct imc_os_facts {
	bool have_product;
	imc_os_product product;
	bool have_boot_time;
	time_t boot_time;
	bool have_forwarding;
	uint32_t forwarding;           /* IETF_FORWARDING_* */
	bool factory_default_password;
	bool have_device_id;
	char device_id[IMC_OS_MAX_DEVICE_ID + 1];
} imc_os_facts;

/*
 * Reads the facts below conf->root at time now. device_id is the ID picked
 * once per module (imc_os_device_id), or NULL when none could be found.
 */
void imc_os_facts_collect(const imc_os_config *conf, const char *device_id, time_t now,
			  imc_os_facts *out);

/* One builder per attribute. Each returns the pa_msg_builder_* result. */
TS_MUST_CHECK int imc_os_add_product_info(pa_msg_builder *b, const imc_os_product *p);
TS_MUST_CHECK int imc_os_add_string_version(pa_msg_builder *b, const imc_os_product *p);
TS_MUST_CHECK int imc_os_add_numeric_version(pa_msg_builder *b, const imc_os_product *p);
/* Status operational, result success, Last Use = boot_time in UTC. */
TS_MUST_CHECK int imc_os_add_op_status(pa_msg_builder *b, time_t boot_time);
TS_MUST_CHECK int imc_os_add_forwarding(pa_msg_builder *b, uint32_t status);
TS_MUST_CHECK int imc_os_add_factory_pwd(pa_msg_builder *b, bool enabled);
TS_MUST_CHECK int imc_os_add_device_id(pa_msg_builder *b, const char *id);

/*
 * Adds the attribute (vendor, type) from facts. TS_E_NOT_FOUND when its
 * source was not readable, TS_E_UNSUPPORTED for a type this function does
 * not build (Installed Packages has its own function).
 */
TS_MUST_CHECK int imc_os_add_attr(pa_msg_builder *b, const imc_os_facts *facts, uint32_t vendor,
				  uint32_t type);

/* Adds the attributes of the first message, skipping those without facts. */
TS_MUST_CHECK int imc_os_add_first_attrs(pa_msg_builder *b, const imc_os_facts *facts);

/*
 * Adds one Installed Packages attribute with as many packages from
 * pkgs->list[*pos] on as fit into b (at most 65535) and advances *pos.
 * With *pos == pkgs->count it adds an attribute with no packages.
 * TS_E_TOO_LARGE when not even one more package fits: send b, start a new
 * message and call again.
 */
TS_MUST_CHECK int imc_os_add_packages(pa_msg_builder *b, const imc_os_packages *pkgs, size_t *pos);

#endif
