/*
 * The IMC/IMV host: options, module loading and unloading, and the helpers
 * host_conn.c, host_imc.c and host_imv.c share. See host.h.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "host_internal.h"
#include "log.h"
#include "tnc_config.h"

__thread host_call *host_current_call;
_Atomic(tnccs_host_t *) host_active_tncc;
_Atomic(tnccs_host_t *) host_active_tncs;

/* Lines logged per module before complaints are only counted (then every 1000th). */
#define HOST_COMPLAINTS_LOGGED 20

void host_options_init(host_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_round_trips = HOST_DEFAULT_MAX_ROUND_TRIPS;
	o->max_batch_size = HOST_DEFAULT_MAX_BATCH_SIZE;
	o->max_retries = HOST_DEFAULT_MAX_RETRIES;
	o->max_extra_ids = HOST_DEFAULT_MAX_EXTRA_IDS;
	o->policy = HOST_POLICY_DEFAULT;
	snprintf(o->language, sizeof(o->language), "%s", HOST_DEFAULT_LANGUAGE);
	snprintf(o->tnc_config, sizeof(o->tnc_config), "%s", TNC_CONFIG_DEFAULT_PATH);
}

const char *host_policy_name(host_policy policy)
{
	switch (policy) {
	case HOST_POLICY_DEFAULT:
		return "default";
	case HOST_POLICY_ALL:
		return "all";
	case HOST_POLICY_ANY:
		return "any";
	}
	return "unknown";
}

int host_policy_parse(const char *text, host_policy *out)
{
	static const host_policy all[] = { HOST_POLICY_DEFAULT, HOST_POLICY_ALL, HOST_POLICY_ANY };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(text, host_policy_name(all[i])) == 0) {
			*out = all[i];
			return TS_OK;
		}
	}
	return TS_E_INVALID;
}

