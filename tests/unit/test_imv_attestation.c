/*
 * Tests of imv-attestation through its TNC_IMV_* entry points, with a small
 * recording TNCS in this file:
 *
 *  - the strongSwan 6.0.6 exchange of run 1 replayed at the right steps
 *    (the captured quote was made for strongSwan's nonces, so this IMV must
 *    reject it);
 *  - registration and comparison of the 105 captured measurements, and the
 *    captured quote verified with the captured secret, through the IMV's
 *    own steps;
 *  - full attestations against swtpm: a real event log is extended into the
 *    PCRs with tpm2_pcrextend, and tpm2_quote quotes over the secret this
 *    IMV derived. Then a changed measurement, a wrong PCR, an old nonce, an
 *    untrusted AK, a missing quote and database failures are rejected.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_swtpm.h"
#include "test_util.h"

#include "attest/dh_nonce.h"
#include "attest/meas_algo.h"
#include "attest/tpm2_ak.h"
#include "attest/tpm2_quote.h"
#include "attest/tpm2_quote_info.h"
#include "attestation/imvatt.h"
#include "eventlog/eventlog.h"
#include "ima/ima.h"
#include "pa/ietf_assessment_result.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_string_version.h"
#include "pts/pts_caps.h"
#include "pts/pts_dh.h"
#include "pts/pts_file.h"
#include "pts/pts_meas_algo.h"
#include "pts/pts_sef.h"
#include "pts/pts_tpm.h"
#include "pts/seg_attr.h"
#include "reader.h"
#include "tncifimv.h"

#include <openssl/pem.h>
#include <openssl/sha.h>

#define IMV_ID 2
#define IMC_OS_ID 1
#define IMC_ATT_ID 2
#define RUN1_DEVICE "8cb3c7e3d94d84e8578949d3f271a09d987b069b"
#define RUN1_EVENTS 105
/* PT-TLS's maximum PA-TNC message size in strongSwan 6.0.6 (2097080 + 24). */
#define TEST_MAX_MSG_SIZE 2097104u

/* ---- the recording TNCS ---- */

typedef struct sent_msg {
	uint32_t flags, vendor, subtype, dst;
	uint8_t *data;
	size_t len;
} sent_msg;

static sent_msg sent[64];
static size_t nsent;
static int last_rec = -1, last_eval = -1;
static char last_reason[2048];
static char tmpdir[64];
/* Per-connection recommendations, for the tests that run connections in threads. */
#define MAX_CONN 64
static int conn_rec[MAX_CONN];
static char conn_reason[MAX_CONN][512];
static bool record_sent = true;
static pthread_mutex_t tncs_lock = PTHREAD_MUTEX_INITIALIZER;
static char test_db[128];

static TNC_Result tncs_report_long(TNC_IMVID id, TNC_VendorIDList v, TNC_MessageSubtypeList s, TNC_UInt32 n)
{
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_send_long(TNC_IMVID id, TNC_ConnectionID conn, TNC_UInt32 flags, TNC_BufferReference msg,
				 TNC_UInt32 len, TNC_VendorID vendor, TNC_MessageSubtype subtype, TNC_UInt32 dst)
{
	if (!record_sent)
		return TNC_RESULT_SUCCESS;
	ck_assert_uint_lt(nsent, 64);
	sent[nsent].flags = flags;
	sent[nsent].vendor = vendor;
	sent[nsent].subtype = subtype;
	sent[nsent].dst = dst;
	sent[nsent].data = malloc(len);
	memcpy(sent[nsent].data, msg, len);
	sent[nsent].len = len;
	nsent++;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_provide(TNC_IMVID id, TNC_ConnectionID conn, TNC_IMV_Action_Recommendation rec,
			       TNC_IMV_Evaluation_Result eval)
{
	pthread_mutex_lock(&tncs_lock);
	last_rec = (int)rec;
	last_eval = (int)eval;
	if (conn < MAX_CONN)
		conn_rec[conn] = (int)rec;
	pthread_mutex_unlock(&tncs_lock);
	return TNC_RESULT_SUCCESS;
}

/* Whether the test TNCS has an AR identity (username "dave") for every connection. */
static bool with_identity;

static TNC_Result tncs_get_attr(TNC_IMVID id, TNC_ConnectionID conn, TNC_AttributeID attr, TNC_UInt32 buf_len,
				TNC_BufferReference buf, TNC_UInt32 *out_len)
{
	if (attr == TNC_ATTRIBUTEID_AR_IDENTITIES && with_identity) {
		/* IF-IMV 1.4 layout: count, then type vendor, type, value, subject and method (vendor, id). */
		static const uint8_t ids[] = {
			0, 0, 0, 1,
			0x00, 0x00, 0x55, 0x97, 0, 0, 0, 5, 0, 0, 0, 4, 'd', 'a', 'v', 'e',
			0x00, 0x00, 0x55, 0x97, 0, 0, 0, 1, 0x00, 0x00, 0x55, 0x97, 0, 0, 0, 1,
		};

		*out_len = sizeof(ids);
		if (buf_len >= sizeof(ids))
			memcpy(buf, ids, sizeof(ids));
		return TNC_RESULT_SUCCESS;
	}
	if (attr != TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE)
		return TNC_RESULT_INVALID_PARAMETER;
	*out_len = 4;
	if (buf_len >= 4) {
		buf[0] = TEST_MAX_MSG_SIZE >> 24;
		buf[1] = (TEST_MAX_MSG_SIZE >> 16) & 0xFF;
		buf[2] = (TEST_MAX_MSG_SIZE >> 8) & 0xFF;
		buf[3] = TEST_MAX_MSG_SIZE & 0xFF;
	}
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_set_attr(TNC_IMVID id, TNC_ConnectionID conn, TNC_AttributeID attr, TNC_UInt32 len,
				TNC_BufferReference buf)
{
	if (attr == TNC_ATTRIBUTEID_REASON_STRING) {
		size_t n = len < sizeof(last_reason) - 1 ? len : sizeof(last_reason) - 1;

		pthread_mutex_lock(&tncs_lock);
		memcpy(last_reason, buf, n);
		last_reason[n] = '\0';
		if (conn < MAX_CONN)
			snprintf(conn_reason[conn], sizeof(conn_reason[0]), "%.*s", (int)(n < 511 ? n : 511), (const char *)buf);
		pthread_mutex_unlock(&tncs_lock);
	}
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_bind(TNC_IMVID id, char *name, void **fn)
{
	if (strcmp(name, "TNC_TNCS_ReportMessageTypesLong") == 0)
		*fn = (void *)tncs_report_long;
	else if (strcmp(name, "TNC_TNCS_SendMessageLong") == 0)
		*fn = (void *)tncs_send_long;
	else if (strcmp(name, "TNC_TNCS_ProvideRecommendation") == 0)
		*fn = (void *)tncs_provide;
	else if (strcmp(name, "TNC_TNCS_GetAttribute") == 0)
		*fn = (void *)tncs_get_attr;
	else if (strcmp(name, "TNC_TNCS_SetAttribute") == 0)
		*fn = (void *)tncs_set_attr;
	else
		return TNC_RESULT_INVALID_PARAMETER;
	return TNC_RESULT_SUCCESS;
}

static void clear_sent(void)
{
	for (size_t i = 0; i < nsent; i++)
		free(sent[i].data);
	nsent = 0;
}

/* The value of the first sent attribute (vendor, type) in a TCG/PTS or IETF/OS message, or NULL. */
static const pa_attr *find_sent(uint32_t vendor, uint32_t type, pa_msg **keep)
{
	for (size_t i = 0; i < nsent; i++) {
		pa_msg *msg = NULL;
		const pa_attr *a;
		size_t pos = 0;

		ck_assert_int_eq(pa_msg_parse(sent[i].data, sent[i].len, NULL, &msg, NULL), TS_OK);
		a = pa_msg_find(msg, vendor, type, &pos);
		if (a) {
			*keep = msg;
			return a;
		}
		pa_msg_free(msg);
	}
	return NULL;
}

/* 200 ms keeps the locked-database tests short; tests that need no lock failures raise it. */
static int busy_timeout_ms = 200;

static void write_conf(const char *extra)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tncsuite.conf", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[imv]\ndatabase = %s\n[imv-attestation]\nhash_algorithm = sha256\ndh_group = ecp256\n"
		"allow_modp1024 = yes\nuntrusted_ak = isolate\nfail_closed = no-access\nbusy_timeout = %d\n%s",
		test_db, busy_timeout_ms, extra ? extra : "");
	fclose(f);
	setenv("TNCSUITE_CONF", path, 1);
}

/* A fresh config.db with one TPMRA policy (argument arg) on the Default group. */
static void make_db(const char *arg, const char *device, int trusted)
{
	char sql[1024];
	db_t *db = NULL;

	ck_assert_int_eq(db_init(test_db, 0, &db), TS_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO policies (type, name, argument, rec_fail, rec_noresult) VALUES (16, 'TPM', '%s', 2, 2);"
		 "INSERT INTO enforcements (policy, group_id, max_age) VALUES (1, 1, 0);"
		 "INSERT INTO products (name) VALUES ('Debian 12 x86_64');"
		 "INSERT INTO devices (value, description, product, trusted, inactive) VALUES ('%s', '', 1, %d, 0);",
		 arg, device, trusted);
	ck_assert_int_eq(db_exec(db, sql), TS_OK);
	db_close(db);
}

static void setup(void)
{
	TNC_Version v = 0;

	strcpy(tmpdir, "/tmp/test_imvatt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(test_db, sizeof(test_db), "%s/config.db", tmpdir);
	write_conf(NULL);
	ck_assert_uint_eq(TNC_IMV_Initialize(IMV_ID, 1, 1, &v), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(TNC_IMV_ProvideBindFunction(IMV_ID, tncs_bind), TNC_RESULT_SUCCESS);
	last_rec = last_eval = -1;
	last_reason[0] = '\0';
	for (size_t i = 0; i < MAX_CONN; i++)
		conn_rec[i] = -1;
}

static void teardown(void)
{
	char cmd[128];

	clear_sent();
	TNC_IMV_Terminate(IMV_ID);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void deliver(TNC_ConnectionID conn, uint32_t vendor, uint32_t subtype, uint32_t src, const uint8_t *msg,
		    size_t len)
{
	ck_assert_uint_eq(TNC_IMV_ReceiveMessageLong(IMV_ID, conn, 0, (TNC_BufferReference)msg, (TNC_UInt32)len,
						     vendor, subtype, src, IMV_ID), TNC_RESULT_SUCCESS);
}

static void batch_end(TNC_ConnectionID conn)
{
	ck_assert_uint_eq(TNC_IMV_BatchEnding(IMV_ID, conn), TNC_RESULT_SUCCESS);
}

static long long db_count(const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	ck_assert_int_eq(sqlite3_open(test_db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Runs a shell command with its output discarded; the test fails when it fails. */
static void run_tool_quiet(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run_tool_quiet(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 32, fmt, ap);
	va_end(ap);
	strcat(cmd, " >/dev/null 2>&1");
	ck_assert_msg(system(cmd) == 0, "command failed: %.300s", cmd);
}

/* ---- strongSwan run 1 ---- */

typedef struct pb_pa {
	uint32_t vendor, subtype, collector, validator;
	const uint8_t *msg;
	size_t len;
} pb_pa;

/* The PB-PA messages of one PB-TNC batch (RFC 5793 layouts), read through the reader. */
static size_t batch_pa_msgs(const uint8_t *batch, size_t len, pb_pa *out, size_t max)
{
	reader_t r, m;
	uint32_t u32;
	uint8_t u8;
	size_t n = 0;

	reader_init(&r, batch, len);
	ck_assert_int_eq(reader_skip(&r, 8), TS_OK);
	while (reader_remaining(&r) > 0) {
		uint32_t vendor, type, msg_len;
		uint16_t collector, validator;

		ck_assert_int_eq(reader_u8(&r, &u8), TS_OK);
		ck_assert_int_eq(reader_u24(&r, &vendor), TS_OK);
		ck_assert_int_eq(reader_u32(&r, &type), TS_OK);
		ck_assert_int_eq(reader_u32(&r, &msg_len), TS_OK);
		ck_assert_int_eq(reader_sub(&r, msg_len - 12, &m), TS_OK);
		if (vendor != 0 || type != 1)
			continue;
		ck_assert_uint_lt(n, max);
		ck_assert_int_eq(reader_u8(&m, &u8), TS_OK);
		ck_assert_int_eq(reader_u24(&m, &out[n].vendor), TS_OK);
		ck_assert_int_eq(reader_u32(&m, &out[n].subtype), TS_OK);
		ck_assert_int_eq(reader_u16(&m, &collector), TS_OK);
		ck_assert_int_eq(reader_u16(&m, &validator), TS_OK);
		out[n].collector = collector;
		out[n].validator = validator;
		reader_rest(&m, &out[n].msg, &out[n].len);
		(void)u32;
		n++;
	}
	return n;
}

static uint8_t *read_batch(int index, size_t *len)
{
	char name[64];

	snprintf(name, sizeof(name), "pts/run1-batch%02d.bin", index);
	return test_read_file(test_data_path(name), len);
}

/* Delivers every PB-PA message of a captured client batch, then ends the batch. */
static void replay_batch(TNC_ConnectionID conn, int index)
{
	pb_pa msgs[8];
	size_t len, n;
	uint8_t *batch = read_batch(index, &len);

	n = batch_pa_msgs(batch, len, msgs, 8);
	for (size_t i = 0; i < n; i++)
		deliver(conn, msgs[i].vendor, msgs[i].subtype, msgs[i].collector, msgs[i].msg, msgs[i].len);
	batch_end(conn);
	free(batch);
}

/* Asserts that the IMV sent the attributes of strongSwan's IMV in server batch `index` (same flags, types, values). */
static void assert_sent_like_batch(int index, bool compare_values)
{
	pb_pa msgs[8];
	size_t len, n;
	uint8_t *batch = read_batch(index, &len);
	pa_msg *theirs = NULL, *ours = NULL;
	const pb_pa *pts = NULL;

	n = batch_pa_msgs(batch, len, msgs, 8);
	for (size_t i = 0; i < n; i++)
		if (msgs[i].vendor == PA_VENDOR_TCG)
			pts = &msgs[i];
	ck_assert_ptr_nonnull(pts);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0].vendor, PA_VENDOR_TCG);
	ck_assert_int_eq(pa_msg_parse(pts->msg, pts->len, NULL, &theirs, NULL), TS_OK);
	ck_assert_int_eq(pa_msg_parse(sent[0].data, sent[0].len, NULL, &ours, NULL), TS_OK);
	ck_assert_uint_eq(ours->count, theirs->count);
	for (size_t i = 0; i < ours->count; i++) {
		ck_assert_uint_eq(ours->attrs[i].flags, theirs->attrs[i].flags);
		ck_assert_uint_eq(ours->attrs[i].vendor, theirs->attrs[i].vendor);
		ck_assert_uint_eq(ours->attrs[i].type, theirs->attrs[i].type);
		if (compare_values) {
			ck_assert_uint_eq(ours->attrs[i].value_len, theirs->attrs[i].value_len);
			ck_assert_mem_eq(ours->attrs[i].value, theirs->attrs[i].value, ours->attrs[i].value_len);
		}
	}
	pa_msg_free(theirs);
	pa_msg_free(ours);
	free(batch);
}

START_TEST(run1_replay_rejects_captured_quote)
{
	TNC_ConnectionID conn = 7;
	pa_msg *keep = NULL;
	const pa_attr *a;
	pts_dh_params_req req;
	uint32_t result = 0;

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_HANDSHAKE), TNC_RESULT_SUCCESS);

	/* #1 -> #2: contract, capabilities and algorithm exactly as strongSwan's IMV sent them. */
	replay_batch(conn, 1);
	assert_sent_like_batch(2, true);
	clear_sent();

	/* #3 -> #4: the DH Nonce Parameters Request offers strongSwan's groups. */
	replay_batch(conn, 3);
	assert_sent_like_batch(4, false);
	a = find_sent(PTS_PEN_TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ, &keep);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(pts_dh_params_req_decode(a->value, a->value_len, &req, NULL), TS_OK);
	ck_assert_uint_eq(req.dh_groups, 0xF000);
	pa_msg_free(keep);
	clear_sent();

	/* #5 -> #6: DH Nonce Finish (this IMV's own nonce), Get TPM Version, Get AIK. */
	replay_batch(conn, 5);
	assert_sent_like_batch(6, false);
	clear_sent();

	/* #7 -> #8: the AK equals the device ID and is trusted; the evidence request is strongSwan's. */
	replay_batch(conn, 7);
	assert_sent_like_batch(8, true);
	clear_sent();
	ck_assert_int_eq(last_rec, -1);

	/* #9: strongSwan's quote was made over strongSwan's nonces, so it must not verify here. */
	replay_batch(conn, 9);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MAJOR);
	ck_assert_ptr_nonnull(strstr(last_reason, "replayed or forged quote"));
	ck_assert_ptr_nonnull(strstr(last_reason, "105 BIOS measurements not registered because the quote failed"));
	a = find_sent(PA_VENDOR_IETF, IETF_ATTR_ASSESSMENT_RESULT, &keep);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(ietf_assessment_result_decode(a->value, a->value_len, &result, NULL), TS_OK);
	ck_assert_uint_eq(result, TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MAJOR);
	pa_msg_free(keep);
	a = find_sent(PA_VENDOR_IETF, IETF_ATTR_REMEDIATION_INSTRUCTIONS, &keep);
	ck_assert_ptr_nonnull(a);
	pa_msg_free(keep);
	ck_assert_int_eq(db_count("SELECT count(*) FROM component_hashes"), 0);

	/* The final state closes the session: the result row stays, the workitem goes. */
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_ACCESS_ISOLATED),
			  TNC_RESULT_SUCCESS);
	ck_assert_int_eq(db_count("SELECT count(*) FROM workitems"), 0);
	ck_assert_int_eq(db_count("SELECT rec FROM results"), 2);
	ck_assert_int_eq(db_count("SELECT rec FROM sessions"), 2);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_DELETE), TNC_RESULT_SUCCESS);
}
END_TEST

