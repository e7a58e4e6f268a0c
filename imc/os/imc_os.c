/*
 * imc-os.so: the Operating System IMC.
 *
 * It subscribes to IETF/Operating System (PA vendor 0, subtype 1). In
 * BeginHandshake it sends one message with the attributes of
 * imc_os_attrs.h. It replies to an IETF Attribute Request with those
 * requested attributes it collects, Installed Packages included, and logs
 * Assessment Result, Remediation Instructions and PA-TNC Error attributes.
 *
 * Configuration, section [imc-os] of the file named by TNCSUITE_CONF:
 *
 *   root = /                        root of /etc, /proc, /sys and /var
 *   device_id =                     device ID to send instead of a derived one
 *   ak_public_key =                 AK public key file for the device ID
 *   ak_handle =                     persistent AK handle, e.g. 0x81010002
 *   tcti =                          TCTI of the TPM holding ak_handle
 *   factory_default_password = no  value of Factory Default Password Enabled
 *   debug =                         log levels, "3" or "imc=3,pa=4"
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_msg.h"
#include "conf.h"
#include "imc_os_attrs.h"
#include "log.h"
#include "pa/ietf_assessment_result.h"
#include "tpm/tpm.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_attr_request.h"
#include "pa/ietf_pa_tnc_error.h"
#include "pa/ietf_remediation.h"
#include "pa/pa_registry.h"
#include "pts/pts_attr_info.h"
#include "tnc_agent.h"
#include "tncifimc.h"

#define IMC_OS_NAME "imc-os"
#define IMC_OS_SECTION "imc-os"

typedef struct imc_os_module {
	tnc_agent_t *agent;
	imc_os_config conf;
	/* The device ID, found once and then reused; guarded by device_lock. */
	pthread_mutex_t device_lock;
	bool have_device_id;
	char device_id[IMC_OS_MAX_DEVICE_ID + 1];
} imc_os_module;

/* Guards `module` against concurrent Initialize and Terminate calls. */
static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;
static imc_os_module *module;

static const char *const known_keys[] = {
	"root", "device_id", "ak_public_key", "ak_handle", "tcti", "factory_default_password", "debug",
	NULL,
};

static void config_free(imc_os_config *c)
{
	free(c->root);
	free(c->device_id);
	free(c->ak_public_key);
	free(c->tcti);
	free(c->ak_fapi_path);
	memset(c, 0, sizeof(*c));
}

static int dup_key(const conf_t *conf, const char *key, char **out)
{
	const char *v = conf_get_str(conf, IMC_OS_SECTION, key, NULL);

	if (!v || !*v)
		return TS_OK;
	*out = strdup(v);
	return *out ? TS_OK : TS_E_NOMEM;
}

