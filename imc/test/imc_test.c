/*
 * imc-test.so: an IMC for testing TNC clients and the IF-IMC host.
 *
 * It uses only the IF-IMC 1.3 API. In BeginHandshake it sends `messages`
 * PA messages; after each batch in which it received messages from an IMV
 * it sends the next round, up to `rounds` rounds. It can request handshake
 * retries and, for host tests, misbehave on purpose.
 *
 * Configuration: the section named like the library file without ".so"
 * (so a copy "imc-test-b.so" reads [imc-test-b]) if the file of
 * $TNCSUITE_CONF has it, else [imc-test]:
 *
 *   rounds = 2            rounds of messages in one handshake
 *   messages = 1          messages per round
 *   message_size = 64     octets per message (at least 20)
 *   vendor_id = 0         PA message vendor ID and subtype (IETF Testing)
 *   subtype = 0
 *   legacy_api = no       yes: ReportMessageTypes/SendMessage instead of Long
 *   wildcard = no         yes: subscribe to every message type
 *   exclusive = no        yes: reply with the exclusive flag to the IMV that sent
 *   extra_ids = 0         additional IMC IDs to reserve and send from in turn
 *   retries = 0           handshake retries to request, one per result
 *   misbehave =           comma list: send_outside, send_unknown_conn,
 *                         bad_args, error_result, fatal
 *   stats_file =          appends one line per connection at DELETE
 *   log_level =             0 to 4 (default: the level of the host that loaded it)
 *
 * Message layout (all integers big-endian):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Magic "TNCT"                             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Sender 'C'/'V' |                  Reserved                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                            Round                              |
 *   |                            Index                              |
 *   |                            Count                              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Filler: octet i (from 0) = (i * 7 + Round) mod 256 ...       |
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
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "reader.h"
#include "tncifimc.h"
#include "writer.h"

#define MSG_HEADER_SIZE 20
#define MAX_MESSAGES    100000
#define MAX_SIZE        (16 * 1024 * 1024)
#define MAX_EXTRA_IDS   16
#define MAX_RESULTS     32

typedef struct imc_conn {
	TNC_ConnectionID id;
	unsigned handshakes;
	unsigned round;           /* rounds sent in this handshake */
	unsigned received;        /* valid messages received, all handshakes */
	unsigned bad;             /* malformed messages received */
	bool got_input;           /* received a message in the current batch */
	TNC_UInt32 reply_to;      /* IMV that sent the last message */
	TNC_ConnectionState state;
	unsigned retries_left;
	struct imc_conn *next;
} imc_conn;

static struct {
	pthread_mutex_t lock;
	bool initialized;
	TNC_IMCID id;
	TNC_UInt32 ids[1 + MAX_EXTRA_IDS];
	unsigned id_count;
	char section[64];

	/* Configuration. */
	unsigned rounds, messages, message_size, extra_ids, retries;
	uint32_t vendor_id, subtype;
	bool legacy_api, wildcard, exclusive;
	bool send_outside, send_unknown_conn, bad_args, error_result, fatal;
	char *stats_file;

	/* Bound TNCC functions. */
	TNC_TNCC_ReportMessageTypesPointer report_types;
	TNC_TNCC_ReportMessageTypesLongPointer report_types_long;
	TNC_TNCC_SendMessagePointer send_message;
	TNC_TNCC_SendMessageLongPointer send_message_long;
	TNC_TNCC_RequestHandshakeRetryPointer request_retry;
	TNC_TNCC_GetAttributePointer get_attribute;
	TNC_TNCC_SetAttributePointer set_attribute;
	TNC_TNCC_ReserveAdditionalIMCIDPointer reserve_id;

	/* Results the TNCC returned to deliberate misbehaviour, for the stats line. */
	TNC_Result results[MAX_RESULTS];
	unsigned result_count;
	bool fatal_sent;

