/*
 * libFuzzer harness for PA-TNC. It parses a message and decodes every known
 * IETF attribute in it, then checks that re-encoding gives the same bytes,
 * for the attributes and for the whole message. For a rejected message it
 * builds the error reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pa/ietf_assessment_result.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_attr_request.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "pa/ietf_installed_packages.h"
#include "pa/ietf_numeric_version.h"
#include "pa/ietf_op_status.h"
#include "pa/ietf_pa_tnc_error.h"
#include "pa/ietf_port_filter.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_remediation.h"
#include "pa/ietf_string_version.h"
#include "pa/pa_msg.h"
#include "pa/pa_registry.h"
#include "writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the fuzzer when a decoded value does not encode to the same bytes. */
static void check_same(writer_t *w, int rc, const uint8_t *value, size_t len)
{
	if (rc != TS_OK || writer_len(w) != len ||
	    (len > 0 && memcmp(writer_data(w), value, len) != 0))
		abort();
	writer_free(w);
}

/*
 * Decodes one attribute value. Only canonical encodings are compared:
 * decoders accept reserved bits and reserved fields that encoders write as 0.
 */
static void decode_attr(const pa_attr *attr)
{
	const uint8_t *v = attr->value;
	size_t len = attr->value_len, bad;
	writer_t w;
	uint32_t u32;

	writer_init(&w, SIZE_MAX);
	switch (attr->type) {
	case IETF_ATTR_ATTRIBUTE_REQUEST: {
		ietf_attr_request req;

		if (ietf_attr_request_decode(v, len, &req, &bad) != TS_OK)
			abort();
		if (ietf_attr_request_encode(req.entries, req.count, &w) != TS_OK)
			abort();
		ietf_attr_request_free(&req);
		break;
	}
	case IETF_ATTR_PRODUCT_INFORMATION: {
		ietf_product_info pi;

		if (ietf_product_info_decode(v, len, &pi, &bad) != TS_OK)
			abort();
		check_same(&w, ietf_product_info_encode(&pi, &w), v, len);
		break;
	}
	case IETF_ATTR_NUMERIC_VERSION: {
		ietf_numeric_version nv;

		if (ietf_numeric_version_decode(v, len, &nv, &bad) != TS_OK)
			abort();
		check_same(&w, ietf_numeric_version_encode(&nv, &w), v, len);
		break;
	}
	case IETF_ATTR_STRING_VERSION: {
		ietf_string_version sv;

		if (ietf_string_version_decode(v, len, &sv, &bad) != TS_OK)
			abort();
		check_same(&w, ietf_string_version_encode(&sv, &w), v, len);
		break;
	}
	case IETF_ATTR_OPERATIONAL_STATUS: {
		ietf_op_status os;

		if (ietf_op_status_decode(v, len, &os, &bad) != TS_OK)
			abort();
		if (ietf_op_status_encode(&os, &w) != TS_OK)
			abort();
		break;
	}
	case IETF_ATTR_PORT_FILTER: {
		ietf_port_filter pf;

		if (ietf_port_filter_decode(v, len, &pf, &bad) != TS_OK)
			abort();
		if (ietf_port_filter_encode(pf.entries, pf.count, &w) != TS_OK)
			abort();
		ietf_port_filter_free(&pf);
		break;
	}
	case IETF_ATTR_INSTALLED_PACKAGES: {
		ietf_installed_packages ip;

		if (ietf_installed_packages_decode(v, len, &ip, &bad) != TS_OK)
			abort();
		if (ietf_installed_packages_encode(ip.packages, ip.count, &w) != TS_OK)
			abort();
		ietf_installed_packages_free(&ip);
		break;
	}
	case IETF_ATTR_PA_TNC_ERROR: {
		ietf_pa_tnc_error e;

		if (ietf_pa_tnc_error_decode(v, len, &e, &bad) != TS_OK)
			abort();
		if (ietf_pa_tnc_error_encode(&e, &w) != TS_OK)
			abort();
		break;
	}
	case IETF_ATTR_ASSESSMENT_RESULT:
		if (ietf_assessment_result_decode(v, len, &u32, &bad) != TS_OK)
			abort();
		check_same(&w, ietf_assessment_result_encode(u32, &w), v, len);
		break;
	case IETF_ATTR_REMEDIATION_INSTRUCTIONS: {
		ietf_remediation rem;

		if (ietf_remediation_decode(v, len, &rem, &bad) != TS_OK)
			abort();
		if (ietf_remediation_encode(&rem, &w) != TS_OK)
			abort();
		break;
	}
	case IETF_ATTR_FORWARDING_ENABLED:
		if (ietf_forwarding_enabled_decode(v, len, &u32, &bad) != TS_OK)
			abort();
		check_same(&w, ietf_forwarding_enabled_encode(u32, &w), v, len);
		break;
	case IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED:
		if (ietf_factory_default_pwd_decode(v, len, &u32, &bad) != TS_OK)
			abort();
		check_same(&w, ietf_factory_default_pwd_encode(u32, &w), v, len);
		break;
	default:
		break;
	}
	writer_free(&w);
}

/* Rebuilds an accepted message from its attributes; the bytes must match. */
static void rebuild(const pa_msg *msg, const uint8_t *data, size_t size)
{
	pa_msg_builder b;
	uint8_t *out;
	size_t out_len;

	/* The builder writes the reserved header octets as 0. */
	if (data[1] != 0 || data[2] != 0 || data[3] != 0)
		return;
	if (pa_msg_builder_init(&b, msg->msg_id, size) != TS_OK)
		abort();
	for (size_t i = 0; i < msg->count; i++) {
		const pa_attr *a = &msg->attrs[i];

		if (pa_msg_builder_add(&b, a->flags, a->vendor, a->type, a->value, a->value_len) != TS_OK)
			abort();
	}
	if (pa_msg_builder_finish(&b, &out, &out_len) != TS_OK)
		abort();
	if (out_len != size || memcmp(out, data, size) != 0)
		abort();
	free(out);
	pa_msg_builder_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pa_msg *msg = NULL;
	pa_msg_error err;
	char name[PA_ATTR_NAME_MAX];
	uint8_t *reply = NULL;
	size_t reply_len;
	int rc;

	rc = pa_msg_parse(data, size, NULL, &msg, &err);
	if (rc != TS_OK) {
		/* A rejected message always comes with an error that can be sent. */
		if (err.error.code == 0)
			abort();
		if (pa_msg_build_error_reply(&err, 1, 65536, &reply, &reply_len) == TS_OK)
			free(reply);
		return 0;
	}

	/* A parsed message has validated every known attribute: decoding must succeed. */
	for (size_t i = 0; i < msg->count; i++) {
		pa_registry_name(msg->attrs[i].vendor, msg->attrs[i].type, name, sizeof(name));
		if (msg->attrs[i].info && msg->attrs[i].vendor == PA_VENDOR_IETF)
			decode_attr(&msg->attrs[i]);
	}
	rebuild(msg, data, size);
	pa_msg_free(msg);
	return 0;
}