static int config_load(imc_os_config *out)
{
	imc_os_config c = { 0 };
	conf_t *conf = NULL;
	const char *debug;
	long long handle = 0;
	int rc;

	rc = conf_load(conf_default_path(), &conf);
	if (rc == TS_E_NOT_FOUND) {
		log_info(LOG_SUBSYS_IMC, "%s: no configuration file %s, using the defaults", IMC_OS_NAME,
			 conf_default_path());
		conf = conf_new_empty();
		rc = conf ? TS_OK : TS_E_NOMEM;
	}
	if (rc != TS_OK)
		return rc;

	debug = conf_get_str(conf, IMC_OS_SECTION, "debug", NULL);
	if (debug && log_parse_levels(debug) != 0) {
		log_error(LOG_SUBSYS_IMC, "%s: invalid debug value '%s' in [%s]", IMC_OS_NAME, debug,
			  IMC_OS_SECTION);
		rc = TS_E_CONFIG;
		goto out;
	}
	conf_warn_unknown(conf, IMC_OS_SECTION, known_keys);

	if ((rc = conf_get_path(conf, IMC_OS_SECTION, "root", "/", &c.root)) != TS_OK ||
	    (rc = conf_get_path(conf, IMC_OS_SECTION, "ak_public_key", NULL, &c.ak_public_key)) != TS_OK ||
	    (rc = dup_key(conf, "device_id", &c.device_id)) != TS_OK ||
	    (rc = dup_key(conf, "tcti", &c.tcti)) != TS_OK ||
	    (rc = conf_get_int(conf, IMC_OS_SECTION, "ak_handle", 0, 0, 0xFFFFFFFF, &handle)) != TS_OK ||
	    (rc = conf_get_bool(conf, IMC_OS_SECTION, "factory_default_password", false,
				&c.factory_default_password)) != TS_OK)
		goto out;
	c.ak_handle = (uint32_t)handle;

	/*
	 * With no device ID source of its own, use the AK of the attestation IMC
	 * on the same endpoint, so the device ID equals the AK keyid the
	 * attestation IMV checks. Without a TPM or AK, the machine ID remains.
	 */
	if (!c.device_id && !c.ak_public_key && !c.ak_handle && conf_has_section(conf, "imc-attestation")) {
		if ((rc = conf_get_int(conf, "imc-attestation", "ak_handle", TPM_DEFAULT_AK_HANDLE, 0, 0xFFFFFFFF,
				       &handle)) != TS_OK)
			goto out;
		c.ak_handle = (uint32_t)handle;
		c.ak_optional = true;
		{
			const char *fapi = conf_get_str(conf, "imc-attestation", "ak_fapi_path", NULL);

			if (fapi && !(c.ak_fapi_path = strdup(fapi))) {
				rc = TS_E_NOMEM;
				goto out;
			}
		}
		if (!c.tcti) {
			const char *tcti = conf_get_str(conf, "imc-attestation", "tcti", NULL);

			if (tcti && !(c.tcti = strdup(tcti))) {
				rc = TS_E_NOMEM;
				goto out;
			}
		}
	}
	if (c.ak_handle && (c.ak_handle >> 24) != 0x81) {
		log_error(LOG_SUBSYS_IMC, "%s: ak_handle 0x%08x is not a persistent handle (0x81xxxxxx)",
			  IMC_OS_NAME, c.ak_handle);
		rc = TS_E_CONFIG;
		goto out;
	}
out:
	conf_free(conf);
	if (rc != TS_OK) {
		config_free(&c);
		return rc;
	}
	*out = c;
	return TS_OK;
}

/* The device ID, looked up on first use; NULL when no source gave one (logged). */
static const char *device_id_get(imc_os_module *m, TNC_ConnectionID conn)
{
	imc_os_device_conf dc = {
		.root = m->conf.root,
		.device_id = m->conf.device_id,
		.ak_public_key = m->conf.ak_public_key,
		.ak_handle = m->conf.ak_handle,
		.tcti = m->conf.tcti,
		.ak_fapi_path = m->conf.ak_fapi_path,
		.ak_optional = m->conf.ak_optional,
	};
	const char *id = NULL;
	int rc;

	pthread_mutex_lock(&m->device_lock);
	if (!m->have_device_id) {
		/* A failure is not cached, so a TPM that comes up later is used then. */
		rc = imc_os_device_id(&dc, m->device_id, sizeof(m->device_id));
		m->have_device_id = rc == TS_OK;
		if (rc != TS_OK)
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, conn,
				 "%s: no device ID (%s), the Device ID attribute is left out", IMC_OS_NAME,
				 ts_strerror(rc));
		else
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, conn, "%s: device ID %s", IMC_OS_NAME,
				 m->device_id);
	}
	if (m->have_device_id)
		id = m->device_id;
	pthread_mutex_unlock(&m->device_lock);
	return id;
}