/* Re-encodes the PTS message of a client batch with `replace` for the attribute of `type`, or without it. */
static uint8_t *rebuild_pts(int index, uint32_t type, const writer_t *replace, size_t *out_len)
{
	pb_pa msgs[8];
	pa_msg *msg = NULL;
	pa_msg_builder b;
	size_t len;
	uint8_t *batch = read_batch(index, &len), *out = NULL;

	ck_assert_uint_eq(batch_pa_msgs(batch, len, msgs, 8), 1);
	ck_assert_int_eq(pa_msg_parse(msgs[0].msg, msgs[0].len, NULL, &msg, NULL), TS_OK);
	ck_assert_int_eq(pa_msg_builder_init(&b, 99, 1 << 20), TS_OK);
	for (size_t i = 0; i < msg->count; i++) {
		const pa_attr *a = &msg->attrs[i];

		if (a->type == type && replace)
			ck_assert_int_eq(pa_msg_builder_add(&b, a->flags, a->vendor, a->type, writer_data(replace),
							    writer_len(replace)), TS_OK);
		else if (a->type != type)
			ck_assert_int_eq(pa_msg_builder_add(&b, a->flags, a->vendor, a->type, a->value, a->value_len), TS_OK);
	}
	ck_assert_int_eq(pa_msg_builder_finish(&b, &out, out_len), TS_OK);
	pa_msg_builder_free(&b);
	pa_msg_free(msg);
	free(batch);
	return out;
}

/* The Symlinks attribute of batch #9 arrives in three Segment Envelopes of 40 octets at most. */
START_TEST(run1_segmented_symlinks)
{
	TNC_ConnectionID conn = 8;
	seg_attr_contract small = { .max_msg_size = SEG_ATTR_NO_LIMIT, .max_seg_size = 40 };
	uint8_t whole[512];
	size_t whole_len = 0, msg_len, off = 0;
	uint8_t *msg;
	writer_t w;
	pb_pa msgs[8];
	pa_msg *keep = NULL, *nine = NULL;
	const pa_attr *a;
	size_t len;
	uint8_t *batch;

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);

	/* Batch #3 with a contract response of 40-octet segments. */
	writer_init(&w, 64);
	ck_assert_int_eq(seg_attr_contract_encode(&small, &w), TS_OK);
	msg = rebuild_pts(3, SEG_ATTR_CONTRACT_RESP, &w, &msg_len);
	writer_free(&w);
	clear_sent();
	deliver(conn, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID, msg, msg_len);
	batch_end(conn);
	free(msg);
	replay_batch(conn, 5);
	replay_batch(conn, 7);

	/* The Symlinks attribute (header and value) of batch #9, cut by hand into three segments. */
	batch = read_batch(9, &len);
	ck_assert_uint_eq(batch_pa_msgs(batch, len, msgs, 8), 1);
	ck_assert_int_eq(pa_msg_parse(msgs[0].msg, msgs[0].len, NULL, &nine, NULL), TS_OK);
	ck_assert_uint_eq(nine->attrs[0].type, ITA_ATTR_SYMLINKS);
	whole_len = 12 + nine->attrs[0].value_len;
	ck_assert_uint_le(whole_len, sizeof(whole));
	memcpy(whole, msgs[0].msg + nine->attrs[0].offset, whole_len);
	ck_assert_uint_gt(whole_len, 80);

	for (int seg = 0; seg < 3; seg++) {
		size_t n = seg < 2 ? 40 : whole_len - off;
		uint8_t flags = 0x00;  /* the last segment */

		if (seg == 0)
			flags = SEG_ATTR_ENV_FLAG_START | SEG_ATTR_ENV_FLAG_MORE;
		else if (seg == 1)
			flags = SEG_ATTR_ENV_FLAG_MORE;
		pa_msg_builder b;
		uint8_t *data = NULL;
		size_t data_len = 0;

		writer_init(&w, 64);
		ck_assert_int_eq(writer_u8(&w, flags), TS_OK);
		ck_assert_int_eq(writer_u24(&w, 1), TS_OK);
		ck_assert_int_eq(writer_bytes(&w, whole + off, n), TS_OK);
		off += n;
		ck_assert_int_eq(pa_msg_builder_init(&b, 100 + (uint32_t)seg, 1 << 20), TS_OK);
		ck_assert_int_eq(pa_msg_builder_add(&b, 0, PTS_PEN_TCG, SEG_ATTR_ENVELOPE, writer_data(&w), writer_len(&w)),
				 TS_OK);
		writer_free(&w);
		/* The last segment comes with the rest of batch #9. */
		for (size_t i = 1; seg == 2 && i < nine->count; i++)
			ck_assert_int_eq(pa_msg_builder_add(&b, nine->attrs[i].flags, nine->attrs[i].vendor, nine->attrs[i].type,
							    nine->attrs[i].value, nine->attrs[i].value_len), TS_OK);
		ck_assert_int_eq(pa_msg_builder_finish(&b, &data, &data_len), TS_OK);
		pa_msg_builder_free(&b);
		clear_sent();
		deliver(conn, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID, data, data_len);
		batch_end(conn);
		free(data);
		if (seg < 2) {
			seg_attr_next next;

			a = find_sent(PTS_PEN_TCG, SEG_ATTR_NEXT_SEGMENT, &keep);
			ck_assert_ptr_nonnull(a);
			ck_assert_int_eq(seg_attr_next_decode(a->value, a->value_len, &next, NULL), TS_OK);
			ck_assert_uint_eq(next.base_msg_id, 1);
			ck_assert(!next.cancel);
			pa_msg_free(keep);
			ck_assert_int_eq(last_rec, -1);
		}
	}
	ck_assert_uint_eq(off, whole_len);

	/* Reassembled and processed like the whole attribute: the same verdict as the unsegmented run. */
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_ptr_nonnull(strstr(last_reason, "replayed or forged quote"));
	ck_assert_ptr_null(strstr(last_reason, "segment"));
	pa_msg_free(nine);
	free(batch);
}
END_TEST

