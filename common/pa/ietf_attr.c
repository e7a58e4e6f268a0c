#include <stdint.h>

#include "ietf_assessment_result.h"
#include "ietf_attr.h"
#include "ietf_attr_request.h"
#include "ietf_factory_default_pwd.h"
#include "ietf_forwarding_enabled.h"
#include "ietf_installed_packages.h"
#include "ietf_numeric_version.h"
#include "ietf_op_status.h"
#include "ietf_pa_tnc_error.h"
#include "ietf_port_filter.h"
#include "ietf_product_info.h"
#include "ietf_remediation.h"
#include "ietf_string_version.h"
#include "pa_msg.h"

/*
 * Value length ranges from RFC 5792 section 4.2 (attribute Length minus the
 * 12-octet header). UINT32_MAX means no upper bound besides the message.
 */
const pa_attr_info ietf_attr_infos[] = {
	{ PA_VENDOR_IETF, IETF_ATTR_ATTRIBUTE_REQUEST, "Attribute Request",
	  IETF_ATTR_REQUEST_ENTRY_LEN, UINT32_MAX, ietf_attr_request_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION, "Product Information",
	  IETF_PRODUCT_INFO_FIXED_LEN, UINT32_MAX, ietf_product_info_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_NUMERIC_VERSION, "Numeric Version",
	  IETF_NUMERIC_VERSION_LEN, IETF_NUMERIC_VERSION_LEN, ietf_numeric_version_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_STRING_VERSION, "String Version",
	  IETF_STRING_VERSION_MIN_LEN, IETF_STRING_VERSION_MIN_LEN + 3 * IETF_STRING_VERSION_MAX_STRING,
	  ietf_string_version_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_OPERATIONAL_STATUS, "Operational Status",
	  IETF_OP_STATUS_LEN, IETF_OP_STATUS_LEN, ietf_op_status_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_PORT_FILTER, "Port Filter",
	  IETF_PORT_FILTER_ENTRY_LEN, UINT32_MAX, ietf_port_filter_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_INSTALLED_PACKAGES, "Installed Packages",
	  IETF_INSTALLED_PACKAGES_FIXED_LEN, UINT32_MAX, ietf_installed_packages_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_PA_TNC_ERROR, "PA-TNC Error",
	  IETF_PA_TNC_ERROR_FIXED_LEN, UINT32_MAX, ietf_pa_tnc_error_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_ASSESSMENT_RESULT, "Assessment Result",
	  IETF_ASSESSMENT_RESULT_LEN, IETF_ASSESSMENT_RESULT_LEN, ietf_assessment_result_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_REMEDIATION_INSTRUCTIONS, "Remediation Instructions",
	  IETF_REMEDIATION_FIXED_LEN, UINT32_MAX, ietf_remediation_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_FORWARDING_ENABLED, "Forwarding Enabled",
	  IETF_FORWARDING_ENABLED_LEN, IETF_FORWARDING_ENABLED_LEN, ietf_forwarding_enabled_validate },
	{ PA_VENDOR_IETF, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED, "Factory Default Password Enabled",
	  IETF_FACTORY_DEFAULT_PWD_LEN, IETF_FACTORY_DEFAULT_PWD_LEN, ietf_factory_default_pwd_validate },
};

const size_t ietf_attr_info_count = sizeof(ietf_attr_infos) / sizeof(ietf_attr_infos[0]);

/* Names from the IANA "PA-TNC Attribute Types" registry, types 0-21. */
static const char *const ietf_attr_names[] = {
	[IETF_ATTR_TESTING] = "Testing",
	[IETF_ATTR_ATTRIBUTE_REQUEST] = "Attribute Request",
	[IETF_ATTR_PRODUCT_INFORMATION] = "Product Information",
	[IETF_ATTR_NUMERIC_VERSION] = "Numeric Version",
	[IETF_ATTR_STRING_VERSION] = "String Version",
	[IETF_ATTR_OPERATIONAL_STATUS] = "Operational Status",
	[IETF_ATTR_PORT_FILTER] = "Port Filter",
	[IETF_ATTR_INSTALLED_PACKAGES] = "Installed Packages",
	[IETF_ATTR_PA_TNC_ERROR] = "PA-TNC Error",
	[IETF_ATTR_ASSESSMENT_RESULT] = "Assessment Result",
	[IETF_ATTR_REMEDIATION_INSTRUCTIONS] = "Remediation Instructions",
	[IETF_ATTR_FORWARDING_ENABLED] = "Forwarding Enabled",
	[IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED] = "Factory Default Password Enabled",
	[IETF_ATTR_SWIMA_REQUEST] = "SWIMA Request",
	[IETF_ATTR_SW_IDENTIFIER_INVENTORY] = "Software Identifier Inventory",
	[IETF_ATTR_SW_IDENTIFIER_EVENTS] = "Software Identifier Events",
	[IETF_ATTR_SW_INVENTORY] = "Software Inventory",
	[IETF_ATTR_SW_EVENTS] = "Software Events",
	[IETF_ATTR_SUBSCRIPTION_STATUS_REQUEST] = "Subscription Status Request",
	[IETF_ATTR_SUBSCRIPTION_STATUS_RESPONSE] = "Subscription Status Response",
	[IETF_ATTR_SOURCE_METADATA_REQUEST] = "Source Metadata Request",
	[IETF_ATTR_SOURCE_METADATA_RESPONSE] = "Source Metadata Response",
};

const char *ietf_attr_name(uint32_t type)
{
	if (type >= sizeof(ietf_attr_names) / sizeof(ietf_attr_names[0]))
		return NULL;
	return ietf_attr_names[type];
}