/* A language tag list for PB-Language-Preference: printable US-ASCII. */
static bool valid_language(const char *text)
{
	for (const char *p = text; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

int host_options_from_conf(const conf_t *conf, const char *section, host_options *o)
{
	long long v;
	uint64_t size;
	const char *text;
	host_options next = *o;
	char *path = NULL;
	int rc;

	rc = conf_get_path(conf, section, "tnc_config", NULL, &path);
	if (rc != TS_OK)
		return TS_E_CONFIG;
	if (path && strlen(path) >= sizeof(next.tnc_config)) {
		log_error(LOG_SUBSYS_CFG, "%s: [%s] tnc_config is longer than %zu characters",
			  conf_name(conf), section, sizeof(next.tnc_config) - 1);
		free(path);
		return TS_E_CONFIG;
	}
	if (path)
		snprintf(next.tnc_config, sizeof(next.tnc_config), "%s", path);
	free(path);

	rc = conf_get_int(conf, section, "max_round_trips", next.max_round_trips, 1, UINT32_MAX, &v);
	if (rc != TS_OK)
		return TS_E_CONFIG;
	next.max_round_trips = (uint32_t)v;

	/* A batch must hold its header and one PB-PA message header. */
	rc = conf_get_size(conf, section, "max_batch_size", next.max_batch_size, UINT32_MAX, &size);
	if (rc != TS_OK)
		return TS_E_CONFIG;
	if (size < HOST_PB_BATCH_HEADER + HOST_PB_PA_OVERHEAD) {
		log_error(LOG_SUBSYS_CFG, "%s: [%s] max_batch_size = %llu is below the minimum of %d",
			  conf_name(conf), section, (unsigned long long)size,
			  HOST_PB_BATCH_HEADER + HOST_PB_PA_OVERHEAD);
		return TS_E_CONFIG;
	}
	next.max_batch_size = (uint32_t)size;

	rc = conf_get_int(conf, section, "max_retries", next.max_retries, 0, 1000, &v);
	if (rc != TS_OK)
		return TS_E_CONFIG;
	next.max_retries = (uint32_t)v;

	rc = conf_get_int(conf, section, "max_extra_ids", next.max_extra_ids, 0, HOST_MAX_IDS, &v);
	if (rc != TS_OK)
		return TS_E_CONFIG;
	next.max_extra_ids = (uint32_t)v;

	text = conf_get_str(conf, section, "recommendation_policy", NULL);
	if (text && host_policy_parse(text, &next.policy) != TS_OK) {
		log_error(LOG_SUBSYS_CFG,
			  "%s: [%s] recommendation_policy = %s is invalid, expected default, all or any",
			  conf_name(conf), section, text);
		return TS_E_CONFIG;
	}

	text = conf_get_str(conf, section, "language", NULL);
	if (text) {
		if (strlen(text) >= sizeof(next.language) || !valid_language(text)) {
			log_error(LOG_SUBSYS_CFG,
				  "%s: [%s] language must be printable ASCII of at most %zu characters",
				  conf_name(conf), section, sizeof(next.language) - 1);
			return TS_E_CONFIG;
		}
		snprintf(next.language, sizeof(next.language), "%s", text);
	}

	text = conf_get_str(conf, section, "remediation_uri", NULL);
	if (text) {
		if (strlen(text) >= sizeof(next.remediation_uri) || !valid_language(text)) {
			log_error(LOG_SUBSYS_CFG,
				  "%s: [%s] remediation_uri must be printable ASCII of at most %zu characters",
				  conf_name(conf), section, sizeof(next.remediation_uri) - 1);
			return TS_E_CONFIG;
		}
		snprintf(next.remediation_uri, sizeof(next.remediation_uri), "%s", text);
	}

	*o = next;
	return TS_OK;
}

int host_create(bool is_server, const host_options *options, tnccs_host_t **out)
{
	_Atomic(tnccs_host_t *) *active = is_server ? &host_active_tncs : &host_active_tncc;
	tnccs_host_t *host, *expected = NULL;

	host = calloc(1, sizeof(*host));
	if (!host)
		return TS_E_NOMEM;
	host->is_server = is_server;
	if (options)
		host->options = *options;
	else
		host_options_init(&host->options);
	if (host->options.max_batch_size < HOST_PB_BATCH_HEADER + HOST_PB_PA_OVERHEAD)
		host->options.max_batch_size = HOST_PB_BATCH_HEADER + HOST_PB_PA_OVERHEAD;
	host->next_id = 1;
	pthread_mutex_init(&host->ids_lock, NULL);
	pthread_rwlock_init(&host->types_lock, NULL);
	pthread_rwlock_init(&host->conns_lock, NULL);

	/*
	 * The bound functions receive only an IMC or IMV ID, so they find
	 * their host through a process-wide pointer: one TNCC and one TNCS.
	 */
	if (!atomic_compare_exchange_strong(active, &expected, host)) {
		log_error(LOG_SUBSYS_TNC, "a %s host exists already in this process",
			  is_server ? "TNCS" : "TNCC");
		pthread_mutex_destroy(&host->ids_lock);
		pthread_rwlock_destroy(&host->types_lock);
		pthread_rwlock_destroy(&host->conns_lock);
		free(host);
		return TS_E_STATE;
	}
	*out = host;
	return TS_OK;
}

bool host_is_server(const tnccs_host_t *host)
{
	return host->is_server;
}

const host_options *host_get_options(const tnccs_host_t *host)
{
	return &host->options;
}

size_t host_module_count(const tnccs_host_t *host)
{
	return host->module_count;
}

const char *host_module_name(const tnccs_host_t *host, size_t i)
{
	return i < host->module_count ? host->modules[i]->name : NULL;
}

TNC_UInt32 host_module_id(const tnccs_host_t *host, size_t i)
{
	return i < host->module_count ? host->modules[i]->id : 0;
}

bool host_module_failed(const tnccs_host_t *host, size_t i)
{
	return i < host->module_count && atomic_load(&host->modules[i]->failed);
}

bool host_module_usable(const host_module *module)
{
	return module->initialized && !atomic_load(&module->failed);
}

host_module *host_module_by_id(tnccs_host_t *host, TNC_UInt32 id)
{
	if (!host || id >= HOST_MAX_IDS)
		return NULL;
	return atomic_load(&host->id_owner[id]);
}

void host_call_enter(host_call *call, host_conn_t *conn, host_module *module, bool may_send)
{
	call->conn = conn;
	call->module = module;
	call->may_send = may_send;
	call->outer = host_current_call;
	host_current_call = call;
}

void host_call_leave(host_call *call)
{
	host_current_call = call->outer;
}

static const char *side_name(const host_module *module)
{
	return module->host->is_server ? "IMV" : "IMC";
}

void host_complain(host_module *module, TNC_ConnectionID conn_id, const char *fmt, ...)
{
	unsigned count = atomic_fetch_add(&module->complaints, 1) + 1;
	char msg[512];
	va_list ap;

	if (count > HOST_COMPLAINTS_LOGGED && count % 1000 != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (conn_id == TNC_CONNECTIONID_ANY)
		log_error(LOG_SUBSYS_TNC, "%s \"%s\" (ID %lu): %s%s", side_name(module),
			  module->name, module->id, msg,
			  count == HOST_COMPLAINTS_LOGGED ? " (further errors of this module are counted, every 1000th is logged)" : "");
	else
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, conn_id, "%s \"%s\" (ID %lu): %s%s",
			 side_name(module), module->name, module->id, msg,
			 count == HOST_COMPLAINTS_LOGGED ? " (further errors of this module are counted, every 1000th is logged)" : "");
}

static const char *result_name(TNC_Result rc)
{
	switch (rc) {
	case TNC_RESULT_SUCCESS:
		return "SUCCESS";
	case TNC_RESULT_NOT_INITIALIZED:
		return "NOT_INITIALIZED";
	case TNC_RESULT_ALREADY_INITIALIZED:
		return "ALREADY_INITIALIZED";
	case TNC_RESULT_NO_COMMON_VERSION:
		return "NO_COMMON_VERSION";
	case TNC_RESULT_CANT_RETRY:
		return "CANT_RETRY";
	case TNC_RESULT_WONT_RETRY:
		return "WONT_RETRY";
	case TNC_RESULT_INVALID_PARAMETER:
		return "INVALID_PARAMETER";
	case TNC_RESULT_CANT_RESPOND:
		return "CANT_RESPOND";
	case TNC_RESULT_ILLEGAL_OPERATION:
		return "ILLEGAL_OPERATION";
	case TNC_RESULT_OTHER:
		return "OTHER";
	case TNC_RESULT_FATAL:
		return "FATAL";
	case TNC_RESULT_EXCEEDED_MAX_ROUND_TRIPS:
		return "EXCEEDED_MAX_ROUND_TRIPS";
	case TNC_RESULT_EXCEEDED_MAX_MESSAGE_SIZE:
		return "EXCEEDED_MAX_MESSAGE_SIZE";
	case TNC_RESULT_NO_LONG_MESSAGE_TYPES:
		return "NO_LONG_MESSAGE_TYPES";
	case TNC_RESULT_NO_SOH_SUPPORT:
		return "NO_SOH_SUPPORT";
	}
	return "unknown result";
}

TNC_Result host_check_result(host_module *module, const host_conn_t *conn, const char *function,
			     TNC_Result rc)
{
	TNC_ConnectionID conn_id = conn ? conn->id : TNC_CONNECTIONID_ANY;

	if (rc == TNC_RESULT_SUCCESS)
		return rc;
	if (rc == TNC_RESULT_FATAL) {
		if (!atomic_exchange(&module->failed, true))
			host_complain(module, conn_id,
				      "%s returned FATAL; the module is no longer called", function);
		return rc;
	}
	host_complain(module, conn_id, "%s returned %s (%lu)", function, result_name(rc), rc);
	return rc;
}

/* Looks up the exported function prefix + function, or returns NULL. */
static void *module_symbol(host_module *module, const char *prefix, const char *function)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", prefix, function);
	return dlsym(module->handle, name);
}

/* Writes an error for host_load_module into err and the log; returns rc. */
__attribute__((format(printf, 4, 5)))
static int load_error(int rc, char *err, size_t err_size, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error(LOG_SUBSYS_TNC, "%s", msg);
	if (err && err_size)
		snprintf(err, err_size, "%s", msg);
	return rc;
}

static int resolve_entry_points(host_module *module, char *err, size_t err_size)
{
	const char *prefix = module->host->is_server ? "TNC_IMV_" : "TNC_IMC_";
	const char *missing = NULL;

	module->initialize = (host_initialize_fn)module_symbol(module, prefix, "Initialize");
	module->notify = (host_notify_fn)module_symbol(module, prefix, "NotifyConnectionChange");
	module->receive = (host_receive_fn)module_symbol(module, prefix, "ReceiveMessage");
	module->receive_long = (host_receive_long_fn)module_symbol(module, prefix, "ReceiveMessageLong");
	module->batch_ending = (host_conn_fn)module_symbol(module, prefix, "BatchEnding");
	module->terminate = (host_terminate_fn)module_symbol(module, prefix, "Terminate");
	module->provide_bind = (host_provide_bind_fn)module_symbol(module, prefix, "ProvideBindFunction");
	if (module->host->is_server)
		module->solicit = (host_conn_fn)module_symbol(module, prefix, "SolicitRecommendation");
	else
		module->begin_handshake = (host_conn_fn)module_symbol(module, prefix, "BeginHandshake");

	/* The functions every TNCC and TNCS requires (strongSwan and libtnc alike). */
	if (!module->initialize)
		missing = "Initialize";
	else if (!module->provide_bind)
		missing = "ProvideBindFunction";
	else if (module->host->is_server && !module->solicit)
		missing = "SolicitRecommendation";
	else if (!module->host->is_server && !module->begin_handshake)
		missing = "BeginHandshake";
	if (missing)
		return load_error(TS_E_INVALID, err, err_size,
				  "%s \"%s\" (%s) lacks the mandatory function %s%s",
				  side_name(module), module->name, module->path, prefix, missing);
	return TS_OK;
}

static void module_free(host_module *module)
{
	if (!module)
		return;
	if (module->handle)
		dlclose(module->handle);
	free(module->type_vendors);
	free(module->type_subtypes);
	free(module->name);
	free(module->path);
	free(module);
}

/* Calls Terminate (if due) and drops the module's IDs. */
static void module_shutdown(host_module *module)
{
	tnccs_host_t *host = module->host;

	if (module->initialized && module->terminate) {
		host_call call;
		TNC_Result rc;

		host_call_enter(&call, NULL, module, false);
		rc = module->terminate(module->id);
		host_call_leave(&call);
		if (rc != TNC_RESULT_SUCCESS)
			host_complain(module, TNC_CONNECTIONID_ANY, "Terminate returned %lu", rc);
	}
	module->initialized = false;

	pthread_mutex_lock(&host->ids_lock);
	for (size_t id = 0; id < HOST_MAX_IDS; id++)
		if (atomic_load(&host->id_owner[id]) == module)
			atomic_store(&host->id_owner[id], NULL);
	pthread_mutex_unlock(&host->ids_lock);
}

/* Initialize with version negotiation, then ProvideBindFunction. */
static int module_start(host_module *module, char *err, size_t err_size)
{
	const TNC_Version min_version = 1, max_version = 1;
	TNC_Version actual = 0;
	host_call call;
	TNC_Result rc;

	host_call_enter(&call, NULL, module, false);
	rc = module->initialize(module->id, min_version, max_version, &actual);
	host_call_leave(&call);
	if (rc == TNC_RESULT_NO_COMMON_VERSION)
		return load_error(TS_E_UNSUPPORTED, err, err_size,
				  "%s \"%s\" supports no API version in [%lu, %lu]",
				  side_name(module), module->name, min_version, max_version);
	if (rc != TNC_RESULT_SUCCESS)
		return load_error(TS_E_INVALID, err, err_size, "%s \"%s\": Initialize returned %s (%lu)",
				  side_name(module), module->name, result_name(rc), rc);
	module->initialized = true;
	if (actual < min_version || actual > max_version)
		return load_error(TS_E_UNSUPPORTED, err, err_size,
				  "%s \"%s\" chose API version %lu outside [%lu, %lu]",
				  side_name(module), module->name, actual, min_version, max_version);

	host_call_enter(&call, NULL, module, false);
	rc = module->provide_bind(module->id, module->host->is_server ? host_imv_bind : host_imc_bind);
	host_call_leave(&call);
	if (rc != TNC_RESULT_SUCCESS)
		return load_error(TS_E_INVALID, err, err_size,
				  "%s \"%s\": ProvideBindFunction returned %s (%lu)",
				  side_name(module), module->name, result_name(rc), rc);
	return TS_OK;
}

int host_load_module(tnccs_host_t *host, const char *name, const char *path, char *err,
		     size_t err_size)
{
	const char *side = host->is_server ? "IMV" : "IMC";
	host_module *module = NULL;
	size_t conns;
	int rc;

	pthread_rwlock_rdlock(&host->conns_lock);
	conns = host->conn_count;
	pthread_rwlock_unlock(&host->conns_lock);
	if (conns > 0)
		return load_error(TS_E_STATE, err, err_size,
				  "cannot load %s \"%s\" while connections exist", side, name);
	if (host->module_count == HOST_MAX_MODULES)
		return load_error(TS_E_TOO_LARGE, err, err_size,
				  "cannot load %s \"%s\": more than %d modules", side, name,
				  HOST_MAX_MODULES);
	if (host->next_id >= HOST_MAX_IDS)
		return load_error(TS_E_TOO_LARGE, err, err_size,
				  "cannot load %s \"%s\": all %d IDs are used", side, name, HOST_MAX_IDS);

	module = calloc(1, sizeof(*module));
	if (!module)
		return TS_E_NOMEM;
	module->host = host;
	module->name = strdup(name);
	module->path = strdup(path);
	if (!module->name || !module->path) {
		rc = TS_E_NOMEM;
		goto out;
	}

	/* The module's own logger applies these settings when it is loaded. */
	log_export_env();
	dlerror();
	module->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!module->handle) {
		const char *why = dlerror();

		rc = load_error(TS_E_NOT_FOUND, err, err_size, "cannot load %s \"%s\": %s", side,
				name, why ? why : path);
		goto out;
	}
	for (size_t i = 0; i < host->module_count; i++) {
		if (host->modules[i]->handle == module->handle) {
			rc = load_error(TS_E_INVALID, err, err_size,
					"cannot load %s \"%s\": %s is loaded already as \"%s\"", side,
					name, path, host->modules[i]->name);
			goto out;
		}
	}
	rc = resolve_entry_points(module, err, err_size);
	if (rc != TS_OK)
		goto out;

	/* The module may call bound functions from Initialize on, so register it first. */
	pthread_mutex_lock(&host->ids_lock);
	module->id = host->next_id++;
	atomic_store(&host->id_owner[module->id], module);
	pthread_mutex_unlock(&host->ids_lock);
	module->index = host->module_count;
	host->modules[host->module_count++] = module;

	rc = module_start(module, err, err_size);
	if (rc != TS_OK) {
		module_shutdown(module);
		host->modules[--host->module_count] = NULL;
		goto out;
	}
	log_info(LOG_SUBSYS_TNC, "%s \"%s\" loaded from %s with ID %lu", side, name, path, module->id);
	module = NULL;
	rc = TS_OK;
out:
	module_free(module);
	return rc;
}

