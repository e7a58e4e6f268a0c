/*
 * imv-test.so: an IMV for testing TNC servers and the IF-IMV host.
 *
 * It uses only the IF-IMV 1.4 API. It counts the messages of imc-test and
 * replies to each batch that carried some with `messages` messages of its
 * own until `rounds` batches arrived. Then it provides its configured
 * recommendation, with a reason string that states what it received.
 *
 * Configuration: the section named like the library file without ".so"
 * (so a copy "imv-test-b.so" reads [imv-test-b]) if the file of
 * $TNCSUITE_CONF has it, else [imv-test]:
 *
 *   rounds = 2              batches from the IMC before recommending
 *   messages = 1            messages per reply
 *   message_size = 64       octets per message (at least 20)
 *   vendor_id = 0           PA message vendor ID and subtype (IETF Testing)
 *   subtype = 0
 *   legacy_api = no         yes: ReportMessageTypes/SendMessage instead of Long
 *   wildcard = no           yes: subscribe to every message type
 *   exclusive = no          yes: reply with the exclusive flag to the IMC that sent
 *   recommendation = allow  allow, isolate, no_access or no_recommendation
 *   evaluation =            compliant, minor, major, error or dont_know
 *                           (default: follows the recommendation)
 *   provide = last_round    last_round, solicit (only when solicited) or never
 *   expect_messages = 0     if not 0: any other count turns the recommendation
 *                           into no_access with evaluation error
 *   reason =                reason string (default: the counts received)
 *   reason_language = en
 *   misbehave =             comma list: send_outside, send_unknown_conn,
 *                           bad_args, error_result, fatal
 *   stats_file =            appends one line per connection at DELETE
 *   log_level =             0 to 4 (default: the level of the host that loaded it)
 *
 * The message layout is the one of imc-test (see imc/test/imc_test.c), with
 * sender 'V'.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* dladdr */
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "reader.h"
#include "tncifimv.h"
#include "writer.h"

#define MSG_HEADER_SIZE 20
#define MAX_MESSAGES    100000
#define MAX_SIZE        (16 * 1024 * 1024)
#define MAX_RESULTS     32

typedef enum provide_mode {
	PROVIDE_LAST_ROUND,
	PROVIDE_SOLICIT,
	PROVIDE_NEVER,
} provide_mode;

typedef struct imv_conn {
	TNC_ConnectionID id;
	unsigned handshakes;
	unsigned batches;         /* batches with messages in this handshake */
	unsigned received;        /* valid messages in this handshake */
	unsigned received_total;
	unsigned bad;
	unsigned solicited;
	bool got_input;
	bool recommended;
	TNC_UInt32 reply_to;      /* IMC that sent the last message */
	TNC_ConnectionState state;
	char language[64];        /* PREFERRED_LANGUAGE at HANDSHAKE */
	unsigned identities;      /* AR identities at HANDSHAKE */
	struct imv_conn *next;
} imv_conn;

static struct {
	pthread_mutex_t lock;
	bool initialized;
	TNC_IMVID id;
	char section[64];

	/* Configuration. */
	unsigned rounds, messages, message_size, expect_messages;
	uint32_t vendor_id, subtype;
	bool legacy_api, wildcard, exclusive;
	TNC_IMV_Action_Recommendation recommendation;
	TNC_IMV_Evaluation_Result evaluation;
	provide_mode provide;
	char reason[256];
	char reason_language[32];
	bool send_outside, send_unknown_conn, bad_args, error_result, fatal;
	char *stats_file;

	/* Bound TNCS functions. */
	TNC_TNCS_ReportMessageTypesPointer report_types;
	TNC_TNCS_ReportMessageTypesLongPointer report_types_long;
	TNC_TNCS_SendMessagePointer send_message;
	TNC_TNCS_SendMessageLongPointer send_message_long;
	TNC_TNCS_ProvideRecommendationPointer provide_recommendation;
	TNC_TNCS_GetAttributePointer get_attribute;
	TNC_TNCS_SetAttributePointer set_attribute;
	TNC_TNCS_RequestHandshakeRetryPointer request_retry;

	TNC_Result results[MAX_RESULTS];
	unsigned result_count;
	bool fatal_sent;