static TNC_Result begin_handshake(tnc_agent_t *agent, TNC_ConnectionID conn, void *state)
{
	imc_os_module *m = tnc_agent_context(agent);
	imc_os_facts facts;
	pa_msg_builder b;
	int rc;

	imc_os_facts_collect(&m->conf, device_id_get(m, conn), time(NULL), &facts);
	rc = agent_msg_begin(agent, conn, &b);
	if (rc != TS_OK)
		return TNC_RESULT_FATAL;
	rc = imc_os_add_first_attrs(&b, &facts);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, conn, "%s: building the first message failed: %s",
			 IMC_OS_NAME, ts_strerror(rc));
		pa_msg_builder_free(&b);
		return TNC_RESULT_FATAL;
	}
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, conn, "%s: sending %zu attributes", IMC_OS_NAME,
		 pa_msg_builder_count(&b));
	return agent_msg_send(agent, conn, PA_VENDOR_IETF, IETF_PA_SUBTYPE_OPERATING_SYSTEM,
			      TNC_IMVID_ANY, &b);
}

/* Sends the message in b when it has attributes and starts the next one. */
static TNC_Result flush_message(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_UInt32 dst,
				pa_msg_builder *b, bool restart)
{
	TNC_Result rc = TNC_RESULT_SUCCESS;

	if (pa_msg_builder_count(b) > 0)
		rc = agent_msg_send(agent, conn, PA_VENDOR_IETF, IETF_PA_SUBTYPE_OPERATING_SYSTEM, dst, b);
	else
		pa_msg_builder_free(b);
	if (restart && agent_msg_begin(agent, conn, b) != TS_OK)
		return TNC_RESULT_FATAL;
	return rc;
}

/* Adds Installed Packages, in as many messages as the size limit needs. */
static TNC_Result add_packages(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_UInt32 dst,
			       pa_msg_builder *b)
{
	imc_os_module *m = tnc_agent_context(agent);
	imc_os_packages pkgs = { 0 };
	TNC_Result result = TNC_RESULT_SUCCESS;
	size_t pos = 0;
	int rc;

	rc = imc_os_read_dpkg(m->conf.root, 0, &pkgs);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, conn,
			 "%s: no package list (%s), Installed Packages is left out", IMC_OS_NAME, ts_strerror(rc));
		return TNC_RESULT_SUCCESS;
	}
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, conn, "%s: sending %zu installed packages", IMC_OS_NAME,
		 pkgs.count);
	do {
		rc = imc_os_add_packages(b, &pkgs, &pos);
		if (rc == TS_E_TOO_LARGE && pa_msg_builder_count(b) > 0) {
			result = flush_message(agent, conn, dst, b, true);
			if (result != TNC_RESULT_SUCCESS)
				break;
			continue;
		}
		if (rc != TS_OK) {
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, conn,
				 "%s: cannot add package %zu to an empty message: %s", IMC_OS_NAME, pos,
				 ts_strerror(rc));
			break;
		}
	} while (pos < pkgs.count);
	imc_os_packages_free(&pkgs);
	return result;
}

/* Sends the requested attributes that this IMC collects, in reply to an Attribute Request. */
static TNC_Result answer_request(tnc_agent_t *agent, TNC_ConnectionID conn, const tnc_agent_msg *msg,
				 const ietf_attr_request *req)
{
	imc_os_module *m = tnc_agent_context(agent);
	char name[PA_ATTR_NAME_MAX];
	bool packages = false;
	imc_os_facts facts;
	pa_msg_builder b;
	TNC_Result result;

	imc_os_facts_collect(&m->conf, device_id_get(m, conn), time(NULL), &facts);
	if (agent_msg_begin(agent, conn, &b) != TS_OK)
		return TNC_RESULT_FATAL;
	for (size_t i = 0; i < req->count; i++) {
		uint32_t vendor = req->entries[i].vendor, type = req->entries[i].type;
		int rc;

		pa_registry_name(vendor, type, name, sizeof(name));
		if (vendor == PA_VENDOR_IETF && type == IETF_ATTR_INSTALLED_PACKAGES) {
			packages = true;
			continue;
		}
		rc = imc_os_add_attr(&b, &facts, vendor, type);
		if (rc == TS_E_UNSUPPORTED)
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, conn, "%s: %s was requested but is not collected",
				 IMC_OS_NAME, name);
		else if (rc != TS_OK)
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, conn, "%s: %s was requested but cannot be sent: %s",
				 IMC_OS_NAME, name, ts_strerror(rc));
	}
	if (packages) {
		result = add_packages(agent, conn, msg->src_id, &b);
		if (result != TNC_RESULT_SUCCESS) {
			pa_msg_builder_free(&b);
			return result;
		}
	}
	return flush_message(agent, conn, msg->src_id, &b, false);
}