int host_load_tnc_config(tnccs_host_t *host, const char *path, char *err, size_t err_size)
{
	tnc_config_kind kind = host->is_server ? TNC_CONFIG_IMV : TNC_CONFIG_IMC;
	tnc_config_t *config = NULL;
	int rc;

	if (!path)
		path = host->options.tnc_config[0] ? host->options.tnc_config : TNC_CONFIG_DEFAULT_PATH;
	rc = tnc_config_load(path, &config, err, err_size);
	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < config->count; i++) {
		const tnc_config_entry *e = &config->entries[i];
		char why[512];

		if (e->kind != kind)
			continue;
		rc = host_load_module(host, e->name, e->path, why, sizeof(why));
		if (rc != TS_OK) {
			log_error(LOG_SUBSYS_CFG, "%s:%u: %s", config->file, e->line, why);
			if (err && err_size)
				snprintf(err, err_size, "%s:%u: %s", config->file, e->line, why);
			goto out;
		}
	}
	rc = TS_OK;
out:
	tnc_config_free(config);
	return rc;
}

void host_destroy(tnccs_host_t *host)
{
	_Atomic(tnccs_host_t *) *active;

	if (!host)
		return;
	if (host->conn_count)
		log_error(LOG_SUBSYS_TNC, "%zu connections left when the %s host stops",
			  host->conn_count, host->is_server ? "TNCS" : "TNCC");
	for (size_t i = host->module_count; i-- > 0;) {
		module_shutdown(host->modules[i]);
		module_free(host->modules[i]);
	}
	active = host->is_server ? &host_active_tncs : &host_active_tncc;
	atomic_store(active, NULL);
	pthread_mutex_destroy(&host->ids_lock);
	pthread_rwlock_destroy(&host->types_lock);
	pthread_rwlock_destroy(&host->conns_lock);
	free(host);
}