	imv_conn *conns;
} imv = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void note_result(TNC_Result rc)
{
	if (imv.result_count < MAX_RESULTS)
		imv.results[imv.result_count++] = rc;
}

static void choose_section(const conf_t *conf)
{
	Dl_info info;

	snprintf(imv.section, sizeof(imv.section), "imv-test");
	if (dladdr((void *)TNC_IMV_Initialize, &info) && info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');
		char name[64];
		size_t len;

		base = base ? base + 1 : info.dli_fname;
		len = strcspn(base, ".");
		if (len > 0 && len < sizeof(name)) {
			memcpy(name, base, len);
			name[len] = '\0';
			if (conf_has_section(conf, name))
				snprintf(imv.section, sizeof(imv.section), "%s", name);
		}
	}
}

static int parse_recommendation(const char *text, TNC_IMV_Action_Recommendation *out)
{
	static const char *const names[] = { "allow", "no_access", "isolate", "no_recommendation" };

	for (TNC_UInt32 i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i]) == 0) {
			*out = i;
			return TS_OK;
		}
	}
	return TS_E_CONFIG;
}

static int parse_evaluation(const char *text, TNC_IMV_Evaluation_Result *out)
{
	static const char *const names[] = { "compliant", "minor", "major", "error", "dont_know" };

	for (TNC_UInt32 i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i]) == 0) {
			*out = i;
			return TS_OK;
		}
	}
	return TS_E_CONFIG;
}

static int read_config(void)
{
	conf_t *conf = NULL;
	const char *s, *text;
	long long v;
	bool b;
	int rc;

	rc = conf_load(conf_default_path(), &conf);
	if (rc == TS_E_NOT_FOUND)
		conf = conf_new_empty();
	else if (rc != TS_OK)
		return rc;
	if (!conf)
		return TS_E_NOMEM;
	choose_section(conf);
	s = imv.section;

	rc = TS_E_CONFIG;
	if (conf_get_int(conf, s, "log_level", log_get_level(LOG_SUBSYS_IMV), 0, 4, &v) != TS_OK)
		goto out;
	log_set_level(LOG_SUBSYS_IMV, (int)v);
	if (conf_get_int(conf, s, "rounds", 2, 1, 1000, &v) != TS_OK)
		goto out;
	imv.rounds = (unsigned)v;
	if (conf_get_int(conf, s, "messages", 1, 0, MAX_MESSAGES, &v) != TS_OK)
		goto out;
	imv.messages = (unsigned)v;
	if (conf_get_int(conf, s, "message_size", 64, MSG_HEADER_SIZE, MAX_SIZE, &v) != TS_OK)
		goto out;
	imv.message_size = (unsigned)v;
	if (conf_get_int(conf, s, "vendor_id", 0, 0, 0xFFFFFE, &v) != TS_OK)
		goto out;
	imv.vendor_id = (uint32_t)v;
	if (conf_get_int(conf, s, "subtype", 0, 0, 0xFFFFFFFE, &v) != TS_OK)
		goto out;
	imv.subtype = (uint32_t)v;
	if (conf_get_int(conf, s, "expect_messages", 0, 0, 100000000, &v) != TS_OK)
		goto out;
	imv.expect_messages = (unsigned)v;
	if (conf_get_bool(conf, s, "legacy_api", false, &b) != TS_OK)
		goto out;
	imv.legacy_api = b;
	if (conf_get_bool(conf, s, "wildcard", false, &b) != TS_OK)
		goto out;
	imv.wildcard = b;
	if (conf_get_bool(conf, s, "exclusive", false, &b) != TS_OK)
		goto out;
	imv.exclusive = b;

	text = conf_get_str(conf, s, "recommendation", "allow");
	if (parse_recommendation(text, &imv.recommendation) != TS_OK) {
		log_error(LOG_SUBSYS_IMV, "imv-test: [%s] recommendation = %s is invalid", s, text);
		goto out;
	}
	/* The default evaluation matches the recommendation. */
	switch (imv.recommendation) {
	case TNC_IMV_ACTION_RECOMMENDATION_ALLOW:
		imv.evaluation = TNC_IMV_EVALUATION_RESULT_COMPLIANT;
		break;
	case TNC_IMV_ACTION_RECOMMENDATION_ISOLATE:
		imv.evaluation = TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR;
		break;
	case TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS:
		imv.evaluation = TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MAJOR;
		break;
	default:
		imv.evaluation = TNC_IMV_EVALUATION_RESULT_DONT_KNOW;
		break;
	}
	text = conf_get_str(conf, s, "evaluation", NULL);
	if (text && parse_evaluation(text, &imv.evaluation) != TS_OK) {
		log_error(LOG_SUBSYS_IMV, "imv-test: [%s] evaluation = %s is invalid", s, text);
		goto out;
	}
	text = conf_get_str(conf, s, "provide", "last_round");
	if (strcmp(text, "last_round") == 0) {
		imv.provide = PROVIDE_LAST_ROUND;
	} else if (strcmp(text, "solicit") == 0) {
		imv.provide = PROVIDE_SOLICIT;
	} else if (strcmp(text, "never") == 0) {
		imv.provide = PROVIDE_NEVER;
	} else {
		log_error(LOG_SUBSYS_IMV, "imv-test: [%s] provide = %s is invalid", s, text);
		goto out;
	}
	snprintf(imv.reason, sizeof(imv.reason), "%s", conf_get_str(conf, s, "reason", ""));
	snprintf(imv.reason_language, sizeof(imv.reason_language), "%s",
		 conf_get_str(conf, s, "reason_language", "en"));

	text = conf_get_str(conf, s, "misbehave", "");
	imv.send_outside = strstr(text, "send_outside") != NULL;
	imv.send_unknown_conn = strstr(text, "send_unknown_conn") != NULL;
	imv.bad_args = strstr(text, "bad_args") != NULL;
	imv.error_result = strstr(text, "error_result") != NULL;
	imv.fatal = strstr(text, "fatal") != NULL;

	if (conf_get_path(conf, s, "stats_file", NULL, &imv.stats_file) != TS_OK)
		goto out;
	rc = TS_OK;
out:
	conf_free(conf);
	return rc;
}