/* The 105 Simple Component Evidence measurements of batch #9. */
static size_t run1_measurements(imvatt_meas *out)
{
	pb_pa msgs[8];
	pa_msg *msg = NULL;
	size_t len, n = 0;
	uint8_t *batch = read_batch(9, &len);

	ck_assert_uint_eq(batch_pa_msgs(batch, len, msgs, 8), 1);
	ck_assert_int_eq(pa_msg_parse(msgs[0].msg, msgs[0].len, NULL, &msg, NULL), TS_OK);
	for (size_t i = 0; i < msg->count; i++) {
		pts_sce sce;

		if (msg->attrs[i].type != PTS_ATTR_SIMPLE_COMP_EVID)
			continue;
		ck_assert_int_eq(pts_sce_decode(msg->attrs[i].value, msg->attrs[i].value_len, &sce, NULL), TS_OK);
		ck_assert_uint_lt(n, RUN1_EVENTS + 1);
		memset(&out[n], 0, sizeof(out[n]));
		out[n].pcr = sce.extended_pcr;
		out[n].digest_len = sce.measurement.len;
		memcpy(out[n].digest, sce.measurement.data, sce.measurement.len);
		n++;
	}
	pa_msg_free(msg);
	free(batch);
	return n;
}

/* The PCR and digest of each extend event of the log, from tpm2_eventlog (an independent parser). */
static size_t expected_events(uint32_t *pcrs, uint8_t (*digests)[32])
{
	FILE *f = fopen(test_data_path("pts/run1-eventlog-sha256.txt"), "r");
	char hex[80];
	unsigned pcr;
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (n < RUN1_EVENTS + 1 && fscanf(f, "%u %79s", &pcr, hex) == 2) {
		size_t len;
		uint8_t *d = test_hex(hex, &len);

		ck_assert_uint_eq(len, 32);
		pcrs[n] = pcr;
		memcpy(digests[n], d, 32);
		free(d);
		n++;
	}
	fclose(f);
	return n;
}

START_TEST(run1_register_then_compare)
{
	static imvatt_meas meas[RUN1_EVENTS + 1];
	static uint8_t digests[RUN1_EVENTS + 1][32];
	uint32_t pcrs[RUN1_EVENTS + 1];
	imvatt_compare_result cr;
	db_t *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = run1_measurements(meas), i = 0;
	char text[512];

	ck_assert_uint_eq(n, RUN1_EVENTS);
	ck_assert_uint_eq(expected_events(pcrs, digests), RUN1_EVENTS);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(meas[i].pcr, pcrs[i]);
		ck_assert_mem_eq(meas[i].digest, digests[i], 32);
	}

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_int_eq(db_open(test_db, 0, &db), TS_OK);

	/* No quote verified: nothing may be registered. */
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x4000, meas, n, false, &cr), TS_OK);
	ck_assert(!cr.registered);
	ck_assert_uint_eq(cr.stored, 0);

	/* First attestation: 105 rows, in order, with the log's PCRs and digests. */
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x4000, meas, n, true, &cr), TS_OK);
	ck_assert(cr.registered);
	ck_assert_uint_eq(cr.count, RUN1_EVENTS);
	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), "SELECT seq_no, pcr, algo, hash, typeof(hash), component, key "
					    "FROM component_hashes ORDER BY seq_no", -1, &st, NULL), SQLITE_OK);
	for (i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
		ck_assert_int_eq(sqlite3_column_int(st, 0), (int)i + 1);
		ck_assert_int_eq(sqlite3_column_int(st, 1), (int)pcrs[i]);
		ck_assert_int_eq(sqlite3_column_int(st, 2), 16384);
		ck_assert_int_eq(sqlite3_column_bytes(st, 3), 32);
		ck_assert_mem_eq(sqlite3_column_blob(st, 3), digests[i], 32);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), "blob");
		ck_assert_int_eq(sqlite3_column_int(st, 5), 3);  /* component 'B' of the seed rows */
		ck_assert_int_eq(sqlite3_column_int(st, 6), 1);
	}
	sqlite3_finalize(st);
	ck_assert_uint_eq(i, RUN1_EVENTS);

	/* Second attestation: equal. */
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x4000, meas, n, true, &cr), TS_OK);
	ck_assert(!cr.registered);
	ck_assert_uint_eq(cr.stored, RUN1_EVENTS);
	ck_assert_uint_eq(cr.differences, 0);

	/* A changed digest: one difference at event 37. */
	meas[36].digest[0] ^= 1;
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x4000, meas, n, true, &cr), TS_OK);
	ck_assert_uint_eq(cr.differences, 1);
	{
		char registered[65], received[65];

		for (size_t k = 0; k < 32; k++) {
			snprintf(registered + 2 * k, 3, "%02x", digests[36][k]);
			snprintf(received + 2 * k, 3, "%02x", digests[36][k] ^ (k == 0 ? 1 : 0));
		}
		snprintf(text, sizeof(text), "PCR %u event 37: digest differs from the registered value "
			 "(registered %s, received %s)", pcrs[36], registered, received);
	}
	ck_assert_str_eq(cr.first, text);
	meas[36].digest[0] ^= 1;

	/* Two events swapped: two differences, the first at the first swapped event. */
	{
		imvatt_meas t = meas[13];

		meas[13] = meas[12];
		meas[12] = t;
	}
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x4000, meas, n, true, &cr), TS_OK);
	ck_assert_uint_eq(cr.differences, 2);
	ck_assert_ptr_nonnull(strstr(cr.first, "event 13"));
	{
		imvatt_meas t = meas[13];

		meas[13] = meas[12];
		meas[12] = t;
	}

	/* Two events fewer and one more: counted. */
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x4000, meas, n - 2, true, &cr), TS_OK);
	ck_assert_uint_eq(cr.differences, 2);
	ck_assert_ptr_nonnull(strstr(cr.first, "event 104: registered, but the endpoint did not send it"));
	meas[n] = meas[0];
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x4000, meas, n + 1, true, &cr), TS_OK);
	ck_assert_uint_eq(cr.differences, 1);
	ck_assert_ptr_nonnull(strstr(cr.first, "event 106: not registered"));

	/* Another algorithm has no references yet. */
	ck_assert_int_eq(imvatt_compare(db, 1, PTS_PEN_ITA, 3, 0x21, 0x8000, meas, n, false, &cr), TS_OK);
	ck_assert_uint_eq(cr.stored, 0);
	db_close(db);
}
END_TEST

static uint8_t *vector(const char *name, size_t *len)
{
	FILE *f = fopen(test_data_path("attest/strongswan-run1-vectors.txt"), "r");
	char line[1024], key[64];
	uint8_t *out = NULL;

	ck_assert_ptr_nonnull(f);
	while (!out && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		if (line[0] == '#' || !sp || (size_t)(sp - line) >= sizeof(key))
			continue;
		memcpy(key, line, (size_t)(sp - line));
		key[sp - line] = '\0';
		if (strcmp(key, name) == 0) {
			sp[strcspn(sp, "\n")] = '\0';
			out = test_hex(sp + 1, len);
		}
	}
	fclose(f);
	ck_assert_msg(out != NULL, "vector %s not found", name);
	return out;
}

/* The emulated SHA-256 bank after the 105 measurements, PCR 0 started at `locality`. */
static pcr_bank_t *run1_bank(uint8_t locality, uint32_t *touched)
{
	static imvatt_meas meas[RUN1_EVENTS + 1];
	pcr_bank_t *bank = NULL;
	size_t n = run1_measurements(meas);

	ck_assert_int_eq(pcr_bank_create(0x000B, &bank), TS_OK);
	ck_assert_int_eq(pcr_bank_reset(bank, locality), TS_OK);
	*touched = 0;
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(pcr_bank_extend(bank, meas[i].pcr, meas[i].digest, 32), TS_OK);
		*touched |= 1u << meas[i].pcr;
	}
	return bank;
}

START_TEST(run1_quote_verifies_with_captured_secret)
{
	size_t sef_len, spki_len, secret_len;
	uint8_t *sef = vector("simple_evidence_final", &sef_len);
	uint8_t *spki = vector("aik_spki", &spki_len);
	uint8_t *secret = vector("secret", &secret_len);
	uint8_t no_quote[4] = { 0x00, 0x00, 0x00, 0x00 };
	char problem[IMVATT_TEXT_MAX];
	EVP_PKEY *ak = NULL;
	uint32_t touched = 0;
	pcr_bank_t *bank3 = run1_bank(3, &touched), *bank0 = run1_bank(0, &touched);

	ck_assert_int_eq(tpm2_ak_from_spki_der(spki, spki_len, &ak), TS_OK);

	/* PCR 0 from locality 3 (the TPM Version Information of batch #7): verifies. */
	ck_assert_int_eq(imvatt_evidence_verify_quote(sef, sef_len, 0x4000, bank3, touched, ak, secret, secret_len,
						      problem), TS_OK);
	ck_assert_str_eq(problem, "");

	/* PCR 0 from locality 0: the replayed PCRs do not give the quoted digest. */
	ck_assert_int_eq(imvatt_evidence_verify_quote(sef, sef_len, 0x4000, bank0, touched, ak, secret, secret_len,
						      problem), TS_E_VERIFY);
	ck_assert_ptr_nonnull(strstr(problem, "quoted PCR digest differs"));

	/* Another session's secret: the signature does not verify. */
	secret[0] ^= 0x80;
	ck_assert_int_eq(imvatt_evidence_verify_quote(sef, sef_len, 0x4000, bank3, touched, ak, secret, secret_len,
						      problem), TS_E_VERIFY);
	ck_assert_ptr_nonnull(strstr(problem, "replayed or forged quote"));
	secret[0] ^= 0x80;

	/* Evidence for PCR 10 that the quote does not cover. */
	ck_assert_int_eq(imvatt_evidence_verify_quote(sef, sef_len, 0x4000, bank3, touched | 1u << 10, ak, secret,
						      secret_len, problem), TS_E_VERIFY);
	ck_assert_str_eq(problem, "the quote does not cover PCR 10, which the evidence extended");

	/* No quote at all, and a truncated quote. */
	ck_assert_int_eq(imvatt_evidence_verify_quote(no_quote, sizeof(no_quote), 0x4000, bank3, touched, ak, secret,
						      secret_len, problem), TS_E_VERIFY);
	ck_assert_str_eq(problem, "the endpoint sent no TPM quote");
	ck_assert_int_ne(imvatt_evidence_verify_quote(sef, sef_len - 1, 0x4000, bank3, touched, ak, secret, secret_len,
						      problem), TS_OK);
	ck_assert_ptr_nonnull(strstr(problem, "malformed"));

	pcr_bank_destroy(bank0);
	pcr_bank_destroy(bank3);
	EVP_PKEY_free(ak);
	free(sef);
	free(spki);
	free(secret);
}
END_TEST