static void log_remediation(TNC_ConnectionID conn, const pa_attr *attr)
{
	ietf_remediation rem;
	char text[512];

	if (ietf_remediation_decode(attr->value, attr->value_len, &rem, NULL) != TS_OK)
		return;
	if (rem.vendor == PA_VENDOR_IETF && rem.type == IETF_REMEDIATION_STRING)
		log_escape(text, sizeof(text), rem.string, rem.string_len);
	else if (rem.vendor == PA_VENDOR_IETF && rem.type == IETF_REMEDIATION_URI)
		log_escape(text, sizeof(text), rem.uri, rem.uri_len);
	else
		snprintf(text, sizeof(text), "(parameters of vendor 0x%06x, type %u)", rem.vendor, rem.type);
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, conn, "%s: remediation: %s", IMC_OS_NAME, text);
}

static TNC_Result receive(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, const tnc_agent_msg *msg)
{
	TNC_Result result = TNC_RESULT_SUCCESS;
	char name[PA_ATTR_NAME_MAX];
	pa_msg *pa = NULL;

	if (agent_msg_receive(agent, conn, msg, &pa) != TS_OK)
		return TNC_RESULT_SUCCESS;

	for (size_t i = 0; i < pa->count && result == TNC_RESULT_SUCCESS; i++) {
		const pa_attr *attr = &pa->attrs[i];
		ietf_attr_request req;
		ietf_pa_tnc_error err;
		uint32_t assessment;

		if (attr->vendor != PA_VENDOR_IETF) {
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_DEBUG, conn, "%s: ignoring %s", IMC_OS_NAME,
				 pa_registry_name(attr->vendor, attr->type, name, sizeof(name)));
			continue;
		}
		switch (attr->type) {
		case IETF_ATTR_ATTRIBUTE_REQUEST:
			if (ietf_attr_request_decode(attr->value, attr->value_len, &req, NULL) != TS_OK)
				break;
			result = answer_request(agent, conn, msg, &req);
			ietf_attr_request_free(&req);
			break;
		case IETF_ATTR_ASSESSMENT_RESULT:
			if (ietf_assessment_result_decode(attr->value, attr->value_len, &assessment, NULL) == TS_OK)
				log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, conn, "%s: assessment result %u",
					 IMC_OS_NAME, assessment);
			break;
		case IETF_ATTR_REMEDIATION_INSTRUCTIONS:
			log_remediation(conn, attr);
			break;
		case IETF_ATTR_PA_TNC_ERROR:
			if (ietf_pa_tnc_error_decode(attr->value, attr->value_len, &err, NULL) == TS_OK) {
				const char *code = ietf_pa_tnc_error_code_name(err.vendor, err.code);

				log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, conn,
					 "%s: the IMV reported PA-TNC error %s (vendor 0x%06x, code %u)",
					 IMC_OS_NAME, code ? code : "?", err.vendor, err.code);
			}
			break;
		default:
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_DEBUG, conn, "%s: ignoring %s", IMC_OS_NAME,
				 pa_registry_name(attr->vendor, attr->type, name, sizeof(name)));
			break;
		}
	}
	pa_msg_free(pa);
	return result;
}

static const tnc_agent_ops imc_os_ops = {
	.begin_handshake = begin_handshake,
	.receive = receive,
};

static void module_free(imc_os_module *m)
{
	if (!m)
		return;
	tnc_agent_destroy(m->agent);
	config_free(&m->conf);
	pthread_mutex_destroy(&m->device_lock);
	free(m);
}