TNC_Result host_report_types(tnccs_host_t *host, TNC_UInt32 id, bool legacy,
			     const TNC_MessageType *types, const TNC_VendorID *vendors,
			     const TNC_MessageSubtype *subtypes, TNC_UInt32 count)
{
	host_module *module = host_module_by_id(host, id);
	uint32_t *new_vendors = NULL, *new_subtypes = NULL;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_error(LOG_SUBSYS_TNC, "ReportMessageTypes with the unknown ID %lu", id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (count > HOST_MAX_TYPES) {
		host_complain(module, TNC_CONNECTIONID_ANY,
			      "reports %lu message types, more than the limit of %d", count,
			      HOST_MAX_TYPES);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (count > 0 && (legacy ? !types : (!vendors || !subtypes))) {
		host_complain(module, TNC_CONNECTIONID_ANY, "reports message types from a NULL list");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (count > 0) {
		new_vendors = calloc(count, sizeof(*new_vendors));
		new_subtypes = calloc(count, sizeof(*new_subtypes));
		if (!new_vendors || !new_subtypes) {
			free(new_vendors);
			free(new_subtypes);
			return TNC_RESULT_FATAL;
		}
	}
	for (TNC_UInt32 i = 0; i < count; i++) {
		if (legacy) {
			if (types[i] > 0xFFFFFFFFUL) {
				host_complain(module, TNC_CONNECTIONID_ANY,
					      "reports the message type 0x%lx, wider than 32 bits",
					      types[i]);
				goto invalid;
			}
			new_vendors[i] = TNC_MESSAGETYPE_VENDOR(types[i]);
			new_subtypes[i] = TNC_MESSAGETYPE_SUBTYPE(types[i]);
		} else {
			if (vendors[i] > TNC_VENDORID_ANY || subtypes[i] > 0xFFFFFFFFUL) {
				host_complain(module, TNC_CONNECTIONID_ANY,
					      "reports the invalid message type vendor 0x%lx subtype 0x%lx",
					      vendors[i], subtypes[i]);
				goto invalid;
			}
			new_vendors[i] = (uint32_t)vendors[i];
			new_subtypes[i] = (uint32_t)subtypes[i];
		}
	}

	/* The latest list replaces the earlier one. */
	pthread_rwlock_wrlock(&host->types_lock);
	free(module->type_vendors);
	free(module->type_subtypes);
	module->type_vendors = new_vendors;
	module->type_subtypes = new_subtypes;
	module->type_count = count;
	pthread_rwlock_unlock(&host->types_lock);
	log_debug(LOG_SUBSYS_TNC, "%s \"%s\" subscribed to %lu message types", side_name(module),
		  module->name, count);
	return TNC_RESULT_SUCCESS;

invalid:
	free(new_vendors);
	free(new_subtypes);
	return TNC_RESULT_INVALID_PARAMETER;
}

TNC_Result host_reserve_id(tnccs_host_t *host, TNC_UInt32 id, TNC_UInt32 *out)
{
	host_module *module = host_module_by_id(host, id);
	TNC_Result rc = TNC_RESULT_SUCCESS;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_error(LOG_SUBSYS_TNC, "ReserveAdditionalID with the unknown ID %lu", id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (!out) {
		host_complain(module, TNC_CONNECTIONID_ANY, "ReserveAdditionalID with a NULL output");
		return TNC_RESULT_INVALID_PARAMETER;
	}

	pthread_mutex_lock(&host->ids_lock);
	if (module->extra_ids >= host->options.max_extra_ids || host->next_id >= HOST_MAX_IDS) {
		rc = TNC_RESULT_OTHER;
	} else {
		TNC_UInt32 new_id = host->next_id++;

		atomic_store(&host->id_owner[new_id], module);
		module->extra_ids++;
		*out = new_id;
	}
	pthread_mutex_unlock(&host->ids_lock);

	if (rc != TNC_RESULT_SUCCESS)
		host_complain(module, TNC_CONNECTIONID_ANY,
			      "ReserveAdditionalID refused: %u additional IDs is the limit",
			      host->options.max_extra_ids);
	else
		log_debug(LOG_SUBSYS_TNC, "%s \"%s\" reserved the additional ID %lu",
			  side_name(module), module->name, *out);
	return rc;
}