	imc_conn *conns;
} imc = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void note_result(TNC_Result rc)
{
	if (imc.result_count < MAX_RESULTS)
		imc.results[imc.result_count++] = rc;
}

/* The section name: the library's file name without ".so", if the file has it. */
static void choose_section(const conf_t *conf)
{
	Dl_info info;

	snprintf(imc.section, sizeof(imc.section), "imc-test");
	if (dladdr((void *)TNC_IMC_Initialize, &info) && info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');
		char name[64];
		size_t len;

		base = base ? base + 1 : info.dli_fname;
		len = strcspn(base, ".");
		if (len > 0 && len < sizeof(name)) {
			memcpy(name, base, len);
			name[len] = '\0';
			if (conf_has_section(conf, name))
				snprintf(imc.section, sizeof(imc.section), "%s", name);
		}
	}
}

static int read_config(void)
{
	const char *s = imc.section;
	conf_t *conf = NULL;
	long long v;
	bool b;
	const char *text;
	int rc;

	rc = conf_load(conf_default_path(), &conf);
	if (rc == TS_E_NOT_FOUND)
		conf = conf_new_empty();
	else if (rc != TS_OK)
		return rc;
	if (!conf)
		return TS_E_NOMEM;
	choose_section(conf);
	s = imc.section;

	rc = TS_E_CONFIG;
	if (conf_get_int(conf, s, "log_level", log_get_level(LOG_SUBSYS_IMC), 0, 4, &v) != TS_OK)
		goto out;
	log_set_level(LOG_SUBSYS_IMC, (int)v);
	if (conf_get_int(conf, s, "rounds", 2, 1, 1000, &v) != TS_OK)
		goto out;
	imc.rounds = (unsigned)v;
	if (conf_get_int(conf, s, "messages", 1, 0, MAX_MESSAGES, &v) != TS_OK)
		goto out;
	imc.messages = (unsigned)v;
	if (conf_get_int(conf, s, "message_size", 64, MSG_HEADER_SIZE, MAX_SIZE, &v) != TS_OK)
		goto out;
	imc.message_size = (unsigned)v;
	if (conf_get_int(conf, s, "vendor_id", 0, 0, 0xFFFFFE, &v) != TS_OK)
		goto out;
	imc.vendor_id = (uint32_t)v;
	if (conf_get_int(conf, s, "subtype", 0, 0, 0xFFFFFFFE, &v) != TS_OK)
		goto out;
	imc.subtype = (uint32_t)v;
	if (conf_get_int(conf, s, "extra_ids", 0, 0, MAX_EXTRA_IDS, &v) != TS_OK)
		goto out;
	imc.extra_ids = (unsigned)v;
	if (conf_get_int(conf, s, "retries", 0, 0, 100, &v) != TS_OK)
		goto out;
	imc.retries = (unsigned)v;
	if (conf_get_bool(conf, s, "legacy_api", false, &b) != TS_OK)
		goto out;
	imc.legacy_api = b;
	if (conf_get_bool(conf, s, "wildcard", false, &b) != TS_OK)
		goto out;
	imc.wildcard = b;
	if (conf_get_bool(conf, s, "exclusive", false, &b) != TS_OK)
		goto out;
	imc.exclusive = b;

	text = conf_get_str(conf, s, "misbehave", "");
	imc.send_outside = strstr(text, "send_outside") != NULL;
	imc.send_unknown_conn = strstr(text, "send_unknown_conn") != NULL;
	imc.bad_args = strstr(text, "bad_args") != NULL;
	imc.error_result = strstr(text, "error_result") != NULL;
	imc.fatal = strstr(text, "fatal") != NULL;

	if (conf_get_path(conf, s, "stats_file", NULL, &imc.stats_file) != TS_OK)
		goto out;
	rc = TS_OK;
out:
	conf_free(conf);
	return rc;
}