/* Looks up the module for an entry point; NULL before Initialize. */
static tnc_agent_t *agent_get(void)
{
	tnc_agent_t *agent;

	pthread_mutex_lock(&module_lock);
	agent = module ? module->agent : NULL;
	pthread_mutex_unlock(&module_lock);
	return agent;
}

TNC_IMC_API TNC_Result TNC_IMC_Initialize(TNC_IMCID imcID, TNC_Version minVersion, TNC_Version maxVersion,
					  TNC_Version *pOutActualVersion)
{
	static const TNC_VendorID vendors[] = { PA_VENDOR_IETF };
	static const TNC_MessageSubtype subtypes[] = { IETF_PA_SUBTYPE_OPERATING_SYSTEM };
	imc_os_module *m;
	TNC_Result result;

	pthread_mutex_lock(&module_lock);
	if (module) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_ALREADY_INITIALIZED;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_FATAL;
	}
	pthread_mutex_init(&m->device_lock, NULL);
	if (config_load(&m->conf) != TS_OK ||
	    pa_registry_add(pts_attr_infos, pts_attr_info_count) != TS_OK ||
	    tnc_agent_create(TNC_AGENT_IMC, IMC_OS_NAME, &imc_os_ops, vendors, subtypes, 1, m, &m->agent) != TS_OK) {
		log_error(LOG_SUBSYS_IMC, "%s: initialization failed", IMC_OS_NAME);
		module_free(m);
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_FATAL;
	}
	result = tnc_agent_initialize(m->agent, imcID, minVersion, maxVersion, pOutActualVersion);
	if (result == TNC_RESULT_SUCCESS)
		module = m;
	else
		module_free(m);
	pthread_mutex_unlock(&module_lock);
	return result;
}

TNC_IMC_API TNC_Result TNC_IMC_ProvideBindFunction(TNC_IMCID imcID, TNC_TNCC_BindFunctionPointer bindFunction)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_provide_bind_function(agent, imcID, (tnc_agent_bind_fn)bindFunction);
}

TNC_IMC_API TNC_Result TNC_IMC_NotifyConnectionChange(TNC_IMCID imcID, TNC_ConnectionID connectionID,
						      TNC_ConnectionState newState)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_notify_connection_change(agent, imcID, connectionID, newState);
}

TNC_IMC_API TNC_Result TNC_IMC_BeginHandshake(TNC_IMCID imcID, TNC_ConnectionID connectionID)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_begin_handshake(agent, imcID, connectionID);
}

TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessage(TNC_IMCID imcID, TNC_ConnectionID connectionID,
					      TNC_BufferReference messageBuffer, TNC_UInt32 messageLength,
					      TNC_MessageType messageType)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message(agent, imcID, connectionID, messageBuffer, messageLength,
					 messageType);
}

TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessageLong(TNC_IMCID imcID, TNC_ConnectionID connectionID,
						  TNC_UInt32 messageFlags, TNC_BufferReference message,
						  TNC_UInt32 messageLength, TNC_VendorID messageVendorID,
						  TNC_MessageSubtype messageSubtype, TNC_UInt32 sourceIMVID,
						  TNC_UInt32 destinationIMCID)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message_long(agent, imcID, connectionID, messageFlags, message,
					      messageLength, messageVendorID, messageSubtype, sourceIMVID,
					      destinationIMCID);
}

TNC_IMC_API TNC_Result TNC_IMC_BatchEnding(TNC_IMCID imcID, TNC_ConnectionID connectionID)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_batch_ending(agent, imcID, connectionID);
}

TNC_IMC_API TNC_Result TNC_IMC_Terminate(TNC_IMCID imcID)
{
	TNC_Result result;

	pthread_mutex_lock(&module_lock);
	if (!module) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_NOT_INITIALIZED;
	}
	result = tnc_agent_terminate(module->agent, imcID);
	if (result == TNC_RESULT_SUCCESS) {
		module_free(module);
		module = NULL;
	}
	pthread_mutex_unlock(&module_lock);
	return result;
}