/* A locked database at session setup: no allow. */
START_TEST(db_locked_fails_closed)
{
	TNC_ConnectionID conn = 9;
	sqlite3 *h = NULL;

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_int_eq(sqlite3_open(test_db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);

	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_ptr_nonnull(strstr(last_reason, "cannot"));
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	ck_assert_uint_eq(TNC_IMV_SolicitRecommendation(IMV_ID, conn), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
}
END_TEST

/* One strongSwan run 1 on its own connection, for the concurrency tests. */
static void *replay_thread(void *arg)
{
	TNC_ConnectionID conn = (TNC_ConnectionID)(uintptr_t)arg;
	static const int batches[] = { 1, 3, 5, 7, 9 };

	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++)
		replay_batch(conn, batches[i]);
	if (conn_rec[conn] < 0)
		ck_assert_uint_eq(TNC_IMV_SolicitRecommendation(IMV_ID, conn), TNC_RESULT_SUCCESS);
	return NULL;
}

static void run_concurrently(size_t count, TNC_ConnectionID first)
{
	pthread_t threads[8];

	ck_assert_uint_le(count, 8);
	record_sent = false;
	for (size_t i = 0; i < count; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, replay_thread, (void *)(uintptr_t)(first + i)), 0);
	for (size_t i = 0; i < count; i++)
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
	record_sent = true;
}

/*
 * Four connections at once against a locked database, then against a free
 * one: locked, every one fails closed; free, every one reaches the quote
 * check (and rejects strongSwan's quote), none fails on the database.
 */