static imc_conn *find_conn(TNC_ConnectionID id)
{
	for (imc_conn *c = imc.conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void write_stats(const imc_conn *c)
{
	char line[1024];
	int n, fd;

	if (!imc.stats_file)
		return;
	n = snprintf(line, sizeof(line),
		     "imc %s conn=%lu handshakes=%u rounds=%u received=%u bad=%u state=%lu results=",
		     imc.section, c->id, c->handshakes, c->round, c->received, c->bad, c->state);
	for (unsigned i = 0; i < imc.result_count && n > 0 && (size_t)n < sizeof(line) - 16; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%lu", i ? "," : "",
			      imc.results[i]);
	if (n <= 0 || (size_t)n >= sizeof(line) - 1)
		return;
	line[n++] = '\n';
	fd = open(imc.stats_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		log_error(LOG_SUBSYS_IMC, "imc-test: cannot write %s", imc.stats_file);
	close(fd);
}

static void build_message(writer_t *w, unsigned round, unsigned index, unsigned count)
{
	writer_bytes(w, "TNCT", 4);
	writer_u8(w, 'C');
	writer_zeros(w, 3);
	writer_u32(w, round);
	writer_u32(w, index);
	writer_u32(w, count);
	for (unsigned i = 0; i < imc.message_size - MSG_HEADER_SIZE; i++)
		writer_u8(w, (uint8_t)(i * 7 + round));
}

/* Checks a message from imv-test: header, sender and filler. */
static bool valid_message(const uint8_t *data, size_t len)
{
	reader_t r;
	const uint8_t *magic;
	uint8_t sender;
	uint32_t round, index, count;

	reader_init(&r, data, len);
	if (reader_bytes(&r, 4, &magic) != TS_OK || memcmp(magic, "TNCT", 4) != 0 ||
	    reader_u8(&r, &sender) != TS_OK || sender != 'V' || reader_skip(&r, 3) != TS_OK ||
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

/* Sends one round of messages; called with imc.lock held. */
static TNC_Result send_round(imc_conn *c)
{
	writer_t w;
	TNC_Result rc = TNC_RESULT_SUCCESS;

	c->round++;
	writer_init(&w, MAX_SIZE);
	for (unsigned k = 0; k < imc.messages && rc == TNC_RESULT_SUCCESS; k++) {
		TNC_UInt32 source = imc.ids[k % imc.id_count];
		bool excl = imc.exclusive && c->reply_to != TNC_IMVID_ANY;

		writer_reset(&w);
		build_message(&w, c->round, k, imc.messages);
		if (writer_status(&w) != TS_OK) {
			rc = TNC_RESULT_FATAL;
			break;
		}
		if (imc.legacy_api || !imc.send_message_long)
			rc = imc.send_message(source, c->id, (TNC_BufferReference)w.data, w.len,
					      TNC_MESSAGETYPE_PACK(imc.vendor_id, imc.subtype));
		else
			rc = imc.send_message_long(source, c->id,
						   excl ? TNC_MESSAGE_FLAGS_EXCLUSIVE : 0,
						   (TNC_BufferReference)w.data, w.len, imc.vendor_id,
						   imc.subtype, excl ? c->reply_to : TNC_IMVID_ANY);
		if (rc != TNC_RESULT_SUCCESS)
			log_error(LOG_SUBSYS_IMC, "imc-test: conn %lu: send returned %lu", c->id, rc);
	}
	writer_free(&w);
	return rc;
}

/* Deliberate misuse of the TNCC API; the TNCC's results go to the stats line. */
static void misbehave_in_callback(imc_conn *c)
{
	uint8_t byte = 0;

	if (imc.send_unknown_conn)
		note_result(imc.send_message(imc.id, c->id + 1000, &byte, 1,
					     TNC_MESSAGETYPE_PACK(imc.vendor_id, imc.subtype)));
	if (imc.bad_args) {
		/* Reserved type, NULL message with a length, exclusive without destination. */
		note_result(imc.send_message(imc.id, c->id, &byte, 1, TNC_MESSAGETYPE_ANY));
		if (imc.send_message_long) {
			note_result(imc.send_message_long(imc.id, c->id, 0, NULL, 10, 0, 1,
							  TNC_IMVID_ANY));
			note_result(imc.send_message_long(imc.id, c->id,
							  TNC_MESSAGE_FLAGS_EXCLUSIVE, &byte, 1, 0,
							  1, TNC_IMVID_ANY));
			note_result(imc.send_message_long(imc.id, c->id, 0x1, &byte, 1, 0, 1,
							  TNC_IMVID_ANY));
		}
		note_result(imc.get_attribute(imc.id, c->id, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, 4,
					      &byte, NULL));
		note_result(imc.report_types(imc.id, NULL, 3));
		note_result(imc.send_message(imc.id + 100, c->id, &byte, 1, 1));
		note_result(imc.request_retry(imc.id, c->id, 99));
	}
}

TNC_IMC_API TNC_Result TNC_IMC_Initialize(TNC_IMCID imcID, TNC_Version minVersion,
					  TNC_Version maxVersion, TNC_Version *pOutActualVersion)
{
	TNC_Result rc = TNC_RESULT_SUCCESS;

	pthread_mutex_lock(&imc.lock);
	if (imc.initialized) {
		rc = TNC_RESULT_ALREADY_INITIALIZED;
		goto out;
	}
	if (minVersion > TNC_IFIMC_VERSION_1 || maxVersion < TNC_IFIMC_VERSION_1) {
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
	imc.id = imcID;
	imc.ids[0] = imcID;
	imc.id_count = 1;
	imc.result_count = 0;
	imc.fatal_sent = false;
	imc.initialized = true;
	*pOutActualVersion = TNC_IFIMC_VERSION_1;
	log_info(LOG_SUBSYS_IMC, "imc-test [%s] initialized with ID %lu", imc.section, imcID);
out:
	pthread_mutex_unlock(&imc.lock);
	return rc;
}

/* Checks the common preconditions; returns SUCCESS with imc.lock held. */
static TNC_Result enter(TNC_IMCID imcID)
{
	pthread_mutex_lock(&imc.lock);
	if (!imc.initialized) {
		pthread_mutex_unlock(&imc.lock);
		return TNC_RESULT_NOT_INITIALIZED;
	}
	if (imcID != imc.id) {
		pthread_mutex_unlock(&imc.lock);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	return TNC_RESULT_SUCCESS;
}

static void *bind_one(TNC_TNCC_BindFunctionPointer bind, const char *name)
{
	void *fn = NULL;

	if (bind(imc.id, (char *)name, &fn) != TNC_RESULT_SUCCESS)
		return NULL;
	return fn;
}

TNC_IMC_API TNC_Result TNC_IMC_ProvideBindFunction(TNC_IMCID imcID,
						   TNC_TNCC_BindFunctionPointer bindFunction)
{
	TNC_VendorID vendor;
	TNC_MessageSubtype subtype;
	TNC_MessageType type;
	TNC_Result rc = enter(imcID);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	if (!bindFunction) {
		rc = TNC_RESULT_INVALID_PARAMETER;
		goto out;
	}
	imc.report_types = (TNC_TNCC_ReportMessageTypesPointer)bind_one(bindFunction, "TNC_TNCC_ReportMessageTypes");
	imc.report_types_long = (TNC_TNCC_ReportMessageTypesLongPointer)bind_one(bindFunction, "TNC_TNCC_ReportMessageTypesLong");
	imc.send_message = (TNC_TNCC_SendMessagePointer)bind_one(bindFunction, "TNC_TNCC_SendMessage");
	imc.send_message_long = (TNC_TNCC_SendMessageLongPointer)bind_one(bindFunction, "TNC_TNCC_SendMessageLong");
	imc.request_retry = (TNC_TNCC_RequestHandshakeRetryPointer)bind_one(bindFunction, "TNC_TNCC_RequestHandshakeRetry");
	imc.get_attribute = (TNC_TNCC_GetAttributePointer)bind_one(bindFunction, "TNC_TNCC_GetAttribute");
	imc.set_attribute = (TNC_TNCC_SetAttributePointer)bind_one(bindFunction, "TNC_TNCC_SetAttribute");
	imc.reserve_id = (TNC_TNCC_ReserveAdditionalIMCIDPointer)bind_one(bindFunction, "TNC_TNCC_ReserveAdditionalIMCID");
	if (!imc.report_types || !imc.send_message || !imc.request_retry || !imc.get_attribute) {
		log_error(LOG_SUBSYS_IMC, "imc-test: the TNCC lacks a required IF-IMC function");
		rc = TNC_RESULT_FATAL;
		goto out;
	}

	vendor = imc.wildcard ? TNC_VENDORID_ANY : imc.vendor_id;
	subtype = imc.wildcard ? TNC_SUBTYPE_ANY : imc.subtype;
	if (imc.legacy_api || !imc.report_types_long) {
		type = TNC_MESSAGETYPE_PACK(vendor, subtype);
		rc = imc.report_types(imc.id, &type, 1);
	} else {
		rc = imc.report_types_long(imc.id, &vendor, &subtype, 1);
	}
	if (rc != TNC_RESULT_SUCCESS)
		goto out;

	for (unsigned i = 0; i < imc.extra_ids && imc.reserve_id; i++) {
		TNC_UInt32 extra;

		rc = imc.reserve_id(imc.id, &extra);
		if (rc != TNC_RESULT_SUCCESS)
			goto out;
		imc.ids[imc.id_count++] = extra;
	}
out:
	pthread_mutex_unlock(&imc.lock);
	return rc;
}

TNC_IMC_API TNC_Result TNC_IMC_NotifyConnectionChange(TNC_IMCID imcID,
						      TNC_ConnectionID connectionID,
						      TNC_ConnectionState newState)
{
	TNC_Result rc = enter(imcID);
	imc_conn *c;

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
		c->retries_left = imc.retries;
		c->reply_to = TNC_IMVID_ANY;
		c->next = imc.conns;
		imc.conns = c;
		break;
	case TNC_CONNECTION_STATE_HANDSHAKE:
		if (!c) {
			rc = TNC_RESULT_INVALID_PARAMETER;
			break;
		}
		c->handshakes++;
		c->round = 0;
		c->got_input = false;
		c->reply_to = TNC_IMVID_ANY;
		if (imc.send_outside) {
			uint8_t byte = 0;

			note_result(imc.send_message(imc.id, c->id, &byte, 1,
						     TNC_MESSAGETYPE_PACK(imc.vendor_id, imc.subtype)));
		}
		break;
	case TNC_CONNECTION_STATE_ACCESS_ALLOWED:
	case TNC_CONNECTION_STATE_ACCESS_ISOLATED:
	case TNC_CONNECTION_STATE_ACCESS_NONE:
		if (!c) {
			rc = TNC_RESULT_INVALID_PARAMETER;
			break;
		}
		c->state = newState;
		if (c->retries_left > 0) {
			c->retries_left--;
			rc = imc.request_retry(imc.id, c->id, TNC_RETRY_REASON_IMC_PERIODIC);
			log_info(LOG_SUBSYS_IMC, "imc-test: conn %lu: retry request returned %lu",
				 c->id, rc);
			rc = TNC_RESULT_SUCCESS;
		}
		break;
	case TNC_CONNECTION_STATE_DELETE:
		if (!c) {
			rc = TNC_RESULT_INVALID_PARAMETER;
			break;
		}
		write_stats(c);
		for (imc_conn **link = &imc.conns; *link; link = &(*link)->next) {
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
	pthread_mutex_unlock(&imc.lock);
	return rc;
}

TNC_IMC_API TNC_Result TNC_IMC_BeginHandshake(TNC_IMCID imcID, TNC_ConnectionID connectionID)
{
	TNC_Result rc = enter(imcID);
	imc_conn *c;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	c = find_conn(connectionID);
	if (!c) {
		rc = TNC_RESULT_INVALID_PARAMETER;
		goto out;
	}
	misbehave_in_callback(c);
	rc = send_round(c);
out:
	pthread_mutex_unlock(&imc.lock);
	return rc;
}

/* Counts a received message; called with imc.lock held. */
static TNC_Result receive(TNC_ConnectionID connectionID, const uint8_t *message,
			  TNC_UInt32 length, TNC_UInt32 source)
{
	imc_conn *c = find_conn(connectionID);

	if (!c)
		return TNC_RESULT_INVALID_PARAMETER;
	if (imc.fatal && !imc.fatal_sent) {
		imc.fatal_sent = true;
		return TNC_RESULT_FATAL;
	}
	if (message && valid_message(message, length))
		c->received++;
	else
		c->bad++;
	c->got_input = true;
	c->reply_to = source;
	return imc.error_result ? TNC_RESULT_OTHER : TNC_RESULT_SUCCESS;
}

TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessage(TNC_IMCID imcID, TNC_ConnectionID connectionID,
					      TNC_BufferReference messageBuffer,
					      TNC_UInt32 messageLength, TNC_MessageType messageType)
{
	TNC_Result rc = enter(imcID);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	rc = receive(connectionID, messageBuffer, messageLength, TNC_IMVID_ANY);
	pthread_mutex_unlock(&imc.lock);
	return rc;
}

TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessageLong(TNC_IMCID imcID, TNC_ConnectionID connectionID,
						  TNC_UInt32 messageFlags,
						  TNC_BufferReference message,
						  TNC_UInt32 messageLength,
						  TNC_VendorID messageVendorID,
						  TNC_MessageSubtype messageSubtype,
						  TNC_UInt32 sourceIMVID, TNC_UInt32 destinationIMCID)
{
	TNC_Result rc = enter(imcID);
	bool mine = false;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	/* An exclusive message must name one of this IMC's IDs. */
	for (unsigned i = 0; i < imc.id_count; i++)
		mine = mine || destinationIMCID == imc.ids[i];
	if ((messageFlags & TNC_MESSAGE_FLAGS_EXCLUSIVE) && !mine) {
		imc_conn *c = find_conn(connectionID);

		if (c)
			c->bad++;
		rc = TNC_RESULT_INVALID_PARAMETER;
	} else {
		rc = receive(connectionID, message, messageLength, sourceIMVID);
	}
	pthread_mutex_unlock(&imc.lock);
	return rc;
}

TNC_IMC_API TNC_Result TNC_IMC_BatchEnding(TNC_IMCID imcID, TNC_ConnectionID connectionID)
{
	TNC_Result rc = enter(imcID);
	imc_conn *c;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	c = find_conn(connectionID);
	if (!c) {
		rc = TNC_RESULT_INVALID_PARAMETER;
		goto out;
	}
	if (c->got_input && c->round < imc.rounds)
		rc = send_round(c);
	c->got_input = false;
	if (rc == TNC_RESULT_SUCCESS && imc.error_result)
		rc = TNC_RESULT_OTHER;
out:
	pthread_mutex_unlock(&imc.lock);
	return rc;
}

TNC_IMC_API TNC_Result TNC_IMC_Terminate(TNC_IMCID imcID)
{
	TNC_Result rc = enter(imcID);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	while (imc.conns) {
		imc_conn *c = imc.conns;

		imc.conns = c->next;
		free(c);
	}
	free(imc.stats_file);
	imc.stats_file = NULL;
	imc.initialized = false;
	pthread_mutex_unlock(&imc.lock);
	return TNC_RESULT_SUCCESS;
}