static imv_conn *find_conn(TNC_ConnectionID id)
{
	for (imv_conn *c = imv.conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void write_stats(const imv_conn *c)
{
	char line[1024];
	int n, fd;

	if (!imv.stats_file)
		return;
	n = snprintf(line, sizeof(line),
		     "imv %s conn=%lu handshakes=%u batches=%u received=%u total=%u bad=%u solicited=%u state=%lu lang=%s identities=%u results=",
		     imv.section, c->id, c->handshakes, c->batches, c->received, c->received_total,
		     c->bad, c->solicited, c->state, c->language, c->identities);
	for (unsigned i = 0; i < imv.result_count && n > 0 && (size_t)n < sizeof(line) - 16; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%lu", i ? "," : "",
			      imv.results[i]);
	if (n <= 0 || (size_t)n >= sizeof(line) - 1)
		return;
	line[n++] = '\n';
	fd = open(imv.stats_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		log_error(LOG_SUBSYS_IMV, "imv-test: cannot write %s", imv.stats_file);
	close(fd);
}

static void build_message(writer_t *w, unsigned round, unsigned index, unsigned count)
{
	writer_bytes(w, "TNCT", 4);
	writer_u8(w, 'V');
	writer_zeros(w, 3);
	writer_u32(w, round);
	writer_u32(w, index);
	writer_u32(w, count);
	for (unsigned i = 0; i < imv.message_size - MSG_HEADER_SIZE; i++)
		writer_u8(w, (uint8_t)(i * 7 + round));
}

/* Checks a message from imc-test: header, sender and filler. */
static bool valid_message(const uint8_t *data, size_t len)
{
	reader_t r;
	const uint8_t *magic;
	uint8_t sender;
	uint32_t round, index, count;

	reader_init(&r, data, len);
	if (reader_bytes(&r, 4, &magic) != TS_OK || memcmp(magic, "TNCT", 4) != 0 ||
	    reader_u8(&r, &sender) != TS_OK || sender != 'C' || reader_skip(&r, 3) != TS_OK ||
	    reader_u32(&r, &round) != TS_OK || reader_u32(&r, &index) != TS_OK ||
	    reader_u32(&r, &count) != TS_OK || index >= count)
		return false;
	for (size_t i = 0; reader_remaining(&r) > 0; i++) {
		uint8_t b;

		if (reader_u8(&r, &b) != TS_OK || b != (uint8_t)(i * 7 + round))
			return false;
	}
	return true;
}

static TNC_Result send_reply(imv_conn *c)
{
	writer_t w;
	TNC_Result rc = TNC_RESULT_SUCCESS;
	bool excl = imv.exclusive && c->reply_to != TNC_IMCID_ANY;

	writer_init(&w, MAX_SIZE);
	for (unsigned k = 0; k < imv.messages && rc == TNC_RESULT_SUCCESS; k++) {
		writer_reset(&w);
		build_message(&w, c->batches, k, imv.messages);
		if (writer_status(&w) != TS_OK) {
			rc = TNC_RESULT_FATAL;
			break;
		}
		if (imv.legacy_api || !imv.send_message_long)
			rc = imv.send_message(imv.id, c->id, (TNC_BufferReference)w.data, w.len,
					      TNC_MESSAGETYPE_PACK(imv.vendor_id, imv.subtype));
		else
			rc = imv.send_message_long(imv.id, c->id,
						   excl ? TNC_MESSAGE_FLAGS_EXCLUSIVE : 0,
						   (TNC_BufferReference)w.data, w.len, imv.vendor_id,
						   imv.subtype, excl ? c->reply_to : TNC_IMCID_ANY);
		if (rc != TNC_RESULT_SUCCESS)
			log_error(LOG_SUBSYS_IMV, "imv-test: conn %lu: send returned %lu", c->id, rc);
	}
	writer_free(&w);
	return rc;
}

/* Sets the reason string and provides the recommendation; imv.lock is held. */
static TNC_Result recommend(imv_conn *c)
{
	TNC_IMV_Action_Recommendation rec = imv.recommendation;
	TNC_IMV_Evaluation_Result eval = imv.evaluation;
	char reason[320];
	TNC_Result rc;

	if (imv.expect_messages && c->received != imv.expect_messages) {
		rec = TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS;
		eval = TNC_IMV_EVALUATION_RESULT_ERROR;
		snprintf(reason, sizeof(reason), "%s: expected %u messages, received %u",
			 imv.section, imv.expect_messages, c->received);
	} else if (imv.reason[0]) {
		snprintf(reason, sizeof(reason), "%s", imv.reason);
	} else {
		snprintf(reason, sizeof(reason), "%s: received %u messages in %u batches, %u bad",
			 imv.section, c->received, c->batches, c->bad);
	}
	if (imv.set_attribute) {
		rc = imv.set_attribute(imv.id, c->id, TNC_ATTRIBUTEID_REASON_STRING,
				       (TNC_UInt32)strlen(reason) + 1, (TNC_BufferReference)reason);
		if (rc == TNC_RESULT_SUCCESS && imv.reason_language[0])
			rc = imv.set_attribute(imv.id, c->id, TNC_ATTRIBUTEID_REASON_LANGUAGE,
					       (TNC_UInt32)strlen(imv.reason_language),
					       (TNC_BufferReference)imv.reason_language);
		if (rc != TNC_RESULT_SUCCESS)
			log_error(LOG_SUBSYS_IMV, "imv-test: conn %lu: SetAttribute returned %lu",
				  c->id, rc);
	}
	c->recommended = true;
	return imv.provide_recommendation(imv.id, c->id, rec, eval);
}

/* Deliberate misuse of the TNCS API; the TNCS's results go to the stats line. */
static void misbehave_in_callback(imv_conn *c)
{
	uint8_t byte = 0;
	TNC_UInt32 len = 0;
	uint8_t bad_utf8[] = { 0xC0, 0x80, 0 };

	if (imv.send_unknown_conn) {
		note_result(imv.send_message(imv.id, c->id + 1000, &byte, 1,
					     TNC_MESSAGETYPE_PACK(imv.vendor_id, imv.subtype)));
		note_result(imv.provide_recommendation(imv.id, c->id + 1000, 0, 0));
	}
	if (imv.bad_args) {
		note_result(imv.send_message(imv.id, c->id, &byte, 1, TNC_MESSAGETYPE_ANY));
		note_result(imv.provide_recommendation(imv.id, c->id, 7, 0));
		note_result(imv.provide_recommendation(imv.id, c->id, 0, 9));
		note_result(imv.get_attribute(imv.id, c->id, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, 4,
					      NULL, &len));
		if (imv.set_attribute)
			note_result(imv.set_attribute(imv.id, c->id, TNC_ATTRIBUTEID_REASON_STRING,
						      sizeof(bad_utf8), bad_utf8));
		if (imv.send_message_long)
			note_result(imv.send_message_long(imv.id, c->id, 0, &byte, 1, 0, 1, 0x10000));
	}
}

TNC_IMV_API TNC_Result TNC_IMV_Initialize(TNC_IMVID imvID, TNC_Version minVersion,
					  TNC_Version maxVersion, TNC_Version *pOutActualVersion)
{
	TNC_Result rc = TNC_RESULT_SUCCESS;

	pthread_mutex_lock(&imv.lock);
	if (imv.initialized) {
		rc = TNC_RESULT_ALREADY_INITIALIZED;
		goto out;
	}
	if (minVersion > TNC_IFIMV_VERSION_1 || maxVersion < TNC_IFIMV_VERSION_1) {
		rc = TNC_RESULT_NO_COMMON_VERSION;
		goto out;
	}
	if (!pOutActualVersion) {
		rc = TNC_RESULT_INVALID_PARAMETER;
		goto out;
	}
	if (read_config() != TS_OK) {
		rc = TNC_RESULT_FATAL;
		goto out;
	}
	imv.id = imvID;
	imv.result_count = 0;
	imv.fatal_sent = false;
	imv.initialized = true;
	*pOutActualVersion = TNC_IFIMV_VERSION_1;
	log_info(LOG_SUBSYS_IMV, "imv-test [%s] initialized with ID %lu", imv.section, imvID);
out:
	pthread_mutex_unlock(&imv.lock);
	return rc;
}

static TNC_Result enter(TNC_IMVID imvID)
{
	pthread_mutex_lock(&imv.lock);
	if (!imv.initialized) {
		pthread_mutex_unlock(&imv.lock);
		return TNC_RESULT_NOT_INITIALIZED;
	}
	if (imvID != imv.id) {
		pthread_mutex_unlock(&imv.lock);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	return TNC_RESULT_SUCCESS;
}

static void *bind_one(TNC_TNCS_BindFunctionPointer bind, const char *name)
{
	void *fn = NULL;

	if (bind(imv.id, (char *)name, &fn) != TNC_RESULT_SUCCESS)
		return NULL;
	return fn;
}

TNC_IMV_API TNC_Result TNC_IMV_ProvideBindFunction(TNC_IMVID imvID,
						   TNC_TNCS_BindFunctionPointer bindFunction)
{
	TNC_VendorID vendor;
	TNC_MessageSubtype subtype;
	TNC_MessageType type;
	TNC_Result rc = enter(imvID);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	if (!bindFunction) {
		rc = TNC_RESULT_INVALID_PARAMETER;
		goto out;
	}
	imv.report_types = (TNC_TNCS_ReportMessageTypesPointer)bind_one(bindFunction, "TNC_TNCS_ReportMessageTypes");
	imv.report_types_long = (TNC_TNCS_ReportMessageTypesLongPointer)bind_one(bindFunction, "TNC_TNCS_ReportMessageTypesLong");
	imv.send_message = (TNC_TNCS_SendMessagePointer)bind_one(bindFunction, "TNC_TNCS_SendMessage");
	imv.send_message_long = (TNC_TNCS_SendMessageLongPointer)bind_one(bindFunction, "TNC_TNCS_SendMessageLong");
	imv.provide_recommendation = (TNC_TNCS_ProvideRecommendationPointer)bind_one(bindFunction, "TNC_TNCS_ProvideRecommendation");
	imv.get_attribute = (TNC_TNCS_GetAttributePointer)bind_one(bindFunction, "TNC_TNCS_GetAttribute");
	imv.set_attribute = (TNC_TNCS_SetAttributePointer)bind_one(bindFunction, "TNC_TNCS_SetAttribute");
	imv.request_retry = (TNC_TNCS_RequestHandshakeRetryPointer)bind_one(bindFunction, "TNC_TNCS_RequestHandshakeRetry");
	if (!imv.report_types || !imv.send_message || !imv.provide_recommendation ||
	    !imv.get_attribute) {
		log_error(LOG_SUBSYS_IMV, "imv-test: the TNCS lacks a required IF-IMV function");
		rc = TNC_RESULT_FATAL;
		goto out;
	}

	vendor = imv.wildcard ? TNC_VENDORID_ANY : imv.vendor_id;
	subtype = imv.wildcard ? TNC_SUBTYPE_ANY : imv.subtype;
	if (imv.legacy_api || !imv.report_types_long) {
		type = TNC_MESSAGETYPE_PACK(vendor, subtype);
		rc = imv.report_types(imv.id, &type, 1);
	} else {
		rc = imv.report_types_long(imv.id, &vendor, &subtype, 1);
	}
out:
	pthread_mutex_unlock(&imv.lock);
	return rc;
}

/* Reads the language and the identity count at the start of a handshake. */
static void read_attributes(imv_conn *c)
{
	uint8_t buf[1024];
	TNC_UInt32 len = 0;

	memset(c->language, 0, sizeof(c->language));
	if (imv.get_attribute(imv.id, c->id, TNC_ATTRIBUTEID_PREFERRED_LANGUAGE, sizeof(buf), buf,
			      &len) == TNC_RESULT_SUCCESS && len < sizeof(c->language))
		memcpy(c->language, buf, len);
	c->identities = 0;
	if (imv.get_attribute(imv.id, c->id, TNC_ATTRIBUTEID_AR_IDENTITIES, sizeof(buf), buf,
			      &len) == TNC_RESULT_SUCCESS && len >= 4)
		c->identities = (unsigned)buf[0] << 24 | (unsigned)buf[1] << 16 |
				(unsigned)buf[2] << 8 | buf[3];
}

TNC_IMV_API TNC_Result TNC_IMV_NotifyConnectionChange(TNC_IMVID imvID,
						      TNC_ConnectionID connectionID,
						      TNC_ConnectionState newState)
{
	TNC_Result rc = enter(imvID);
	imv_conn *c;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	c = find_conn(connectionID);
	switch (newState) {
	case TNC_CONNECTION_STATE_CREATE:
		if (c) {
			rc = TNC_RESULT_INVALID_PARAMETER;
			break;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			rc = TNC_RESULT_FATAL;
			break;
		}
		c->id = connectionID;
		c->reply_to = TNC_IMCID_ANY;
		c->next = imv.conns;
		imv.conns = c;
		break;
	case TNC_CONNECTION_STATE_HANDSHAKE:
		if (!c) {
			rc = TNC_RESULT_INVALID_PARAMETER;
			break;
		}
		c->handshakes++;
		c->batches = 0;
		c->received = 0;
		c->recommended = false;
		c->got_input = false;
		c->reply_to = TNC_IMCID_ANY;
		read_attributes(c);
		if (imv.send_outside) {
			uint8_t byte = 0;

			note_result(imv.send_message(imv.id, c->id, &byte, 1,
						     TNC_MESSAGETYPE_PACK(imv.vendor_id, imv.subtype)));
		}
		break;
	case TNC_CONNECTION_STATE_ACCESS_ALLOWED:
	case TNC_CONNECTION_STATE_ACCESS_ISOLATED:
	case TNC_CONNECTION_STATE_ACCESS_NONE:
		if (c)
			c->state = newState;
		else
			rc = TNC_RESULT_INVALID_PARAMETER;
		break;
	case TNC_CONNECTION_STATE_DELETE:
		if (!c) {
			rc = TNC_RESULT_INVALID_PARAMETER;
			break;
		}
		write_stats(c);
		for (imv_conn **link = &imv.conns; *link; link = &(*link)->next) {
			if (*link == c) {
				*link = c->next;
				break;
			}
		}
		free(c);
		break;
	default:
		rc = TNC_RESULT_INVALID_PARAMETER;
		break;
	}
	pthread_mutex_unlock(&imv.lock);
	return rc;
}

static TNC_Result receive(TNC_ConnectionID connectionID, const uint8_t *message,
			  TNC_UInt32 length, TNC_UInt32 source)
{
	imv_conn *c = find_conn(connectionID);

	if (!c)
		return TNC_RESULT_INVALID_PARAMETER;
	if (imv.fatal && !imv.fatal_sent) {
		imv.fatal_sent = true;
		return TNC_RESULT_FATAL;
	}
	if (message && valid_message(message, length)) {
		c->received++;
		c->received_total++;
	} else {
		c->bad++;
	}
	if (!c->got_input)
		misbehave_in_callback(c);
	c->got_input = true;
	c->reply_to = source;
	return imv.error_result ? TNC_RESULT_OTHER : TNC_RESULT_SUCCESS;
}

TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessage(TNC_IMVID imvID, TNC_ConnectionID connectionID,
					      TNC_BufferReference messageBuffer,
					      TNC_UInt32 messageLength, TNC_MessageType messageType)
{
	TNC_Result rc = enter(imvID);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	rc = receive(connectionID, messageBuffer, messageLength, TNC_IMCID_ANY);
	pthread_mutex_unlock(&imv.lock);
	return rc;
}

TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessageLong(TNC_IMVID imvID, TNC_ConnectionID connectionID,
						  TNC_UInt32 messageFlags,
						  TNC_BufferReference message,
						  TNC_UInt32 messageLength,
						  TNC_VendorID messageVendorID,
						  TNC_MessageSubtype messageSubtype,
						  TNC_UInt32 sourceIMCID, TNC_UInt32 destinationIMVID)
{
	TNC_Result rc = enter(imvID);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	if ((messageFlags & TNC_MESSAGE_FLAGS_EXCLUSIVE) && destinationIMVID != imv.id) {
		imv_conn *c = find_conn(connectionID);

		if (c)
			c->bad++;
		rc = TNC_RESULT_INVALID_PARAMETER;
	} else {
		rc = receive(connectionID, message, messageLength, sourceIMCID);
	}
	pthread_mutex_unlock(&imv.lock);
	return rc;
}

TNC_IMV_API TNC_Result TNC_IMV_BatchEnding(TNC_IMVID imvID, TNC_ConnectionID connectionID)
{
	TNC_Result rc = enter(imvID);
	imv_conn *c;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	c = find_conn(connectionID);
	if (!c) {
		rc = TNC_RESULT_INVALID_PARAMETER;
		goto out;
	}
	if (c->got_input && !c->recommended) {
		c->batches++;
		if (c->batches < imv.rounds)
			rc = send_reply(c);
		else if (imv.provide == PROVIDE_LAST_ROUND)
			rc = recommend(c);
	}
	c->got_input = false;
	if (rc == TNC_RESULT_SUCCESS && imv.error_result)
		rc = TNC_RESULT_OTHER;
out:
	pthread_mutex_unlock(&imv.lock);
	return rc;
}

TNC_IMV_API TNC_Result TNC_IMV_SolicitRecommendation(TNC_IMVID imvID,
						     TNC_ConnectionID connectionID)
{
	TNC_Result rc = enter(imvID);
	imv_conn *c;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	c = find_conn(connectionID);
	if (!c) {
		rc = TNC_RESULT_INVALID_PARAMETER;
		goto out;
	}
	c->solicited++;
	if (imv.provide != PROVIDE_NEVER)
		rc = recommend(c);
out:
	pthread_mutex_unlock(&imv.lock);
	return rc;
}

TNC_IMV_API TNC_Result TNC_IMV_Terminate(TNC_IMVID imvID)
{
	TNC_Result rc = enter(imvID);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	while (imv.conns) {
		imv_conn *c = imv.conns;

		imv.conns = c->next;
		free(c);
	}
	free(imv.stats_file);
	imv.stats_file = NULL;
	imv.initialized = false;
	pthread_mutex_unlock(&imv.lock);
	return TNC_RESULT_SUCCESS;
}