START_TEST(concurrent_connections_fail_closed)
{
	sqlite3 *h = NULL;
	TNC_Version version = 0;

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_int_eq(sqlite3_open(test_db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	run_concurrently(4, 40);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	for (TNC_ConnectionID c = 40; c < 44; c++) {
		ck_assert_int_eq(conn_rec[c], TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
		ck_assert_ptr_nonnull(strstr(conn_reason[c], "cannot set up the policy session"));
	}

	/*
	 * The four connections now wait for each other's write locks, which can
	 * take longer than 200 ms on a loaded machine: restart the IMV with the
	 * default busy timeout, so that only a real database error fails them.
	 */
	TNC_IMV_Terminate(IMV_ID);
	busy_timeout_ms = DB_BUSY_TIMEOUT_MS_DEFAULT;
	write_conf(NULL);
	busy_timeout_ms = 200;
	ck_assert_uint_eq(TNC_IMV_Initialize(IMV_ID, 1, 1, &version), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(TNC_IMV_ProvideBindFunction(IMV_ID, tncs_bind), TNC_RESULT_SUCCESS);
	run_concurrently(4, 50);
	for (TNC_ConnectionID c = 50; c < 54; c++) {
		ck_assert_int_eq(conn_rec[c], TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
		ck_assert_ptr_nonnull(strstr(conn_reason[c], "replayed or forged quote"));
	}
	ck_assert_int_eq(db_count("SELECT count(*) FROM sessions"), 4);
}
END_TEST

/* A database without the component_hashes table: no allow. */
START_TEST(db_missing_table_fails_closed)
{
	TNC_ConnectionID conn = 10;
	db_t *db = NULL;

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_int_eq(db_init(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db, "DROP TABLE component_hashes"), TS_OK);
	db_close(db);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_ptr_nonnull(strstr(last_reason, "cannot open the policy database"));
}
END_TEST

/* The TNCS requests a recommendation before the evidence arrived: the pending workitem fails closed. */
START_TEST(solicit_before_evidence_fails_closed)
{
	TNC_ConnectionID conn = 11;

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	replay_batch(conn, 3);
	replay_batch(conn, 5);
	replay_batch(conn, 7);
	ck_assert_int_eq(last_rec, -1);
	ck_assert_uint_eq(TNC_IMV_SolicitRecommendation(IMV_ID, conn), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_ptr_nonnull(strstr(last_reason, "incomplete evidence: no Simple Evidence Final"));
	ck_assert_int_eq(db_count("SELECT count(*) FROM workitems WHERE result IS NOT NULL AND rec_final = 2"), 1);
}
END_TEST

/* A policy that would allow without a result still fails closed. */
START_TEST(noresult_allow_policy_fails_closed)
{
	TNC_ConnectionID conn = 12;
	db_t *db = NULL;

	make_db("B", RUN1_DEVICE, 1);
	ck_assert_int_eq(db_open(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db, "UPDATE policies SET rec_fail = 0, rec_noresult = 0"), TS_OK);
	db_close(db);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	replay_batch(conn, 3);
	ck_assert_uint_eq(TNC_IMV_SolicitRecommendation(IMV_ID, conn), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_ptr_nonnull(strstr(last_reason, "DH nonce exchange"));
}
END_TEST

/* An untrusted AK stops the attestation with the configured recommendation. */
START_TEST(run1_untrusted_ak)
{
	TNC_ConnectionID conn = 13;

	make_db("B", RUN1_DEVICE, 0);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	replay_batch(conn, 3);
	replay_batch(conn, 5);
	clear_sent();
	replay_batch(conn, 7);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_ptr_nonnull(strstr(last_reason, "the AK " RUN1_DEVICE " is not trusted"));
	/* No evidence request went out. */
	{
		pa_msg *keep = NULL;

		ck_assert_ptr_null(find_sent(PTS_PEN_TCG, PTS_ATTR_GEN_ATTEST_EVID, &keep));
	}
}
END_TEST

/* Restarts the module with extra [imv-attestation] lines. */
static void restart_module(const char *extra)
{
	TNC_Version v = 0;

	ck_assert_uint_eq(TNC_IMV_Terminate(IMV_ID), TNC_RESULT_SUCCESS);
	write_conf(extra);
	ck_assert_uint_eq(TNC_IMV_Initialize(IMV_ID, 1, 1, &v), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(TNC_IMV_ProvideBindFunction(IMV_ID, tncs_bind), TNC_RESULT_SUCCESS);
}

/* Replays run 1 up to the AIK, with batch #7's AIK replaced by the DER certificate in cert_path. */
static void replay_with_aik_cert(TNC_ConnectionID conn, const char *cert_path)
{
	size_t cert_len, msg_len;
	uint8_t *cert = test_read_file(cert_path, &cert_len), *msg;
	writer_t w;

	writer_init(&w, cert_len + 1);
	ck_assert_int_eq(writer_u8(&w, 0x00), TS_OK);  /* flags: a certificate, not a naked key */
	ck_assert_int_eq(writer_bytes(&w, cert, cert_len), TS_OK);
	msg = rebuild_pts(7, PTS_ATTR_AIK, &w, &msg_len);
	writer_free(&w);
	free(cert);

	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	replay_batch(conn, 3);
	replay_batch(conn, 5);
	clear_sent();
	deliver(conn, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID, msg, msg_len);
	batch_end(conn);
	free(msg);
}

/*
 * An AIK certificate for strongSwan's AK, issued with the openssl tool by a
 * test CA: trusted through ca_dir although devices.trusted is 0, and not
 * trusted when ca_dir contains another CA.
 */
START_TEST(run1_aik_certificate_chain)
{
	size_t spki_len;
	uint8_t *spki = vector("aik_spki", &spki_len);
	char path[256], extra[512];
	pa_msg *keep = NULL;
	FILE *f;

	make_db("B", RUN1_DEVICE, 0);
	snprintf(path, sizeof(path), "%s/aik.der", tmpdir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(spki, 1, spki_len, f), spki_len);
	fclose(f);
	free(spki);
	run_tool_quiet("cd '%s' && mkdir ca other && "
		       "openssl pkey -pubin -inform DER -in aik.der -out aik.pem && "
		       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca/ca.key "
		       "-out ca/ca.pem -subj /CN=test-aik-ca -days 2 && "
		       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other/other.key "
		       "-out other/other.pem -subj /CN=other-ca -days 2 && "
		       "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout dummy.key "
		       "-out aik.csr -subj /CN=aik && "
		       "openssl x509 -req -in aik.csr -force_pubkey aik.pem -CA ca/ca.pem -CAkey ca/ca.key "
		       "-CAcreateserial -days 2 -outform DER -out aik-cert.der && "
		       "rm ca/ca.key other/other.key", tmpdir);
	snprintf(path, sizeof(path), "%s/aik-cert.der", tmpdir);

	/* Chains to the CA in ca_dir: the evidence request goes out. */
	snprintf(extra, sizeof(extra), "ca_dir = %s/ca\n", tmpdir);
	restart_module(extra);
	replay_with_aik_cert(61, path);
	ck_assert_int_eq(last_rec, -1);
	ck_assert_ptr_nonnull(find_sent(PTS_PEN_TCG, PTS_ATTR_GEN_ATTEST_EVID, &keep));
	pa_msg_free(keep);

	/* Another CA: not trusted. */
	snprintf(extra, sizeof(extra), "ca_dir = %s/other\n", tmpdir);
	restart_module(extra);
	replay_with_aik_cert(62, path);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_ptr_nonnull(strstr(last_reason, "the AIK certificate does not chain to a CA in"));
}
END_TEST

/*
 * imv-attestation alone creates the session, so it must record the access
 * requestor's identity that the TNCS holds, as imv-os does.
 */
START_TEST(run1_records_ar_identity)
{
	TNC_ConnectionID conn = 15;

	make_db("B", RUN1_DEVICE, 1);
	with_identity = true;
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	with_identity = false;
	ck_assert_int_eq(db_count("SELECT count(*) FROM identities WHERE type = 5 AND value = CAST('dave' AS BLOB)"), 1);
	ck_assert_int_eq(db_count("SELECT count(*) FROM sessions"), 1);
	ck_assert_int_eq(db_count("SELECT identity FROM sessions"), db_count("SELECT id FROM identities"));
}
END_TEST

/* A device ID that is not the AK keyid. */
START_TEST(run1_device_id_mismatch)
{
	TNC_ConnectionID conn = 14;
	static const char other[] = "0000000000000000000000000000000000000000";
	pb_pa msgs[8];
	size_t len;
	uint8_t *batch = read_batch(1, &len), *copy;

	make_db("B", other, 1);
	ck_assert_uint_eq(batch_pa_msgs(batch, len, msgs, 8), 1);
	copy = malloc(msgs[0].len);
	memcpy(copy, msgs[0].msg, msgs[0].len);
	/* The Device ID is the last 40 octets of the OS message. */
	memcpy(copy + msgs[0].len - 40, other, 40);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	deliver(conn, msgs[0].vendor, msgs[0].subtype, msgs[0].collector, copy, msgs[0].len);
	batch_end(conn);
	replay_batch(conn, 3);
	replay_batch(conn, 5);
	replay_batch(conn, 7);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_ptr_nonnull(strstr(last_reason, "differs from the device ID"));
	free(copy);
	free(batch);
}
END_TEST

/* No workitem for this device: allow with "don't know", as the policy manager defines. */
START_TEST(no_policy_allows_dont_know)
{
	TNC_ConnectionID conn = 15;
	db_t *db = NULL;

	ck_assert_int_eq(db_init(test_db, 0, &db), TS_OK);
	db_close(db);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	replay_batch(conn, 1);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_DONT_KNOW);
}
END_TEST

START_TEST(module_exports_only_entry_points)
{
	char cmd[512];
	const char *top = getenv("TOP_BUILDDIR");

	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s/imv/attestation/.libs/imv-attestation.so' | "
		 "awk '{print $3}' | grep -v '^TNC_IMV_' | grep -q .", top && *top ? top : TOP_BUILDDIR);
	/* grep -q . fails (status 1) when nothing but TNC_IMV_* is exported. */
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 1);
}
END_TEST

/* ---- IMA: template hashes and file references ---- */

typedef struct ima_line {
	uint8_t tmpl[20];
	char algo[16];
	uint8_t digest[64];
	size_t digest_len;
	char name[256];
} ima_line;

/* Reads up to max ima-ng lines "10 <sha1 template hash> ima-ng <algo>:<digest> <name>" of a kernel ASCII list. */
static size_t read_ima_lines(const char *file, ima_line *out, size_t max)
{
	FILE *f = fopen(test_data_path(file), "r");
	char line[1024], tmpl[64], tname[32], dig[200], name[256];
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned pcr;
		char *colon;
		uint8_t *b;
		size_t len;

		/* Violations list a zero template hash that no file digest explains; they are skipped. */
		if (sscanf(line, "%u %63s %31s %199s %255s", &pcr, tmpl, tname, dig, name) != 5 ||
		    strcmp(tname, "ima-ng") != 0 || strspn(tmpl, "0") == strlen(tmpl))
			continue;
		colon = strchr(dig, ':');
		ck_assert_ptr_nonnull(colon);
		*colon = '\0';
		ck_assert_uint_lt(strlen(dig), sizeof(out[n].algo));
		memcpy(out[n].algo, dig, strlen(dig) + 1);
		b = test_hex(tmpl, &len);
		ck_assert_uint_eq(len, 20);
		memcpy(out[n].tmpl, b, 20);
		free(b);
		b = test_hex(colon + 1, &len);
		memcpy(out[n].digest, b, len);
		out[n].digest_len = len;
		free(b);
		snprintf(out[n].name, sizeof(out[n].name), "%s", name);
		n++;
	}
	fclose(f);
	return n;
}

START_TEST(ima_template_hash_matches_kernel)
{
	/* Template hashes as the kernel listed them, over sha1 to sha512 file digests. */
	static const char *const files[] = {
		"ima/keylime-ascii_runtime_measurements-ima-ng.txt",
		"ima/keylime-ima-log-sha256.txt",
		"ima/keylime-ima-log-sha384.txt",
		"ima/keylime-ima-log-sha512.txt",
	};
	static ima_line lines[40];

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t n = read_ima_lines(files[f], lines, 40);

		ck_assert_uint_ge(n, 1);
		for (size_t i = 0; i < n; i++) {
			uint8_t out[64];
			size_t len = 0;

			ck_assert_int_eq(imvatt_ima_template_hash(MEAS_ALGO_SHA1, lines[i].algo, lines[i].digest,
								  lines[i].digest_len, lines[i].name, false, out, &len), TS_OK);
			ck_assert_uint_eq(len, 20);
			ck_assert_mem_eq(out, lines[i].tmpl, 20);
		}
	}
}
END_TEST

static void hex_text(const uint8_t *p, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

START_TEST(ima_files_against_references)
{
	static ima_line lines[24];
	static imvatt_meas meas[24];
	static char names[24][300];
	size_t n = read_ima_lines("ima/keylime-ascii_runtime_measurements-ima-ng.txt", lines, 24);
	imvatt_ima_counts counts;
	db_t *db = NULL;
	char sql[2048], hex[129];
	ita_attr_symlinks links = { 0 };
	ita_attr_symlink link;

	ck_assert_uint_ge(n, 12);
	ck_assert_int_eq(db_init(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db, "INSERT INTO products (name) VALUES ('Debian 12 x86_64');"
				 "INSERT INTO packages (name) VALUES ('');"
				 "INSERT INTO versions (product, package) VALUES (1, 1);"), TS_OK);

	/* References for every file after boot_aggregate, under the directory and name IMA recorded. */
	for (size_t i = 1; i < n; i++) {
		const char *slash = strrchr(lines[i].name, '/');
		char dir[256];

		ck_assert_ptr_nonnull(slash);
		snprintf(dir, sizeof(dir), "%.*s", slash == lines[i].name ? 1 : (int)(slash - lines[i].name), lines[i].name);
		hex_text(lines[i].digest, lines[i].digest_len, hex);
		ck_assert_int_lt(snprintf(sql, sizeof(sql),
			 "INSERT OR IGNORE INTO directories (path) SELECT '%s' WHERE NOT EXISTS (SELECT 1 FROM directories WHERE path = '%s');"
			 "INSERT INTO files (dir, name) VALUES ((SELECT id FROM directories WHERE path = '%s'), '%s');"
			 "INSERT INTO file_hashes (file, version, algo, hash) VALUES (last_insert_rowid(), 1, 32768, '%s');",
			 dir, dir, dir, slash + 1, hex), (int)sizeof(sql));
		ck_assert_int_eq(db_exec(db, sql), TS_OK);
		memset(&meas[i - 1], 0, sizeof(meas[0]));
		memcpy(meas[i - 1].digest, lines[i].tmpl, 20);
		meas[i - 1].digest_len = 20;
		meas[i - 1].pcr = 10;
		snprintf(names[i - 1], sizeof(names[0]), "%s:%s", lines[i].algo, lines[i].name);
		meas[i - 1].name = names[i - 1];
	}

	/* Every file has its reference. */
	ck_assert_int_eq(imvatt_ima_check_files(db, 1, MEAS_ALGO_SHA1, meas, n - 1, NULL, &counts), TS_OK);
	ck_assert_uint_eq(counts.ok, n - 1);
	ck_assert_uint_eq(counts.unknown, 0);
	ck_assert_uint_eq(counts.differ, 0);

	/* A changed measurement differs, a file without reference is unknown, a bad name failed. */
	meas[0].digest[0] ^= 1;
	ck_assert_int_eq(db_exec(db, "DELETE FROM file_hashes WHERE id = 3"), TS_OK);
	snprintf(names[3], sizeof(names[0]), "md4:%s", lines[4].name);
	ck_assert_int_eq(imvatt_ima_check_files(db, 1, MEAS_ALGO_SHA1, meas, n - 1, NULL, &counts), TS_OK);
	ck_assert_uint_eq(counts.ok, n - 4);
	ck_assert_uint_eq(counts.differ, 1);
	ck_assert_uint_eq(counts.unknown, 1);
	ck_assert_uint_eq(counts.failed, 1);
	ck_assert_ptr_nonnull(strstr(counts.first_problem, "differs from its reference digests"));
	meas[0].digest[0] ^= 1;
	snprintf(names[3], sizeof(names[0]), "%s:%s", lines[4].algo, lines[4].name);

	/* A reference stored under the symlink target is found through the Symlinks attribute. */
	{
		const char *slash = strrchr(lines[2].name, '/');  /* /bin/sh */
		char dir[256], target[300];

		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - lines[2].name), lines[2].name);
		snprintf(target, sizeof(target), "/target%s", dir);
		snprintf(sql, sizeof(sql), "UPDATE directories SET path = '%s' WHERE path = '%s'", target, dir);
		ck_assert_int_eq(db_exec(db, sql), TS_OK);
		ck_assert_int_eq(imvatt_ima_check_files(db, 1, MEAS_ALGO_SHA1, meas + 1, 1, NULL, &counts), TS_OK);
		ck_assert_uint_eq(counts.unknown, 1);
		link.symlink.data = (const uint8_t *)dir;
		link.symlink.len = strlen(dir);
		link.dir.data = (const uint8_t *)target;
		link.dir.len = strlen(target);
		links.count = 1;
		links.links = &link;
		ck_assert_int_eq(imvatt_ima_check_files(db, 1, MEAS_ALGO_SHA1, meas + 1, 1, &links, &counts), TS_OK);
		ck_assert_uint_eq(counts.ok, 1);
	}
	db_close(db);
}
END_TEST

/* ---- swtpm: real quotes over this IMV's nonces ---- */

#define AK_HANDLE "0x81010002"

static test_swtpm swtpm;
static uint8_t ak_spki[256];
static size_t ak_spki_len;
static char ak_keyid[41];
static uint32_t ev_pcrs[512];
static uint8_t ev_digest[512][32];
static size_t ev_count;
/* IMA evidence the test IMC sends after the BIOS evidence, when ima_count > 0. */
static uint8_t ima_tmpl[8][32];
static char ima_uri[8][300];
static size_t ima_count;

static void run_tool(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run_tool(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "command failed: %.200s", cmd);
}

/* The SHA-256 digests of the extend events of a real firmware log. */
static void load_eventlog(void)
{
	size_t len;
	uint8_t *data = test_read_file(test_data_path("eventlog/goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin"),
				       &len);
	eventlog_t *log = NULL;

	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	ev_count = 0;
	for (size_t i = 0; i < eventlog_get_count(log); i++) {
		const eventlog_event_t *e = eventlog_get_event(log, i);

		if (e->type == 3 /* EV_NO_ACTION */)
			continue;
		for (size_t k = 0; k < e->digest_count; k++)
			if (e->digests[k].alg_id == 0x000B) {
				ev_pcrs[ev_count] = e->pcr;
				memcpy(ev_digest[ev_count], e->digests[k].value, 32);
				ev_count++;
			}
	}
	eventlog_destroy(log);
	free(data);
}

static void swtpm_setup(void)
{
	char pem_path[160], cmd[16384];
	size_t n, pos;
	FILE *f;
	EVP_PKEY *key;
	uint8_t keyid[20], *p;

	setup();
	ck_assert_msg(test_swtpm_start(&swtpm) == 0, "cannot start swtpm");
	setenv("TPM2TOOLS_TCTI", swtpm.tcti, 1);
	snprintf(pem_path, sizeof(pem_path), "%s/ak.pem", tmpdir);
	run_tool("cd '%s' && tpm2_createek -c ek.ctx -G ecc -u ek.pub >/dev/null && tpm2_flushcontext -t && "
		 "tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pem -f pem -n ak.name >/dev/null && "
		 "tpm2_flushcontext -t && tpm2_flushcontext -s && tpm2_evictcontrol -c ak.ctx " AK_HANDLE " >/dev/null && "
		 "tpm2_flushcontext -t", tmpdir);

	/* The AK's SubjectPublicKeyInfo and keyid, through OpenSSL from tpm2-tools' PEM. */
	f = fopen(pem_path, "r");
	ck_assert_ptr_nonnull(f);
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(key);
	p = ak_spki;
	ck_assert_int_gt(i2d_PUBKEY(key, &p), 0);
	ak_spki_len = (size_t)(p - ak_spki);
	EVP_PKEY_free(key);
	ck_assert_ptr_nonnull(SHA1(ak_spki, ak_spki_len, keyid));
	for (size_t i = 0; i < 20; i++)
		snprintf(ak_keyid + 2 * i, 3, "%02x", keyid[i]);

	/* The event log into the TPM's SHA-256 PCRs, in log order, in one tpm2_pcrextend. */
	load_eventlog();
	ck_assert_uint_eq(ev_count, RUN1_EVENTS);
	pos = (size_t)snprintf(cmd, sizeof(cmd), "tpm2_pcrextend");
	for (size_t i = 0; i < ev_count; i++) {
		pos += (size_t)snprintf(cmd + pos, sizeof(cmd) - pos, " %u:sha256=", ev_pcrs[i]);
		for (n = 0; n < 32; n++)
			pos += (size_t)snprintf(cmd + pos, sizeof(cmd) - pos, "%02x", ev_digest[i][n]);
	}
	ck_assert_uint_lt(pos, sizeof(cmd) - 1);
	run_tool("%s", cmd);
}

static void swtpm_teardown(void)
{
	test_swtpm_stop(&swtpm);
	teardown();
}

/* How the test's IMC behaves in one attestation. */
typedef struct imc_opts {
	int change_event;           /* 0-based event whose digest is altered, -1 for none */
	const uint8_t *quote_secret; /* quote over this secret instead of the session's */
	size_t quote_secret_len;
	bool no_quote;               /* Simple Evidence Final without a quote */
	bool no_final;               /* no Simple Evidence Final at all, then the TNCS solicits */
	bool lock_db_before_evidence;
} imc_opts;

static const imc_opts default_opts = { .change_event = -1 };

typedef struct imc_run {
	uint8_t secret[64];
	size_t secret_len;
} imc_run;

static void add_attr(pa_msg_builder *b, uint8_t flags, uint32_t vendor, uint32_t type, writer_t *w)
{
	ck_assert_int_eq(pa_msg_builder_add(b, flags, vendor, type, writer_data(w), writer_len(w)), TS_OK);
	writer_reset(w);
}

static void send_built(TNC_ConnectionID conn, pa_msg_builder *b, uint32_t vendor, uint32_t subtype, uint32_t src)
{
	uint8_t *data = NULL;
	size_t len = 0;

	ck_assert_int_eq(pa_msg_builder_finish(b, &data, &len), TS_OK);
	pa_msg_builder_free(b);
	clear_sent();
	deliver(conn, vendor, subtype, src, data, len);
	batch_end(conn);
	free(data);
}

/* The Simple Evidence Final of a tpm2_quote over the touched PCRs with qualifying data `secret`. */
static void build_sef(const uint8_t *secret, size_t secret_len, uint32_t pcrs, writer_t *w)
{
	char hex[129], list[128], path[192];
	size_t pos = 0, attest_len, sig_len;
	uint8_t *attest_bytes, *sig_bytes;
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
	tpm2_quote_info *info = calloc(1, sizeof(*info));
	uint16_t comp_hash = 0;
	EVP_PKEY *ak = NULL;

	for (size_t i = 0; i < secret_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", secret[i]);
	for (unsigned i = 0; i < 24; i++)
		if (pcrs & (1u << i))
			pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%u", pos ? "," : "", i);
	run_tool("cd '%s' && tpm2_quote -c " AK_HANDLE " -l sha256:%s -q %s -m quote.msg -s quote.sig -g sha256 >/dev/null",
		 tmpdir, list, hex);
	snprintf(path, sizeof(path), "%s/quote.msg", tmpdir);
	attest_bytes = test_read_file(path, &attest_len);
	snprintf(path, sizeof(path), "%s/quote.sig", tmpdir);
	sig_bytes = test_read_file(path, &sig_len);
	ck_assert_int_eq(tpm2_quote_parse(attest_bytes, attest_len, &attest, NULL), TS_OK);
	ck_assert_int_eq(tpm2_quote_parse_signature(sig_bytes, sig_len, &sig, NULL), TS_OK);
	ck_assert_int_eq(tpm2_ak_from_spki_der(ak_spki, ak_spki_len, &ak), TS_OK);
	ck_assert_int_eq(tpm2_quote_info_from_quote(&attest, &sig, ak, info, &comp_hash), TS_OK);
	ck_assert_int_eq(writer_u8(w, PTS_SEF_QUOTE_TPM2), TS_OK);
	ck_assert_int_eq(writer_u8(w, 0), TS_OK);
	ck_assert_int_eq(writer_u16(w, comp_hash), TS_OK);
	ck_assert_int_eq(tpm2_quote_info_build(info, w), TS_OK);
	EVP_PKEY_free(ak);
	free(info);
	free(attest_bytes);
	free(sig_bytes);
}

/* One attestation of the swtpm platform, the test acting as the OS and Attestation IMCs. */
static void attest_once(TNC_ConnectionID conn, const imc_opts *o, imc_run *run)
{
	pa_msg_builder b;
	writer_t w;
	pa_msg *keep = NULL;
	const pa_attr *a;
	uint32_t pcrs = 0;
	sqlite3 *lock = NULL;

	last_rec = last_eval = -1;
	last_reason[0] = '\0';
	writer_init(&w, 1 << 20);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_HANDSHAKE), TNC_RESULT_SUCCESS);

	/* OS IMC: product and device ID (the AK keyid). */
	{
		ietf_product_info pi = { .vendor = 0, .product_id = 0, .name = (const uint8_t *)"Debian", .name_len = 6 };
		ietf_string_version sv = { .version = (const uint8_t *)"12 x86_64", .version_len = 9 };
		pts_bytes id = { (const uint8_t *)ak_keyid, 40 };

		ck_assert_int_eq(pa_msg_builder_init(&b, 1, 65536), TS_OK);
		ck_assert_int_eq(ietf_product_info_encode(&pi, &w), TS_OK);
		add_attr(&b, 0, PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION, &w);
		ck_assert_int_eq(ietf_string_version_encode(&sv, &w), TS_OK);
		add_attr(&b, 0, PA_VENDOR_IETF, IETF_ATTR_STRING_VERSION, &w);
		ck_assert_int_eq(ita_attr_device_id_encode(&id, &w), TS_OK);
		add_attr(&b, 0, PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID, &w);
		send_built(conn, &b, PA_VENDOR_IETF, IETF_PA_SUBTYPE_OPERATING_SYSTEM, IMC_OS_ID);
	}

	/* Contract, capabilities, algorithm. */
	{
		seg_attr_contract c;
		pts_caps caps = { .flags = PTS_PROTO_CAPS_V | PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T };
		pts_meas_algo sel = { .algos = 0x4000 };

		a = find_sent(PTS_PEN_TCG, SEG_ATTR_CONTRACT_REQ, &keep);
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(seg_attr_contract_decode(a->value, a->value_len, &c, NULL), TS_OK);
		pa_msg_free(keep);
		ck_assert_int_eq(pa_msg_builder_init(&b, 2, 65536), TS_OK);
		ck_assert_int_eq(seg_attr_contract_encode(&c, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, SEG_ATTR_CONTRACT_RESP, &w);
		ck_assert_int_eq(pts_caps_encode(&caps, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_PROTO_CAPS, &w);
		ck_assert_int_eq(pts_meas_algo_selection_encode(&sel, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_MEAS_ALGO_SELECTION, &w);
		send_built(conn, &b, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID);
	}

	/* DH Nonce Parameters Response from the responder's own key pair and nonce. */
	{
		pts_dh_params_req req;
		pts_dh_params_resp resp = { .dh_group = DH_NONCE_ECP256, .hash_algos = 0x4000 };
		dh_nonce_t *dh = NULL;
		pts_dh_finish fin;

		a = find_sent(PTS_PEN_TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ, &keep);
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(pts_dh_params_req_decode(a->value, a->value_len, &req, NULL), TS_OK);
		pa_msg_free(keep);
		ck_assert_uint_ne(req.dh_groups & DH_NONCE_ECP256, 0);
		ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 20, &dh), TS_OK);
		dh_nonce_get_public(dh, &resp.pub_value.data, &resp.pub_value.len);
		dh_nonce_get_nonce(dh, &resp.nonce.data, &resp.nonce.len);
		ck_assert_int_eq(pa_msg_builder_init(&b, 3, 65536), TS_OK);
		ck_assert_int_eq(pts_dh_params_resp_encode(&resp, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_DH_NONCE_PARAMS_RESP, &w);
		send_built(conn, &b, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID);

		/* DH Nonce Finish: the same secret on this side. */
		a = find_sent(PTS_PEN_TCG, PTS_ATTR_DH_NONCE_FINISH, &keep);
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(pts_dh_finish_decode(a->value, a->value_len, &fin, NULL), TS_OK);
		ck_assert_int_eq(dh_nonce_set_peer(dh, fin.pub_value.data, fin.pub_value.len, fin.nonce.data, fin.nonce.len),
				 TS_OK);
		ck_assert_int_eq(dh_nonce_compute_secret(dh, DH_NONCE_RESPONDER, fin.hash_algo, run->secret,
							 sizeof(run->secret), &run->secret_len), TS_OK);
		pa_msg_free(keep);
		dh_nonce_destroy(dh);
	}

	/* TPM Version Information (swtpm starts at locality 0) and the AK. */
	{
		pts_tpm_version2 v2 = { .locality = 0, .revision = 164, .year = 2021, .manufacturer = "IBM" };
		writer_t vw;
		pts_tpm_version ver;
		pts_tpm_aik aik = { .naked_key = true, .blob = { ak_spki, ak_spki_len } };

		writer_init(&vw, 64);
		ck_assert_int_eq(pts_tpm_version2_encode(&v2, &vw), TS_OK);
		ver.info.data = writer_data(&vw);
		ver.info.len = writer_len(&vw);
		ck_assert_int_eq(pa_msg_builder_init(&b, 4, 65536), TS_OK);
		ck_assert_int_eq(pts_tpm_version_encode(&ver, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_TPM_VERSION_INFO, &w);
		ck_assert_int_eq(pts_tpm_aik_encode(&aik, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_AIK, &w);
		send_built(conn, &b, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID);
		writer_free(&vw);
	}
	if (last_rec >= 0)
		goto out;  /* decided after the AK */
	a = find_sent(PTS_PEN_TCG, PTS_ATTR_GEN_ATTEST_EVID, &keep);
	ck_assert_ptr_nonnull(a);
	pa_msg_free(keep);

	/* Evidence: one Simple Component Evidence per event, then the quote. */
	ck_assert_int_eq(pa_msg_builder_init(&b, 5, 4 << 20), TS_OK);
	for (size_t i = 0; i < ev_count; i++) {
		pts_sce sce = {
			.name = { .vendor = PTS_PEN_ITA, .qualifier = 0x21, .name = 3 },
			.meas_type = PTS_SCE_MEAS_TYPE_HASH,
			.extended_pcr = ev_pcrs[i],
			.hash_algo = 0x4000,
			.transform = PTS_SCE_TRANSFORM_MATCH,
			.meas_time = PTS_SCE_TIME_UNKNOWN,
		};
		uint8_t digest[32];

		memcpy(digest, ev_digest[i], 32);
		if ((int)i == o->change_event)
			digest[5] ^= 0x40;
		sce.measurement.data = digest;
		sce.measurement.len = 32;
		ck_assert_int_eq(pts_sce_encode(&sce, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_SIMPLE_COMP_EVID, &w);
		pcrs |= 1u << ev_pcrs[i];
	}
	for (size_t i = 0; i < ima_count; i++) {
		pts_sce sce = {
			.flags = PTS_SCE_VALIDATION_PASSED,
			.name = { .vendor = PTS_PEN_ITA, .qualifier = 0x22, .name = 3 },
			.meas_type = PTS_SCE_MEAS_TYPE_HASH,
			.extended_pcr = 10,
			.hash_algo = 0x4000,
			.transform = PTS_SCE_TRANSFORM_MATCH,
			.meas_time = PTS_SCE_TIME_UNKNOWN,
			.policy_uri = { (const uint8_t *)ima_uri[i], strlen(ima_uri[i]) },
			.measurement = { ima_tmpl[i], 32 },
		};

		ck_assert_int_eq(pts_sce_encode(&sce, &w), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_SIMPLE_COMP_EVID, &w);
		pcrs |= 1u << 10;
	}
	if (o->no_quote) {
		ck_assert_int_eq(writer_zeros(&w, 4), TS_OK);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_SIMPLE_EVID_FINAL, &w);
	} else if (!o->no_final) {
		build_sef(o->quote_secret ? o->quote_secret : run->secret,
			  o->quote_secret ? o->quote_secret_len : run->secret_len, pcrs, &w);
		add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_SIMPLE_EVID_FINAL, &w);
	}
	if (o->lock_db_before_evidence) {
		ck_assert_int_eq(sqlite3_open(test_db, &lock), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(lock, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	}
	send_built(conn, &b, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID);
	if (lock) {
		sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(lock);
	}
	if (o->no_final)
		ck_assert_uint_eq(TNC_IMV_SolicitRecommendation(IMV_ID, conn), TNC_RESULT_SUCCESS);
out:
	ck_assert_int_ge(last_rec, 0);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn,
		last_rec == TNC_IMV_ACTION_RECOMMENDATION_ALLOW ? TNC_CONNECTION_STATE_ACCESS_ALLOWED
		: last_rec == TNC_IMV_ACTION_RECOMMENDATION_ISOLATE ? TNC_CONNECTION_STATE_ACCESS_ISOLATED
		: TNC_CONNECTION_STATE_ACCESS_NONE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_DELETE), TNC_RESULT_SUCCESS);
	writer_free(&w);
	clear_sent();
}

static const char *last_result(void)
{
	static char text[1024];
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	text[0] = '\0';
	ck_assert_int_eq(sqlite3_open(test_db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT result FROM results ORDER BY id DESC LIMIT 1", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(text, sizeof(text), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return text;
}

START_TEST(swtpm_register_compare_reset)
{
	imc_run run = { 0 };
	char cmd[512];
	const char *top = getenv("TOP_BUILDDIR");

	make_db("B", ak_keyid, 1);

	/* First attestation: the quote verifies, the 105 measurements are registered. */
	attest_once(1, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_COMPLIANT);
	ck_assert_int_eq(db_count("SELECT count(*) FROM component_hashes WHERE component = 3 AND key = 1 AND algo = 16384"),
			 RUN1_EVENTS);
	ck_assert_str_eq(last_result(), "registered 105 BIOS evidence measurements; TPM quote verified");
	ck_assert_int_eq(db_count("SELECT rec FROM sessions WHERE id = 1"), 0);

	/* Second: compared, equal. */
	attest_once(2, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_str_eq(last_result(), "105 BIOS measurements equal the registered ones; TPM quote verified");

	/* tnc-db device-reset deletes the references; the next attestation registers again. */
	snprintf(cmd, sizeof(cmd), "'%s/imv/tnc-db' --db '%s' device-reset %s >/dev/null 2>&1",
		 top && *top ? top : TOP_BUILDDIR, test_db, ak_keyid);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(db_count("SELECT count(*) FROM component_hashes"), 0);
	attest_once(3, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(db_count("SELECT count(*) FROM component_hashes"), RUN1_EVENTS);
	ck_assert_str_eq(last_result(), "registered 105 BIOS evidence measurements; TPM quote verified");
}
END_TEST

/* SQL statements on component_hashes that any connection of this process ran. */
static unsigned hash_selects, hash_inserts;

static int count_hash_statements(unsigned type, void *ctx, void *stmt, void *sql_text)
{
	const char *sql = sql_text;

	(void)ctx;
	(void)stmt;
	if (type != SQLITE_TRACE_STMT || !sql)
		return 0;
	if (strncmp(sql, "SELECT", 6) == 0 && strstr(sql, "FROM component_hashes"))
		hash_selects++;
	else if (strncmp(sql, "INSERT INTO component_hashes", 28) == 0)
		hash_inserts++;
	return 0;
}

/* Installed with sqlite3_auto_extension, so it also traces the IMV's own config.db handles. */
static int trace_hash_statements(sqlite3 *db, const char **err, const struct sqlite3_api_routines *api)
{
	(void)err;
	(void)api;
	return sqlite3_trace_v2(db, SQLITE_TRACE_STMT, count_hash_statements, NULL);
}

/* One attestation reads the registered BIOS measurements once, and registers them once. */
START_TEST(swtpm_compare_runs_once)
{
	imc_run run = { 0 };

	make_db("B", ak_keyid, 1);
	ck_assert_int_eq(sqlite3_auto_extension((void (*)(void))trace_hash_statements), SQLITE_OK);

	hash_selects = hash_inserts = 0;
	attest_once(1, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_uint_eq(hash_selects, 1);
	ck_assert_uint_eq(hash_inserts, RUN1_EVENTS);
	ck_assert_str_eq(last_result(), "registered 105 BIOS evidence measurements; TPM quote verified");

	hash_selects = hash_inserts = 0;
	attest_once(2, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_uint_eq(hash_selects, 1);
	ck_assert_uint_eq(hash_inserts, 0);
	ck_assert_str_eq(last_result(), "105 BIOS measurements equal the registered ones; TPM quote verified");

	/* A changed measurement is compared once as well. */
	{
		imc_opts o = default_opts;

		o.change_event = 36;
		hash_selects = hash_inserts = 0;
		attest_once(3, &o, &run);
		ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
		ck_assert_uint_eq(hash_selects, 1);
		ck_assert_uint_eq(hash_inserts, 0);
	}
	ck_assert_int_eq(sqlite3_cancel_auto_extension((void (*)(void))trace_hash_statements), 1);
}
END_TEST

START_TEST(swtpm_rejections)
{
	imc_run first = { 0 }, run = { 0 };
	imc_opts o;
	char expected[160];

	make_db("B", ak_keyid, 1);
	attest_once(1, &default_opts, &first);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);

	/* A changed measurement: the comparison names it, and the quote no longer matches the evidence. */
	o = default_opts;
	o.change_event = 36;
	attest_once(2, &o, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	snprintf(expected, sizeof(expected), "PCR %u event 37: digest differs from the registered value", ev_pcrs[36]);
	ck_assert_ptr_nonnull(strstr(last_reason, expected));
	ck_assert_ptr_nonnull(strstr(last_reason, "quoted PCR digest differs"));

	/* A quote over the previous session's nonces. */
	o = default_opts;
	o.quote_secret = first.secret;
	o.quote_secret_len = first.secret_len;
	attest_once(3, &o, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_ptr_nonnull(strstr(last_reason, "replayed or forged quote"));
	ck_assert_uint_eq(first.secret_len, run.secret_len);
	ck_assert_int_ne(memcmp(first.secret, run.secret, run.secret_len), 0);

	/* No quote in Simple Evidence Final, and no Simple Evidence Final at all. */
	o = default_opts;
	o.no_quote = true;
	attest_once(4, &o, &run);
	ck_assert_int_ne(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_ptr_nonnull(strstr(last_reason, "the endpoint sent no TPM quote"));
	o = default_opts;
	o.no_final = true;
	attest_once(5, &o, &run);
	ck_assert_int_ne(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_ptr_nonnull(strstr(last_reason, "incomplete evidence"));

	/* The database locked while the evidence is evaluated. */
	o = default_opts;
	o.lock_db_before_evidence = true;
	attest_once(6, &o, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_ptr_nonnull(strstr(last_reason, "config.db"));

	/* An untrusted AK. */
	{
		db_t *db = NULL;

		ck_assert_int_eq(db_open(test_db, 0, &db), TS_OK);
		ck_assert_int_eq(db_exec(db, "UPDATE devices SET trusted = 0"), TS_OK);
		db_close(db);
	}
	attest_once(7, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_ptr_nonnull(strstr(last_reason, "is not trusted"));
	{
		db_t *db = NULL;

		ck_assert_int_eq(db_open(test_db, 0, &db), TS_OK);
		ck_assert_int_eq(db_exec(db, "UPDATE devices SET trusted = 1"), TS_OK);
		db_close(db);
	}

	/* A PCR the evidence does not explain: PCR 7 extended once more in the TPM. Last, it changes the TPM. */
	attest_once(8, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	run_tool("tpm2_pcrextend 7:sha256=%064d >/dev/null", 1);
	attest_once(9, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_ptr_nonnull(strstr(last_reason, "quoted PCR digest differs"));
	ck_assert_ptr_nonnull(strstr(last_reason, "105 BIOS measurements equal the registered ones"));
}
END_TEST

/* ---- file workitems ---- */

/* The first PTS round of a file-only policy: OS message, then capabilities and SHA-256. */
static void file_flow_start(TNC_ConnectionID conn)
{
	pb_pa msgs[8];
	size_t len;
	uint8_t *batch = read_batch(1, &len);
	pa_msg_builder b;
	writer_t w;
	pts_caps caps = { .flags = PTS_PROTO_CAPS_V };
	pts_meas_algo sel = { .algos = 0x4000 };

	last_rec = last_eval = -1;
	clear_sent();
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, conn, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(batch_pa_msgs(batch, len, msgs, 8), 1);
	deliver(conn, msgs[0].vendor, msgs[0].subtype, msgs[0].collector, msgs[0].msg, msgs[0].len);
	batch_end(conn);
	free(batch);

	writer_init(&w, 64);
	ck_assert_int_eq(pa_msg_builder_init(&b, 2, 65536), TS_OK);
	ck_assert_int_eq(pts_caps_encode(&caps, &w), TS_OK);
	add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_PROTO_CAPS, &w);
	ck_assert_int_eq(pts_meas_algo_selection_encode(&sel, &w), TS_OK);
	add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_MEAS_ALGO_SELECTION, &w);
	send_built(conn, &b, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID);
	writer_free(&w);
}

/* Replies to the Request File Measurement with one file and digest. */
static void file_flow_measure(TNC_ConnectionID conn, const char *name, uint8_t fill)
{
	pa_msg *keep = NULL;
	const pa_attr *a = find_sent(PTS_PEN_TCG, PTS_ATTR_REQ_FILE_MEAS, &keep);
	pts_file_req_meas req;
	pts_file_meas_entry entry;
	pts_file_meas meas = { .meas_len = 32, .count = 1, .files = &entry };
	uint8_t digest[32];
	pa_msg_builder b;
	writer_t w;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(pts_file_req_meas_decode(a->value, a->value_len, &req, NULL), TS_OK);
	meas.request_id = req.request_id;
	memset(digest, fill, sizeof(digest));
	entry.measurement.data = digest;
	entry.measurement.len = 32;
	entry.filename.data = (const uint8_t *)name;
	entry.filename.len = strlen(name);
	writer_init(&w, 1024);
	ck_assert_int_eq(pa_msg_builder_init(&b, 3, 65536), TS_OK);
	ck_assert_int_eq(pts_file_meas_encode(&meas, &w), TS_OK);
	add_attr(&b, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_FILE_MEAS, &w);
	pa_msg_free(keep);
	send_built(conn, &b, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID);
	writer_free(&w);
}

START_TEST(files_reference_then_measure)
{
	db_t *db = NULL;

	ck_assert_int_eq(db_init(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db,
		"INSERT INTO directories (path) VALUES ('/etc');"
		"INSERT INTO files (dir, name) VALUES (1, 'tnc_config');"
		"INSERT INTO policies (type, name, argument, rec_fail, rec_noresult, file, dir) "
		"VALUES (5, 'Reference tnc_config', '', 2, 2, 1, 0);"
		"INSERT INTO enforcements (policy, group_id, max_age) VALUES (1, 1, 0);"), TS_OK);
	db_close(db);

	/* FREFM: the digest becomes the product's reference (hex text, generic version). */
	file_flow_start(21);
	file_flow_measure(21, "/etc/tnc_config", 0xAB);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_COMPLIANT);
	ck_assert_int_eq(db_count("SELECT count(*) FROM file_hashes AS fh JOIN versions AS v ON fh.version = v.id "
				  "JOIN packages AS p ON v.package = p.id WHERE fh.file = 1 AND fh.algo = 16384 AND "
				  "p.name = '' AND v.release IS NULL AND fh.hash = "
				  "'abababababababababababababababababababababababababababababababab'"), 1);
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, 21, TNC_CONNECTION_STATE_ACCESS_ALLOWED), TNC_RESULT_SUCCESS);

	/* FMEAS: the same digest passes, another one differs. */
	ck_assert_int_eq(db_open(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db, "UPDATE policies SET type = 6"), TS_OK);
	db_close(db);
	file_flow_start(22);
	file_flow_measure(22, "/etc/tnc_config", 0xAB);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_str_eq(last_reason, "FMEAS '': 1 files measured: 1 ok, 0 differ, 0 unknown");
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, 22, TNC_CONNECTION_STATE_ACCESS_ALLOWED), TNC_RESULT_SUCCESS);

	file_flow_start(23);
	file_flow_measure(23, "/etc/tnc_config", 0xAC);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR);
	ck_assert_str_eq(last_reason,
			 "FMEAS '': 1 files measured: 0 ok, 1 differ, 0 unknown; first: /etc/tnc_config differs from its reference");
	ck_assert_uint_eq(TNC_IMV_NotifyConnectionChange(IMV_ID, 23, TNC_CONNECTION_STATE_ACCESS_ISOLATED), TNC_RESULT_SUCCESS);

	/* DMEAS of /etc: a file without reference is unknown, not allowed. */
	ck_assert_int_eq(db_open(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db, "UPDATE policies SET type = 9, file = 0, dir = 1"), TS_OK);
	db_close(db);
	file_flow_start(24);
	file_flow_measure(24, "hosts", 0x01);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_ptr_nonnull(strstr(last_reason, "0 ok, 0 differ, 1 unknown; first: hosts has no reference"));
}
END_TEST

START_TEST(files_metadata)
{
	db_t *db = NULL;
	pa_msg *keep = NULL;
	const pa_attr *a;
	pts_file_req_meta req;
	pts_file_meta_entry entry = { .type = PTS_FILE_REGULAR, .size = 1234, .owner = 0, .group = 0, .modified = 1700000000,
				      .filename = { (const uint8_t *)"tnc_config", 10 } };
	pts_file_meta meta = { .count = 1, .files = &entry };
	pa_msg_builder b;
	writer_t w;

	ck_assert_int_eq(db_init(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db,
		"INSERT INTO directories (path) VALUES ('/etc');"
		"INSERT INTO files (dir, name) VALUES (1, 'tnc_config');"
		"INSERT INTO policies (type, name, argument, rec_fail, rec_noresult, file, dir) "
		"VALUES (7, 'Metadata of tnc_config', '', 0, 0, 1, 0);"
		"INSERT INTO enforcements (policy, group_id, max_age) VALUES (1, 1, 0);"), TS_OK);
	db_close(db);

	file_flow_start(31);
	a = find_sent(PTS_PEN_TCG, PTS_ATTR_REQ_FILE_META, &keep);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(pts_file_req_meta_decode(a->value, a->value_len, &req, NULL), TS_OK);
	ck_assert_uint_eq(req.path.len, strlen("/etc/tnc_config"));
	ck_assert_mem_eq(req.path.data, "/etc/tnc_config", req.path.len);
	pa_msg_free(keep);

	writer_init(&w, 1024);
	ck_assert_int_eq(pa_msg_builder_init(&b, 3, 65536), TS_OK);
	ck_assert_int_eq(pts_file_meta_encode(&meta, &w), TS_OK);
	add_attr(&b, 0, PTS_PEN_TCG, PTS_ATTR_UNIX_FILE_META, &w);
	send_built(31, &b, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, IMC_ATT_ID);
	writer_free(&w);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_COMPLIANT);
	ck_assert_int_eq(db_count("SELECT count(*) FROM workitems WHERE result LIKE "
				  "'metadata of 1 files received; first: tnc_config type 8, 1234 bytes%'"), 1);
}
END_TEST

/* BIOS and IMA evidence: boot_aggregate from the TPM's own PCRs, files from a real IMA list. */
START_TEST(swtpm_bios_and_ima)
{
	static ima_line lines[8];
	imc_run run = { 0 };
	char path[192], sql[1024], hex[129], cmd[1024];
	size_t len, pos;
	uint8_t *pcr_values, aggregate[32];
	db_t *db = NULL;

	make_db("BI", ak_keyid, 1);
	ck_assert_uint_ge(read_ima_lines("ima/keylime-ascii_runtime_measurements-ima-ng.txt", lines, 4), 4);

	/* IMA requested, but only BIOS evidence arrives: incomplete, never allowed. */
	ima_count = 0;
	attest_once(9, &default_opts, &run);
	ck_assert_int_ne(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_ptr_nonnull(strstr(last_reason, "no IMA evidence arrived"));

	/* boot_aggregate of a SHA-256 bank: SHA-256 over PCR 0-9, read back from the TPM. */
	run_tool("cd '%s' && tpm2_pcrread sha256:0,1,2,3,4,5,6,7,8,9 -o pcrs.bin >/dev/null", tmpdir);
	snprintf(path, sizeof(path), "%s/pcrs.bin", tmpdir);
	pcr_values = test_read_file(path, &len);
	ck_assert_uint_eq(len, 320);
	ck_assert_ptr_nonnull(SHA256(pcr_values, len, aggregate));
	free(pcr_values);
	ck_assert_int_eq(imvatt_ima_template_hash(MEAS_ALGO_SHA256, "sha256", aggregate, 32, "boot_aggregate",
						  false, ima_tmpl[0], &len), TS_OK);
	snprintf(ima_uri[0], sizeof(ima_uri[0]), "sha256:boot_aggregate");
	for (size_t i = 1; i < 4; i++) {
		ck_assert_int_eq(imvatt_ima_template_hash(MEAS_ALGO_SHA256, lines[i].algo, lines[i].digest,
							  lines[i].digest_len, lines[i].name, false, ima_tmpl[i], &len), TS_OK);
		snprintf(ima_uri[i], sizeof(ima_uri[i]), "%s:%s", lines[i].algo, lines[i].name);
	}
	ima_count = 4;
	pos = (size_t)snprintf(cmd, sizeof(cmd), "tpm2_pcrextend");
	for (size_t i = 0; i < ima_count; i++) {
		hex_text(ima_tmpl[i], 32, hex);
		pos += (size_t)snprintf(cmd + pos, sizeof(cmd) - pos, " 10:sha256=%s", hex);
	}
	run_tool("%s >/dev/null", cmd);

	/* References for /init and /bin/sh only. */
	ck_assert_int_eq(db_open(test_db, 0, &db), TS_OK);
	ck_assert_int_eq(db_exec(db, "INSERT INTO packages (name) VALUES ('');"
				 "INSERT INTO versions (product, package) VALUES (1, 1);"
				 "INSERT INTO directories (path) VALUES ('/'), ('/bin'), ('/lib/x86_64-linux-gnu');"
				 "INSERT INTO files (dir, name) VALUES (1, 'init'), (2, 'sh'), (3, 'ld-2.23.so');"), TS_OK);
	for (int i = 1; i <= 2; i++) {
		hex_text(lines[i].digest, lines[i].digest_len, hex);
		snprintf(sql, sizeof(sql), "INSERT INTO file_hashes (file, version, algo, hash) VALUES (%d, 1, 32768, '%s')",
			 i, hex);
		ck_assert_int_eq(db_exec(db, sql), TS_OK);
	}

	/* An unknown file is reported, never silently allowed. */
	attest_once(1, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_int_eq(last_eval, TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR);
	ck_assert_ptr_nonnull(strstr(last_reason, "105 BIOS measurements equal the registered ones"));
	ck_assert_ptr_nonnull(strstr(last_reason, "registered the IMA boot aggregate; processed 3 IMA file measurements: "
					      "2 ok, 1 unknown, 0 differ, 0 failed (first: /lib/x86_64-linux-gnu/ld-2.23.so has no reference digest)"));
	ck_assert_ptr_nonnull(strstr(last_reason, "TPM quote verified"));
	ck_assert_int_eq(db_count("SELECT count(*) FROM component_hashes WHERE component = 4 AND seq_no = 1 AND pcr = 10"), 1);

	/* With its reference the next attestation passes. */
	hex_text(lines[3].digest, lines[3].digest_len, hex);
	snprintf(sql, sizeof(sql), "INSERT INTO file_hashes (file, version, algo, hash) VALUES (3, 1, 32768, '%s')", hex);
	ck_assert_int_eq(db_exec(db, sql), TS_OK);
	db_close(db);
	attest_once(2, &default_opts, &run);
	ck_assert_int_eq(last_rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_str_eq(last_result(), "105 BIOS measurements equal the registered ones; processed 3 IMA file measurements: "
			 "3 ok, 0 unknown, 0 differ, 0 failed; TPM quote verified");
	ima_count = 0;
}
END_TEST

/*
 * The template hashes of a kernel's ima-sig list (tests/data/ima, captured in
 * a VM) must match the file digests and names the evidence carries; none of
 * its files is signed, so the signature field is empty.
 */
START_TEST(ima_sig_template_hashes_match)
{
	size_t len = 0, matched = 0;
	unsigned char *data = test_read_file(test_data_path("ima/ima-tcb-ima-sig-1.bin"), &len);
	ima_list *list = NULL;

	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, NULL), TS_OK);
	for (size_t i = 0; i < ima_list_count(list); i++) {
		const ima_entry *e = ima_list_entry(list, i);
		char algo[16], name[4096];
		bool match = false;

		if (e->violation || e->template_id != IMA_TEMPLATE_IMA_SIG || e->sig_len != 0)
			continue;
		snprintf(algo, sizeof(algo), "%.*s", (int)e->digest_alg_name_len, e->digest_alg_name);
		snprintf(name, sizeof(name), "%.*s", (int)e->file_name_len, e->file_name);
		ck_assert_int_eq(imvatt_ima_template_matches(MEAS_ALGO_SHA1, algo, e->digest, e->digest_len, name,
							     e->template_hash, 20, &match), TS_OK);
		ck_assert_msg(match, "entry %zu (%s): template hash not reproduced", i, name);
		matched++;
	}
	ck_assert_uint_gt(matched, 10);
	ima_list_destroy(list);
	free(data);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("imv_attestation");
	TCase *tc = tcase_create("strongswan");
	TCase *ima = tcase_create("ima");
	TCase *tpm = tcase_create("swtpm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, run1_replay_rejects_captured_quote);
	tcase_add_test(tc, run1_segmented_symlinks);
	tcase_add_test(tc, run1_register_then_compare);
	tcase_add_test(tc, run1_quote_verifies_with_captured_secret);
	tcase_add_test(tc, db_locked_fails_closed);
	tcase_add_test(tc, db_missing_table_fails_closed);
	tcase_add_test(tc, concurrent_connections_fail_closed);
	tcase_add_test(tc, solicit_before_evidence_fails_closed);
	tcase_add_test(tc, noresult_allow_policy_fails_closed);
	tcase_add_test(tc, run1_untrusted_ak);
	tcase_add_test(tc, run1_aik_certificate_chain);
	tcase_add_test(tc, run1_device_id_mismatch);
	tcase_add_test(tc, run1_records_ar_identity);
	tcase_add_test(tc, no_policy_allows_dont_know);
	tcase_add_test(tc, module_exports_only_entry_points);
	tcase_add_test(tc, ima_template_hash_matches_kernel);
	tcase_add_test(tc, ima_files_against_references);
	tcase_add_test(tc, files_reference_then_measure);
	tcase_add_test(tc, files_metadata);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tpm, swtpm_setup, swtpm_teardown);
	tcase_set_timeout(tpm, 60);
	tcase_add_test(tpm, swtpm_register_compare_reset);
	tcase_add_test(tpm, swtpm_compare_runs_once);
	tcase_add_test(tpm, swtpm_rejections);
	tcase_add_test(tpm, swtpm_bios_and_ima);
	tcase_add_test(ima, ima_sig_template_hashes_match);
	suite_add_tcase(s, ima);
	suite_add_tcase(s, tpm);
	return s;
}

TEST_MAIN()
