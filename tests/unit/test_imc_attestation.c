/*
 * Tests of imc-attestation.so through its TNC_IMC_* entry points.
 *
 * The test loads the module with dlopen(), binds it to a small recording
 * TNCC and plays the verifier's part of strongSwan's exchange with the PTS
 * codecs and the DH nonce code of common/. Each case starts its own swtpm
 * and provisions an AK. The cases with evidence replay a real OVMF event log
 * (and an IMA list of the same VM boot) into the PCRs. The evidence and the
 * quote are then checked against the PCR values read inside that VM.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/dh_nonce.h"
#include "attest/meas_algo.h"
#include "attest/tpm2_ak.h"
#include "attest/tpm2_quote_info.h"
#include "eventlog/eventlog.h"
#include "pa/ietf_attr.h"
#include "pa/pa_msg.h"
#include "pa/pa_registry.h"
#include "pts/ita_attr.h"
#include "pts/pts_attr_info.h"
#include "pts/pts_caps.h"
#include "pts/pts_comp.h"
#include "pts/pts_dh.h"
#include "pts/pts_file.h"
#include "pts/pts_meas_algo.h"
#include "pts/pts_sce.h"
#include "pts/pts_sef.h"
#include "pts/pts_tpm.h"
#include "pts/seg_attr.h"
#include "tncifimc.h"
#include "tpm/tpm.h"
#include "test_swtpm.h"
#include "test_util.h"

#define IMC_ID 7
#define IMV_ID 2
#define CONN_ID 1
#define AK_HANDLE 0x81010002u

#define BOOT_LOG "eventlog/ovmf/ovmf-grub-linuxefi-1.bin"
#define BOOT_PCRS "eventlog/ovmf/ovmf-grub-linuxefi-1.pcrs.txt"
#define IMA_BOOT_LOG "eventlog/ovmf/ovmf-direct-boot-sha256-quote.bin"
#define IMA_BOOT_PCRS "eventlog/ovmf/ovmf-direct-boot-sha256-quote.pcrs.txt"
#define IMA_LIST "ima/ima-tcb-ima-sig-1.bin"
#define IMA_PCR10 "ima/ima-tcb-ima-sig-1.pcr10.txt"

/* ---- recording TNCC ---------------------------------------------------- */

typedef struct rec_msg {
	uint32_t flags, vendor, subtype, dst;
	uint8_t *data;
	size_t len;
} rec_msg;

#define MAX_RECORDED 64
static rec_msg recorded[MAX_RECORDED];
static size_t nrecorded;
static uint32_t host_max_msg_size;  /* 0: the attribute is not available */
static uint32_t reported_vendor, reported_subtype;

static TNC_Result tncc_report_long(TNC_IMCID id, TNC_VendorIDList vendors, TNC_MessageSubtypeList subtypes,
				   TNC_UInt32 count)
{
	if (count != 1)
		return TNC_RESULT_INVALID_PARAMETER;
	reported_vendor = vendors[0];
	reported_subtype = subtypes[0];
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncc_send_long(TNC_IMCID id, TNC_ConnectionID conn, TNC_UInt32 flags, TNC_BufferReference msg,
				 TNC_UInt32 len, TNC_VendorID vendor, TNC_MessageSubtype subtype, TNC_UInt32 dst)
{
	rec_msg *m;

	if (nrecorded >= MAX_RECORDED || conn != CONN_ID || id != IMC_ID)
		return TNC_RESULT_FATAL;
	m = &recorded[nrecorded++];
	m->flags = flags;
	m->vendor = vendor;
	m->subtype = subtype;
	m->dst = dst;
	m->data = malloc(len);
	memcpy(m->data, msg, len);
	m->len = len;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncc_get_attribute(TNC_IMCID id, TNC_ConnectionID conn, TNC_AttributeID attr, TNC_UInt32 buf_len,
				     TNC_BufferReference buf, TNC_UInt32 *out_len)
{
	if (attr != TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE || host_max_msg_size == 0)
		return TNC_RESULT_INVALID_PARAMETER;
	*out_len = 4;
	if (buf_len >= 4) {
		buf[0] = (uint8_t)(host_max_msg_size >> 24);
		buf[1] = (uint8_t)(host_max_msg_size >> 16);
		buf[2] = (uint8_t)(host_max_msg_size >> 8);
		buf[3] = (uint8_t)host_max_msg_size;
	}
	return TNC_RESULT_SUCCESS;
}

/* A TNCC of IF-IMC 1.2 and older: 32-bit message types, no exclusive delivery. */
static bool legacy_host;

static TNC_Result tncc_report(TNC_IMCID id, TNC_MessageTypeList types, TNC_UInt32 count)
{
	if (count != 1)
		return TNC_RESULT_INVALID_PARAMETER;
	reported_vendor = types[0] >> 8;
	reported_subtype = types[0] & 0xFF;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncc_send(TNC_IMCID id, TNC_ConnectionID conn, TNC_BufferReference msg, TNC_UInt32 len,
			    TNC_MessageType type)
{
	return tncc_send_long(id, conn, 0, msg, len, type >> 8, type & 0xFF, TNC_IMVID_ANY);
}

static TNC_Result tncc_bind(TNC_IMCID id, char *name, void **fn)
{
	if (legacy_host) {
		if (strcmp(name, "TNC_TNCC_ReportMessageTypes") == 0)
			*fn = (void *)tncc_report;
		else if (strcmp(name, "TNC_TNCC_SendMessage") == 0)
			*fn = (void *)tncc_send;
		else
			return TNC_RESULT_INVALID_PARAMETER;
		return TNC_RESULT_SUCCESS;
	}
	if (strcmp(name, "TNC_TNCC_ReportMessageTypesLong") == 0)
		*fn = (void *)tncc_report_long;
	else if (strcmp(name, "TNC_TNCC_SendMessageLong") == 0)
		*fn = (void *)tncc_send_long;
	else if (strcmp(name, "TNC_TNCC_GetAttribute") == 0)
		*fn = (void *)tncc_get_attribute;
	else
		return TNC_RESULT_INVALID_PARAMETER;
	return TNC_RESULT_SUCCESS;
}

/* ---- the module -------------------------------------------------------- */

static void *module;
static TNC_IMC_InitializePointer imc_initialize;
static TNC_IMC_NotifyConnectionChangePointer imc_notify;
static TNC_IMC_BeginHandshakePointer imc_begin;
static TNC_IMC_ReceiveMessageLongPointer imc_receive_long;
static TNC_IMC_ReceiveMessagePointer imc_receive;
static TNC_IMC_TerminatePointer imc_terminate;
static TNC_IMC_ProvideBindFunctionPointer imc_bind;

static void *sym(const char *name)
{
	void *p = dlsym(module, name);

	ck_assert_msg(p != NULL, "%s not exported: %s", name, dlerror());
	return p;
}

/* Loads the module and writes the configuration it reads at TNC_IMC_Initialize. */
static TNC_Result imc_start(const char *conf_text, const char *dir)
{
	char conf_path[256], so[4096];
	const char *top = getenv("TOP_BUILDDIR");
	TNC_Version version = 0;
	TNC_Result res;
	FILE *f;

	snprintf(conf_path, sizeof(conf_path), "%s/tncsuite.conf", dir);
	f = fopen(conf_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(conf_text, f);
	fclose(f);
	setenv("TNCSUITE_CONF", conf_path, 1);

	snprintf(so, sizeof(so), "%s/imc/.libs/imc-attestation.so", top && *top ? top : TOP_BUILDDIR);
	module = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(module != NULL, "dlopen %s: %s", so, dlerror());
	imc_initialize = (TNC_IMC_InitializePointer)sym("TNC_IMC_Initialize");
	imc_notify = (TNC_IMC_NotifyConnectionChangePointer)sym("TNC_IMC_NotifyConnectionChange");
	imc_begin = (TNC_IMC_BeginHandshakePointer)sym("TNC_IMC_BeginHandshake");
	imc_receive_long = (TNC_IMC_ReceiveMessageLongPointer)sym("TNC_IMC_ReceiveMessageLong");
	imc_receive = (TNC_IMC_ReceiveMessagePointer)sym("TNC_IMC_ReceiveMessage");
	imc_terminate = (TNC_IMC_TerminatePointer)sym("TNC_IMC_Terminate");
	imc_bind = (TNC_IMC_ProvideBindFunctionPointer)sym("TNC_IMC_ProvideBindFunction");

	res = imc_initialize(IMC_ID, 1, 1, &version);
	if (res != TNC_RESULT_SUCCESS)
		return res;
	ck_assert_uint_eq(version, 1);
	ck_assert_uint_eq(imc_bind(IMC_ID, tncc_bind), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(reported_vendor, PA_VENDOR_TCG);
	ck_assert_uint_eq(reported_subtype, 1);
	ck_assert_uint_eq(imc_notify(IMC_ID, CONN_ID, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(imc_notify(IMC_ID, CONN_ID, TNC_CONNECTION_STATE_HANDSHAKE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(imc_begin(IMC_ID, CONN_ID), TNC_RESULT_SUCCESS);
	/* Like strongSwan's attestation IMC, it sends nothing before the IMV's first request. */
	ck_assert_uint_eq(nrecorded, 0);
	return TNC_RESULT_SUCCESS;
}

static void imc_stop(void)
{
	ck_assert_uint_eq(imc_notify(IMC_ID, CONN_ID, TNC_CONNECTION_STATE_DELETE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(imc_terminate(IMC_ID), TNC_RESULT_SUCCESS);
	dlclose(module);
	module = NULL;
	for (size_t i = 0; i < nrecorded; i++)
		free(recorded[i].data);
	nrecorded = 0;
}

/* ---- the verifier's side ----------------------------------------------- */

/* One attribute of the IMC's replies, copied. */
typedef struct got_attr {
	uint8_t flags;
	uint32_t vendor, type;
	uint8_t *value;
	size_t len;
} got_attr;

#define MAX_GOT 512
typedef struct round {
	got_attr attrs[MAX_GOT];
	size_t count;
	size_t messages;
} round_t;

typedef struct req_attr {
	uint8_t flags;
	uint32_t vendor, type;
	writer_t w;
} req_attr;

static void req_init(req_attr *a, uint8_t flags, uint32_t vendor, uint32_t type)
{
	a->flags = flags;
	a->vendor = vendor;
	a->type = type;
	writer_init(&a->w, 1u << 20);
}

/* Sends the attributes as one PA-TNC message from the IMV and collects every reply attribute. */
static void exchange(req_attr *reqs, size_t n, round_t *out)
{
	pa_msg_builder b;
	uint8_t *msg = NULL;
	size_t len = 0, first = nrecorded;

	ck_assert_int_eq(pa_msg_builder_init(&b, 0x1234, 1u << 20), TS_OK);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(writer_status(&reqs[i].w), TS_OK);
		ck_assert_int_eq(pa_msg_builder_add(&b, reqs[i].flags, reqs[i].vendor, reqs[i].type,
						    writer_data(&reqs[i].w), writer_len(&reqs[i].w)), TS_OK);
		writer_free(&reqs[i].w);
	}
	ck_assert_int_eq(pa_msg_builder_finish(&b, &msg, &len), TS_OK);
	pa_msg_builder_free(&b);
	ck_assert_uint_eq(imc_receive_long(IMC_ID, CONN_ID, 0, msg, (TNC_UInt32)len, PA_VENDOR_TCG, 1, IMV_ID,
					   IMC_ID), TNC_RESULT_SUCCESS);
	free(msg);

	memset(out, 0, sizeof(*out));
	for (size_t i = first; i < nrecorded; i++) {
		pa_msg *m = NULL;

		/* Every reply goes exclusively to the asking IMV, as TCG/PTS. */
		ck_assert_uint_eq(recorded[i].flags, TNC_MESSAGE_FLAGS_EXCLUSIVE);
		ck_assert_uint_eq(recorded[i].dst, IMV_ID);
		ck_assert_uint_eq(recorded[i].vendor, PA_VENDOR_TCG);
		ck_assert_uint_eq(recorded[i].subtype, 1);
		if (host_max_msg_size)
			ck_assert_uint_le(recorded[i].len, host_max_msg_size);
		ck_assert_int_eq(pa_msg_parse(recorded[i].data, recorded[i].len, NULL, &m, NULL), TS_OK);
		for (size_t k = 0; k < m->count; k++) {
			got_attr *g = &out->attrs[out->count++];

			ck_assert_uint_lt(out->count, MAX_GOT);
			g->flags = m->attrs[k].flags;
			g->vendor = m->attrs[k].vendor;
			g->type = m->attrs[k].type;
			g->len = m->attrs[k].value_len;
			g->value = malloc(g->len + 1);
			if (g->len)
				memcpy(g->value, m->attrs[k].value, g->len);
		}
		out->messages++;
		pa_msg_free(m);
	}
}

static void round_free(round_t *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->attrs[i].value);
	r->count = 0;
}

/* Checks that a reply attribute is a PA-TNC Error with a PTS code; returns its information. */
static const uint8_t *expect_pts_error(const got_attr *g, uint32_t code, size_t *info_len)
{
	ietf_pa_tnc_error err;

	ck_assert_uint_eq(g->vendor, PA_VENDOR_IETF);
	ck_assert_uint_eq(g->type, IETF_ATTR_PA_TNC_ERROR);
	ck_assert_int_eq(ietf_pa_tnc_error_decode(g->value, g->len, &err, NULL), TS_OK);
	ck_assert_uint_eq(err.vendor, PA_VENDOR_TCG);
	ck_assert_uint_eq(err.code, code);
	*info_len = err.info_len;
	return err.info;
}

/* ---- fixtures: swtpm, PCR replay, expected PCRs ------------------------ */

typedef struct expected_pcrs {
	uint8_t sha256[24][32];
	bool have[24];
	uint8_t sha384[24][48];
	bool have384[24];
} expected_pcrs;

/* Reads the "sha256|sha384 <index> <hex>" lines (a file read inside the VM). */
static void load_expected(const char *name, expected_pcrs *e)
{
	FILE *f = fopen(test_data_path(name), "r");
	char alg[16], hex[256];
	unsigned idx;

	ck_assert_msg(f != NULL, "cannot open %s", name);
	while (fscanf(f, "%15s %u %255s", alg, &idx, hex) == 3) {
		size_t len = 0;
		unsigned char *v;

		if (idx >= 24 || (strcmp(alg, "sha256") != 0 && strcmp(alg, "sha384") != 0))
			continue;
		v = test_hex(hex, &len);
		if (strcmp(alg, "sha256") == 0) {
			ck_assert_uint_eq(len, 32);
			memcpy(e->sha256[idx], v, 32);
			e->have[idx] = true;
		} else {
			ck_assert_uint_eq(len, 48);
			memcpy(e->sha384[idx], v, 48);
			e->have384[idx] = true;
		}
		free(v);
	}
	fclose(f);
}

/* Extends every digest of the log into the banks the TPM has. */
static void replay_log(tpm_t *tpm, const char *name)
{
	size_t len = 0;
	unsigned char *data = test_read_file(test_data_path(name), &len);
	eventlog_t *log = NULL;
	uint32_t banks = 0;

	ck_assert_int_eq(tpm_get_banks(tpm, &banks), TS_OK);
	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	for (size_t i = 0; i < eventlog_get_count(log); i++) {
		const eventlog_event_t *ev = eventlog_get_event(log, i);

		if (ev->type == EV_NO_ACTION)
			continue;
		for (size_t d = 0; d < ev->digest_count; d++) {
			uint16_t alg = ev->digests[d].alg_id;
			bool active = (alg == TPM2_ALG_SHA1 && (banks & TPM_BANK_SHA1)) ||
				      (alg == TPM2_ALG_SHA256 && (banks & TPM_BANK_SHA256)) ||
				      (alg == TPM2_ALG_SHA384 && (banks & TPM_BANK_SHA384)) ||
				      (alg == TPM2_ALG_SHA512 && (banks & TPM_BANK_SHA512));

			if (active)
				ck_assert_int_eq(tpm_pcr_extend(tpm, ev->pcr, alg, ev->digests[d].value,
								ev->digests[d].size), TS_OK);
		}
	}
	eventlog_destroy(log);
	free(data);
}

typedef struct fixture {
	test_swtpm swtpm;
	tpm_t *tpm;
	uint8_t *ak_pub;     /* TPM2B_PUBLIC from provisioning */
	size_t ak_pub_len;
	char dir[64];
} fixture;

/*
 * Each forked test appends "PID DIR" of its swtpm to a file of the parent
 * process. A failed assertion ends the test process at once, so the parent
 * stops any swtpm still running, and removes the directories, at exit.
 */
static char run_list[64];

static void track_swtpm(pid_t pid, const char *dir)
{
	FILE *f = fopen(run_list, "a");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d %s\n", (int)pid, dir);
	fclose(f);
}

static void stop_tracked_swtpms(void)
{
	char dir[128], path[64], cmdline[64], cmd[256];
	FILE *f = fopen(run_list, "r");
	int pid;

	while (f && fscanf(f, "%d %127s", &pid, dir) == 2) {
		FILE *c;
		size_t n = 0;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		c = fopen(path, "r");
		if (c) {
			n = fread(cmdline, 1, sizeof(cmdline) - 1, c);
			fclose(c);
		}
		cmdline[n] = '\0';
		if (strcmp(cmdline, "swtpm") == 0)
			kill(pid, SIGTERM);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	if (f)
		fclose(f);
	unlink(run_list);
}

static void fixture_start(fixture *fx, bool provision)
{
	memset(fx, 0, sizeof(*fx));
	ck_assert_int_eq(test_swtpm_start(&fx->swtpm), 0);
	track_swtpm(fx->swtpm.pid, fx->swtpm.dir);
	ck_assert_int_eq(tpm_open(fx->swtpm.tcti, &fx->tpm), TS_OK);
	if (provision)
		ck_assert_int_eq(tpm_provision_ak(fx->tpm, AK_HANDLE, TPM_AK_ECC_P256, false, &fx->ak_pub,
						  &fx->ak_pub_len), TS_OK);
	strcpy(fx->dir, "/tmp/test_imcatt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	track_swtpm(0, fx->dir);
}

/* Whether the process is gone or a zombie (a daemon whose new parent does not reap it). */
static bool process_ended(pid_t pid)
{
	char path[64], stat_line[256];
	FILE *f;
	char *p;
	bool ended = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(stat_line, sizeof(stat_line), f) && (p = strrchr(stat_line, ')')) != NULL)
		ended = p[1] == ' ' && p[2] == 'Z';
	fclose(f);
	return ended;
}

static void fixture_stop(fixture *fx)
{
	char cmd[128];

	tpm_close(fx->tpm);
	free(fx->ak_pub);
	/* Stop swtpm here, so test_swtpm_stop() need not wait for a zombie to disappear. */
	if (fx->swtpm.pid > 0 && kill(fx->swtpm.pid, SIGTERM) == 0) {
		for (int i = 0; i < 200 && !process_ended(fx->swtpm.pid); i++)
			usleep(10000);
		fx->swtpm.pid = 0;
	}
	test_swtpm_stop(&fx->swtpm);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void make_conf(char *out, size_t size, const fixture *fx, const char *tcti, const char *handle,
		      const char *eventlog, const char *ima, const char *root)
{
	snprintf(out, size,
		 "[imc-attestation]\n"
		 "tcti = %s\n"
		 "ak_handle = %s\n"
		 "eventlog = %s\n"
		 "ima = %s\n"
		 "root = %s\n"
		 "debug = 0\n",
		 tcti ? tcti : fx->swtpm.tcti, handle ? handle : "0x81010002", eventlog, ima, root ? root : "/");
}

/* ---- the verifier's protocol steps ------------------------------------- */

typedef struct verifier {
	dh_nonce_t *dh;
	uint16_t algo;
	uint8_t secret[64];
	size_t secret_len;
	uint8_t spki[512];
	size_t spki_len;
} verifier;

/* Batches 2 and 3: contract, capabilities, measurement algorithm. */
static void negotiate(verifier *v, uint16_t offered_algos, uint16_t want_caps, uint16_t want_algo)
{
	req_attr reqs[3];
	seg_attr_contract c = { SEG_ATTR_NO_LIMIT, 2097080 }, got_c;
	pts_caps caps = { PTS_PROTO_CAPS_V | PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T }, got_caps;
	pts_meas_algo algos = { offered_algos }, sel;
	round_t r;

	req_init(&reqs[0], 0, PA_VENDOR_TCG, SEG_ATTR_CONTRACT_REQ);
	ck_assert_int_eq(seg_attr_contract_encode(&c, &reqs[0].w), TS_OK);
	req_init(&reqs[1], PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_REQ_PROTO_CAPS);
	ck_assert_int_eq(pts_caps_encode(&caps, &reqs[1].w), TS_OK);
	req_init(&reqs[2], PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_MEAS_ALGO);
	ck_assert_int_eq(pts_meas_algo_encode(&algos, &reqs[2].w), TS_OK);
	exchange(reqs, 3, &r);

	ck_assert_uint_eq(r.count, 3);
	ck_assert_uint_eq(r.attrs[0].type, SEG_ATTR_CONTRACT_RESP);
	ck_assert_uint_eq(r.attrs[0].flags, 0);
	ck_assert_int_eq(seg_attr_contract_decode(r.attrs[0].value, r.attrs[0].len, &got_c, NULL), TS_OK);
	ck_assert_uint_eq(got_c.max_msg_size, SEG_ATTR_NO_LIMIT);
	ck_assert_uint_eq(got_c.max_seg_size, 2097080);
	ck_assert_uint_eq(r.attrs[1].type, PTS_ATTR_PROTO_CAPS);
	ck_assert_int_eq(pts_caps_decode(r.attrs[1].value, r.attrs[1].len, &got_caps, NULL), TS_OK);
	ck_assert_uint_eq(got_caps.flags, want_caps);
	if (want_algo) {
		ck_assert_uint_eq(r.attrs[2].type, PTS_ATTR_MEAS_ALGO_SELECTION);
		ck_assert_int_eq(pts_meas_algo_selection_decode(r.attrs[2].value, r.attrs[2].len, &sel, NULL), TS_OK);
		ck_assert_uint_eq(sel.algos, want_algo);
		v->algo = want_algo;
	}
	round_free(&r);
}

/* Batches 4 and 5: DH Nonce Parameters Request and Response. */
static void dh_params(verifier *v)
{
	req_attr req;
	pts_dh_params_req dh_req = { 0, PTS_DH_GROUP_MODP1024 | PTS_DH_GROUP_MODP1536 | PTS_DH_GROUP_MODP2048 |
					   PTS_DH_GROUP_ECP256 };
	pts_dh_params_resp resp;
	round_t r;

	req_init(&req, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ);
	ck_assert_int_eq(pts_dh_params_req_encode(&dh_req, &req.w), TS_OK);
	exchange(&req, 1, &r);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.attrs[0].type, PTS_ATTR_DH_NONCE_PARAMS_RESP);
	ck_assert_int_eq(pts_dh_params_resp_decode(r.attrs[0].value, r.attrs[0].len, &resp, NULL), TS_OK);
	/* The strongest group both offer, and the selected measurement algorithm for the nonce hash. */
	ck_assert_uint_eq(resp.dh_group, PTS_DH_GROUP_ECP256);
	ck_assert_uint_eq(resp.hash_algos, v->algo);
	ck_assert_uint_eq(resp.nonce.len, 20);
	ck_assert_uint_eq(resp.pub_value.len, 64);

	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, resp.nonce.len, &v->dh), TS_OK);
	ck_assert_int_eq(dh_nonce_set_peer(v->dh, resp.pub_value.data, resp.pub_value.len, resp.nonce.data,
					   resp.nonce.len), TS_OK);
	ck_assert_int_eq(dh_nonce_compute_secret(v->dh, DH_NONCE_INITIATOR, v->algo, v->secret, sizeof(v->secret),
						 &v->secret_len), TS_OK);
	round_free(&r);
}

/* Batch 6 requests: DH Nonce Finish, Get TPM Version Information, Get AIK. */
static void finish_requests(verifier *v, req_attr reqs[3])
{
	pts_dh_finish fin = { 0 };

	fin.hash_algo = v->algo;
	dh_nonce_get_public(v->dh, &fin.pub_value.data, &fin.pub_value.len);
	dh_nonce_get_nonce(v->dh, &fin.nonce.data, &fin.nonce.len);
	req_init(&reqs[0], PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_DH_NONCE_FINISH);
	ck_assert_int_eq(pts_dh_finish_encode(&fin, &reqs[0].w), TS_OK);
	req_init(&reqs[1], PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_GET_TPM_VERSION_INFO);
	ck_assert_int_eq(pts_tpm_get_version_encode(&reqs[1].w), TS_OK);
	req_init(&reqs[2], PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_GET_AIK);
	ck_assert_int_eq(pts_tpm_get_aik_encode(&reqs[2].w), TS_OK);
}

/* Checks the 16-octet TPM Version Information of swtpm (IBM, TPM 2.0). */
static void check_version(const got_attr *g, uint8_t locality)
{
	pts_tpm_version ver;
	pts_tpm_version2 v2;

	ck_assert_uint_eq(g->type, PTS_ATTR_TPM_VERSION_INFO);
	ck_assert_uint_eq(g->flags, 0);
	ck_assert_uint_eq(g->len, 16);
	ck_assert_int_eq(pts_tpm_version_decode(g->value, g->len, &ver, NULL), TS_OK);
	ck_assert_int_eq(pts_tpm_version2_decode(&ver.info, &v2, NULL), TS_OK);
	ck_assert_uint_eq(g->value[0], 0x02);
	ck_assert_uint_eq(g->value[1], 0x00);
	ck_assert_uint_eq(g->value[2], 0x00);
	ck_assert_uint_eq(v2.locality, locality);
	ck_assert_mem_eq(v2.manufacturer, "IBM\0", 4);
	ck_assert_uint_ge(v2.revision, 116);
	ck_assert_uint_ge(v2.year, 2014);
}

/* Batch 6 and 7 with an AK present: the secret is set, version and AK arrive. */
static void identity(fixture *fx, verifier *v, uint8_t locality)
{
	req_attr reqs[3];
	pts_tpm_aik aik;
	EVP_PKEY *key = NULL;
	unsigned char *der = NULL;
	int der_len;
	round_t r;

	finish_requests(v, reqs);
	exchange(reqs, 3, &r);
	ck_assert_uint_eq(r.count, 2);
	check_version(&r.attrs[0], locality);

	ck_assert_uint_eq(r.attrs[1].type, PTS_ATTR_AIK);
	ck_assert_int_eq(pts_tpm_aik_decode(r.attrs[1].value, r.attrs[1].len, &aik, NULL), TS_OK);
	ck_assert(aik.naked_key);
	/* The SPKI of the key that provisioning returned, encoded by OpenSSL. */
	ck_assert_int_eq(tpm2_ak_from_tpm2b_public(fx->ak_pub, fx->ak_pub_len, &key), TS_OK);
	der_len = i2d_PUBKEY(key, &der);
	ck_assert_int_eq(der_len, 91);
	ck_assert_uint_eq(aik.blob.len, (size_t)der_len);
	ck_assert_mem_eq(aik.blob.data, der, (size_t)der_len);
	memcpy(v->spki, der, (size_t)der_len);
	v->spki_len = (size_t)der_len;
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	round_free(&r);
}

static void comp_request(req_attr *req, const uint8_t *qualifiers, size_t n)
{
	pts_comp_req_entry entries[2];
	pts_comp_req cr = { n, entries };

	for (size_t i = 0; i < n; i++) {
		entries[i].flags = PTS_COMP_REQ_FLAG_P;
		entries[i].depth = 0;
		entries[i].name.vendor = PTS_PEN_ITA;
		entries[i].name.family = 0;
		entries[i].name.qualifier = qualifiers[i];
		entries[i].name.name = PTS_COMP_ITA_IMA;
	}
	req_init(req, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_REQ_FUNC_COMP_EVID);
	ck_assert_int_eq(pts_comp_req_encode(&cr, &req->w), TS_OK);
}

static void gen_request(req_attr *req)
{
	req_init(req, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_GEN_ATTEST_EVID);
	ck_assert_int_eq(pts_comp_gen_evid_encode(&req->w), TS_OK);
}

/* Emulated PCRs that the evidence extends: SHA-256, or SHA-384 when sha384 is set. */
typedef struct emu_pcrs {
	bool sha384;
	uint8_t v[24][48];
	uint32_t touched;
} emu_pcrs;

static size_t emu_size(const emu_pcrs *e)
{
	return e->sha384 ? 48 : 32;
}

static void emu_extend(emu_pcrs *e, unsigned pcr, const uint8_t *digest)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;

	ck_assert_uint_lt(pcr, 24);
	ck_assert_int_eq(EVP_DigestInit_ex(ctx, e->sha384 ? EVP_sha384() : EVP_sha256(), NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, e->v[pcr], emu_size(e)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, digest, emu_size(e)), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(ctx, e->v[pcr], &len), 1);
	ck_assert_uint_eq(len, emu_size(e));
	EVP_MD_CTX_free(ctx);
	e->touched |= 1u << pcr;
}

/* Checks one Simple Component Evidence as strongSwan sends it and extends it. */
static void check_sce(const got_attr *g, uint8_t qualifier, emu_pcrs *e, pts_sce *out)
{
	pts_sce sce;

	ck_assert_uint_eq(g->vendor, PA_VENDOR_TCG);
	ck_assert_uint_eq(g->type, PTS_ATTR_SIMPLE_COMP_EVID);
	ck_assert_uint_eq(g->flags, 0);
	ck_assert_int_eq(pts_sce_decode(g->value, g->len, &sce, NULL), TS_OK);
	ck_assert_uint_eq(sce.name.vendor, PTS_PEN_ITA);
	ck_assert_uint_eq(sce.name.qualifier, qualifier);
	ck_assert_uint_eq(sce.name.name, PTS_COMP_ITA_IMA);
	ck_assert_uint_eq(sce.depth, 0);
	ck_assert_uint_eq(sce.meas_type, PTS_SCE_MEAS_TYPE_HASH);
	ck_assert_uint_eq(sce.hash_algo, e->sha384 ? PTS_MEAS_ALGO_SHA384 : PTS_MEAS_ALGO_SHA256);
	ck_assert_uint_eq(sce.transform, PTS_SCE_TRANSFORM_MATCH);
	ck_assert_uint_eq(sce.measurement.len, emu_size(e));
	ck_assert_uint_eq(sce.flags & PTS_SCE_FLAG_PCR, 0);
	emu_extend(e, sce.extended_pcr, sce.measurement.data);
	if (out)
		*out = sce;
}

static int expected_pcr_read(void *ctx, TPM2_ALG_ID bank, uint32_t index, const uint8_t **value, size_t *len)
{
	const expected_pcrs *e = ctx;

	if (index >= 24)
		return TS_E_NOT_FOUND;
	if (bank == TPM2_ALG_SHA256 && e->have[index]) {
		*value = e->sha256[index];
		*len = 32;
		return TS_OK;
	}
	if (bank == TPM2_ALG_SHA384 && e->have384[index]) {
		*value = e->sha384[index];
		*len = 48;
		return TS_OK;
	}
	return TS_E_NOT_FOUND;
}

/* Decodes Simple Evidence Final and verifies the quote against `pcrs` and the verifier's secret. */
static void check_sef(const got_attr *g, const verifier *v, const expected_pcrs *pcrs, uint32_t want_mask)
{
	pts_sef sef;
	tpm2_quote_info info;
	tpm2_quote_status status = TPM2_QUOTE_MALFORMED;
	reader_t rd;
	EVP_PKEY *ak = NULL;
	uint32_t mask = 0;

	ck_assert_uint_eq(g->type, PTS_ATTR_SIMPLE_EVID_FINAL);
	ck_assert_uint_eq(g->flags, 0);
	ck_assert_int_eq(pts_sef_decode(g->value, g->len, &sef, NULL), TS_OK);
	ck_assert_uint_eq(sef.flags, PTS_SEF_QUOTE_TPM2);
	/* The AK signs with SHA-256, which also hashes the PCR composite, whatever the bank. */
	ck_assert_uint_eq(sef.comp_hash_algo, PTS_MEAS_ALGO_SHA256);
	ck_assert_uint_eq(sef.pcr_composite.len, 32);
	ck_assert_uint_eq(sef.qualified_signer.len, 34);
	ck_assert_uint_eq(sef.clock_info.len, 17);
	ck_assert_uint_eq(sef.firmware_version.len, 8);
	ck_assert_uint_eq(sef.pcr_select.len, 10);
	/* ECDSA P-256: r || s, 32 octets each. */
	ck_assert_uint_eq(sef.quote_sig.len, 64);
	/* One bank of the measurement algorithm, three select octets. */
	ck_assert_uint_eq(sef.pcr_select.data[3], 1);
	ck_assert_uint_eq(sef.pcr_select.data[4], 0x00);
	ck_assert_uint_eq(sef.pcr_select.data[5], v->algo == PTS_MEAS_ALGO_SHA384 ? 0x0C : 0x0B);
	ck_assert_uint_eq(sef.pcr_select.data[6], 3);
	mask = sef.pcr_select.data[7] | (uint32_t)sef.pcr_select.data[8] << 8 | (uint32_t)sef.pcr_select.data[9] << 16;
	ck_assert_uint_eq(mask, want_mask);

	reader_init(&rd, g->value + 4, g->len - 4);
	ck_assert_int_eq(tpm2_quote_info_parse(&rd, &info, NULL), TS_OK);
	ck_assert_int_eq(reader_expect_end(&rd), TS_OK);
	ck_assert_int_eq(tpm2_ak_from_spki_der(v->spki, v->spki_len, &ak), TS_OK);
	ck_assert_int_eq(tpm2_quote_info_verify(&info, sef.comp_hash_algo, ak, TPM2_ALG_NULL, v->secret,
						v->secret_len, expected_pcr_read, (void *)pcrs, &status), TS_OK);
	ck_assert_int_eq(status, TPM2_QUOTE_OK);

	/* A quote for another session's secret must not verify. */
	{
		uint8_t other[64];

		memcpy(other, v->secret, v->secret_len);
		other[0] ^= 1;
		ck_assert_int_ne(tpm2_quote_info_verify(&info, sef.comp_hash_algo, ak, TPM2_ALG_NULL, other,
							v->secret_len, expected_pcr_read, (void *)pcrs, &status),
				 TS_OK);
		ck_assert_int_eq(status, TPM2_QUOTE_BAD_SIGNATURE);
	}
	EVP_PKEY_free(ak);
}

/* Starts swtpm on a state made by swtpm_setup with only the SHA-256 PCR bank. */
static void fixture_start_sha256_only(fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	ck_assert_msg(test_swtpm_start_banks(&fx->swtpm, "sha256") == 0, "cannot start swtpm with the SHA-256 bank only");
	track_swtpm(fx->swtpm.pid, fx->swtpm.dir);
	ck_assert_int_eq(tpm_open(fx->swtpm.tcti, &fx->tpm), TS_OK);
	ck_assert_int_eq(tpm_provision_ak(fx->tpm, AK_HANDLE, TPM_AK_ECC_P256, false, &fx->ak_pub, &fx->ak_pub_len),
			 TS_OK);
	strcpy(fx->dir, "/tmp/test_imcatt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	track_swtpm(0, fx->dir);
}

/* A small UsrMerge tree: /bin, /lib and /sbin link to directories under /usr. */
static void make_root(const fixture *fx, char *root, size_t size)
{
	char p[256];
	FILE *f;

	snprintf(root, size, "%s/root", fx->dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	snprintf(p, sizeof(p), "%s/usr", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	const char *dirs[] = { "bin", "lib", "sbin" };
	for (size_t i = 0; i < 3; i++) {
		char target[32];

		snprintf(p, sizeof(p), "%s/usr/%s", root, dirs[i]);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		snprintf(target, sizeof(target), "usr/%s", dirs[i]);
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		ck_assert_int_eq(symlink(target, p), 0);
	}
	snprintf(p, sizeof(p), "%s/usr/bin/tool", root);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs("hello\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/usr/bin/empty", root);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	/* Links that are not directory links: to a file, and to nothing. */
	snprintf(p, sizeof(p), "%s/usr/bin/link", root);
	ck_assert_int_eq(symlink("tool", p), 0);
	snprintf(p, sizeof(p), "%s/tool", root);
	ck_assert_int_eq(symlink("usr/bin/tool", p), 0);
	snprintf(p, sizeof(p), "%s/dangling", root);
	ck_assert_int_eq(symlink("nowhere", p), 0);
}

static char *path_dup(const char *name)
{
	char *p = strdup(test_data_path(name));

	ck_assert_ptr_nonnull(p);
	return p;
}

START_TEST(test_imcatt_boot_exchange)
{
	fixture fx;
	verifier v = { 0 };
	expected_pcrs exp = { 0 };
	emu_pcrs emu = { 0 };
	req_attr reqs[3];
	pts_bytes slash = { (const uint8_t *)"/", 1 };
	ita_attr_symlinks links;
	round_t r;
	char conf[2048], root[128];
	char *log = path_dup(BOOT_LOG);
	size_t nsce;

	fixture_start(&fx, true);
	replay_log(fx.tpm, BOOT_LOG);
	load_expected(BOOT_PCRS, &exp);
	make_root(&fx, root, sizeof(root));
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", root);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	negotiate(&v, PTS_MEAS_ALGO_SHA1 | PTS_MEAS_ALGO_SHA256, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T,
		  PTS_MEAS_ALGO_SHA256);
	dh_params(&v);
	/* OVMF on swtpm starts the TPM at locality 0 and logs no StartupLocality event. */
	identity(&fx, &v, 0);

	/* Batch 8: Get Symlinks, the boot component, Generate Attestation Evidence. */
	req_init(&reqs[0], 0, PA_VENDOR_ITA, ITA_ATTR_GET_SYMLINKS);
	ck_assert_int_eq(ita_attr_get_symlinks_encode(&slash, &reqs[0].w), TS_OK);
	comp_request(&reqs[1], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[2]);
	exchange(reqs, 3, &r);

	ck_assert_uint_ge(r.count, 3);
	ck_assert_uint_eq(r.attrs[0].vendor, PA_VENDOR_ITA);
	ck_assert_uint_eq(r.attrs[0].type, ITA_ATTR_SYMLINKS);
	ck_assert_int_eq(ita_attr_symlinks_decode(r.attrs[0].value, r.attrs[0].len, &links, NULL), TS_OK);
	ck_assert_uint_eq(links.count, 3);
	ck_assert_uint_eq(links.links[0].symlink.len, 4);
	ck_assert_mem_eq(links.links[0].symlink.data, "/bin", 4);
	ck_assert_uint_eq(links.links[0].dir.len, 8);
	ck_assert_mem_eq(links.links[0].dir.data, "/usr/bin", 8);
	ck_assert_mem_eq(links.links[1].symlink.data, "/lib", 4);
	ck_assert_mem_eq(links.links[1].dir.data, "/usr/lib", 8);
	ck_assert_uint_eq(links.links[2].symlink.len, 5);
	ck_assert_mem_eq(links.links[2].symlink.data, "/sbin", 5);
	ck_assert_uint_eq(links.links[2].dir.len, 9);
	ck_assert_mem_eq(links.links[2].dir.data, "/usr/sbin", 9);
	ita_attr_symlinks_free(&links);

	/* One evidence per extend; replayed, they give the PCRs read inside the VM. */
	nsce = r.count - 2;
	for (size_t i = 1; i <= nsce; i++)
		check_sce(&r.attrs[i], 0x21, &emu, NULL);
	ck_assert_uint_eq(emu.touched & 0xFF, 0xFF);
	for (unsigned pcr = 0; pcr < 24; pcr++) {
		if (!(emu.touched & (1u << pcr)))
			continue;
		ck_assert_msg(exp.have[pcr], "no VM value of PCR %u", pcr);
		ck_assert_mem_eq(emu.v[pcr], exp.sha256[pcr], 32);
	}
	check_sef(&r.attrs[r.count - 1], &v, &exp, emu.touched);
	round_free(&r);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

START_TEST(test_imcatt_ima_exchange)
{
	fixture fx;
	verifier v = { 0 };
	expected_pcrs exp = { 0 };
	emu_pcrs emu = { 0 };
	req_attr reqs[1];
	pts_sce sce;
	round_t r;
	char conf[2048];
	char *log = path_dup(IMA_BOOT_LOG), *ima = path_dup(IMA_LIST);
	size_t nboot = 0, nima = 0;

	fixture_start(&fx, true);
	replay_log(fx.tpm, IMA_BOOT_LOG);
	load_expected(IMA_BOOT_PCRS, &exp);
	/* PCR 10 as read after the IMA list in the same VM. */
	load_expected(IMA_PCR10, &exp);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, ima, NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	/*
	 * swtpm has a SHA-384 bank, but this log has SHA-256 digests only
	 * (tpm2_eventlog lists only sha256 PCRs for it), so SHA-256 is chosen.
	 */
	negotiate(&v, PTS_MEAS_ALGO_SHA256 | PTS_MEAS_ALGO_SHA384, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T,
		  PTS_MEAS_ALGO_SHA256);
	dh_params(&v);
	identity(&fx, &v, 0);

	comp_request(&reqs[0], (const uint8_t[]){ 0x21, 0x22 }, 2);
	exchange(reqs, 1, &r);
	for (size_t i = 0; i < r.count; i++) {
		bool is_ima = i > 0 && r.attrs[i].len >= 8 && (r.attrs[i].value[7] & 0x3F) == 0x22;

		check_sce(&r.attrs[i], is_ima ? 0x22 : 0x21, &emu, &sce);
		if (!is_ima) {
			nboot++;
			continue;
		}
		/* The IMA event name travels in the policy URI, marked as validated. */
		ck_assert_uint_eq(sce.flags & PTS_SCE_VALIDATION_MASK, PTS_SCE_VALIDATION_PASSED);
		ck_assert_uint_eq(sce.extended_pcr, 10);
		if (nima == 0) {
			ck_assert_uint_eq(sce.policy_uri.len, strlen("sha256:boot_aggregate"));
			ck_assert_mem_eq(sce.policy_uri.data, "sha256:boot_aggregate", sce.policy_uri.len);
		}
		if (nima == 1) {
			ck_assert_uint_eq(sce.policy_uri.len, strlen("sha256:/init"));
			ck_assert_mem_eq(sce.policy_uri.data, "sha256:/init", sce.policy_uri.len);
		}
		nima++;
		ck_assert_int_eq(tpm_pcr_extend(fx.tpm, 10, TPM2_ALG_SHA256, sce.measurement.data, 32), TS_OK);
	}
	ck_assert_uint_gt(nboot, 0);
	/* 62 records in the list (ima-tcb-ima-sig-1.txt has 62 lines). */
	ck_assert_uint_eq(nima, 62);
	for (unsigned pcr = 0; pcr < 24; pcr++)
		if (emu.touched & (1u << pcr))
			ck_assert_mem_eq(emu.v[pcr], exp.sha256[pcr], 32);
	round_free(&r);

	gen_request(&reqs[0]);
	exchange(reqs, 1, &r);
	ck_assert_uint_eq(r.count, 1);
	check_sef(&r.attrs[0], &v, &exp, emu.touched);
	round_free(&r);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
	free(ima);
}
END_TEST

/* Sends one attribute whose value is the given bytes. */
static void exchange_raw(uint8_t flags, uint32_t vendor, uint32_t type, const void *value, size_t len, round_t *r)
{
	req_attr req;

	req_init(&req, flags, vendor, type);
	ck_assert_int_eq(writer_bytes(&req.w, value, len), TS_OK);
	exchange(&req, 1, r);
}

START_TEST(test_imcatt_segmented_aik)
{
	fixture fx;
	round_t r;
	char conf[2048];
	seg_attr_contract c = { SEG_ATTR_NO_LIMIT, 40 }, got;
	seg_attr_env env;
	writer_t whole;
	uint32_t base = 0;
	uint8_t last_flags = 0xFF;
	unsigned segments = 0;
	req_attr req;
	EVP_PKEY *key = NULL;
	unsigned char *der = NULL;
	int der_len;

	fixture_start(&fx, true);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, "/nonexistent/log", "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	req_init(&req, 0, PA_VENDOR_TCG, SEG_ATTR_CONTRACT_REQ);
	ck_assert_int_eq(seg_attr_contract_encode(&c, &req.w), TS_OK);
	exchange(&req, 1, &r);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(seg_attr_contract_decode(r.attrs[0].value, r.attrs[0].len, &got, NULL), TS_OK);
	ck_assert_uint_eq(got.max_seg_size, 40);
	round_free(&r);

	/* The 92-octet AIK value exceeds 40 + 4: it comes in envelopes, one per Next Segment. */
	exchange_raw(PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_GET_AIK, "\0\0\0\0", 4, &r);
	writer_init(&whole, 4096);
	for (;;) {
		seg_attr_next next = { false, 0 };

		ck_assert_uint_eq(r.count, 1);
		ck_assert_uint_eq(r.attrs[0].type, SEG_ATTR_ENVELOPE);
		ck_assert_int_eq(seg_attr_env_decode(r.attrs[0].value, r.attrs[0].len, &env, NULL), TS_OK);
		ck_assert_uint_le(env.segment.len, 40);
		if (segments == 0) {
			ck_assert_uint_eq(env.flags, SEG_ATTR_ENV_FLAG_START | SEG_ATTR_ENV_FLAG_MORE);
			base = env.base_msg_id;
		} else {
			ck_assert_uint_eq(env.flags & SEG_ATTR_ENV_FLAG_START, 0);
			ck_assert_uint_eq(env.base_msg_id, base);
		}
		ck_assert_int_eq(writer_bytes(&whole, env.segment.data, env.segment.len), TS_OK);
		segments++;
		last_flags = env.flags;
		round_free(&r);
		if (!(last_flags & SEG_ATTR_ENV_FLAG_MORE))
			break;
		ck_assert_uint_lt(segments, 10);
		next.base_msg_id = base;
		req_init(&req, 0, PA_VENDOR_TCG, SEG_ATTR_NEXT_SEGMENT);
		ck_assert_int_eq(seg_attr_next_encode(&next, &req.w), TS_OK);
		exchange(&req, 1, &r);
	}
	/* 12-octet header of the base attribute, then flag 0x80 and the SPKI. */
	ck_assert_int_eq(tpm2_ak_from_tpm2b_public(fx.ak_pub, fx.ak_pub_len, &key), TS_OK);
	der_len = i2d_PUBKEY(key, &der);
	ck_assert_uint_eq(writer_len(&whole), 12 + 1 + (size_t)der_len);
	ck_assert_uint_ge(segments, 3);
	ck_assert_mem_eq(writer_data(&whole), "\x00\x00\x55\x97\x0e\x00\x00\x00\x00\x00\x00\x68", 12);
	ck_assert_uint_eq(writer_data(&whole)[12], 0x80);
	ck_assert_mem_eq(writer_data(&whole) + 13, der, (size_t)der_len);
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	writer_free(&whole);

	imc_stop();
	fixture_stop(&fx);
}
END_TEST

START_TEST(test_imcatt_message_size_limit)
{
	fixture fx;
	verifier v = { 0 };
	expected_pcrs exp = { 0 };
	emu_pcrs emu = { 0 };
	req_attr reqs[2];
	round_t r;
	char conf[2048];
	char *log = path_dup(BOOT_LOG);

	fixture_start(&fx, true);
	replay_log(fx.tpm, BOOT_LOG);
	load_expected(BOOT_PCRS, &exp);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", NULL);
	host_max_msg_size = 1000;
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	{
		/* The IMC lowers the requested segment size to 1000 - 24. */
		req_attr req;
		seg_attr_contract c = { SEG_ATTR_NO_LIMIT, 2097080 }, got;

		req_init(&req, 0, PA_VENDOR_TCG, SEG_ATTR_CONTRACT_REQ);
		ck_assert_int_eq(seg_attr_contract_encode(&c, &req.w), TS_OK);
		exchange(&req, 1, &r);
		ck_assert_int_eq(seg_attr_contract_decode(r.attrs[0].value, r.attrs[0].len, &got, NULL), TS_OK);
		ck_assert_uint_eq(got.max_seg_size, 976);
		round_free(&r);
	}
	{
		req_attr req;
		pts_caps caps = { PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T };
		pts_meas_algo algos = { PTS_MEAS_ALGO_SHA256 };

		req_init(&req, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_REQ_PROTO_CAPS);
		ck_assert_int_eq(pts_caps_encode(&caps, &req.w), TS_OK);
		exchange(&req, 1, &r);
		round_free(&r);
		req_init(&req, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_MEAS_ALGO);
		ck_assert_int_eq(pts_meas_algo_encode(&algos, &req.w), TS_OK);
		exchange(&req, 1, &r);
		round_free(&r);
		v.algo = PTS_MEAS_ALGO_SHA256;
	}
	dh_params(&v);
	identity(&fx, &v, 0);

	comp_request(&reqs[0], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[1]);
	exchange(reqs, 2, &r);
	/* exchange() checked that every message stays within 1000 octets. */
	ck_assert_uint_gt(r.messages, 1);
	for (size_t i = 0; i + 1 < r.count; i++)
		check_sce(&r.attrs[i], 0x21, &emu, NULL);
	check_sef(&r.attrs[r.count - 1], &v, &exp, emu.touched);
	round_free(&r);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

/* The AK is missing (none provisioned, or the configured handle is empty). */
static void run_missing_ak(bool provision, const char *handle)
{
	fixture fx;
	verifier v = { 0 };
	req_attr reqs[3];
	round_t r;
	char conf[2048];
	char *log = path_dup(BOOT_LOG);
	const uint8_t *info;
	size_t info_len = 0;

	fixture_start(&fx, provision);
	make_conf(conf, sizeof(conf), &fx, NULL, handle, log, "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	negotiate(&v, PTS_MEAS_ALGO_SHA256, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, PTS_MEAS_ALGO_SHA256);
	dh_params(&v);

	finish_requests(&v, reqs);
	exchange(reqs, 3, &r);
	ck_assert_uint_eq(r.count, 2);
	check_version(&r.attrs[0], 0);
	/* PTS error 11 (operation not supported), information = the Get AIK value. */
	info = expect_pts_error(&r.attrs[1], 11, &info_len);
	ck_assert_uint_eq(info_len, 4);
	ck_assert_mem_eq(info, "\0\0\0\0", 4);
	round_free(&r);

	/* Evidence still arrives, but the quote fails with PTS error 14. */
	comp_request(&reqs[0], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[1]);
	exchange(reqs, 2, &r);
	ck_assert_uint_gt(r.count, 1);
	ck_assert_uint_eq(r.attrs[0].type, PTS_ATTR_SIMPLE_COMP_EVID);
	info = expect_pts_error(&r.attrs[r.count - 1], 14, &info_len);
	ck_assert_uint_eq(info_len, 4);
	round_free(&r);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
}

START_TEST(test_imcatt_no_ak)
{
	run_missing_ak(false, NULL);
}
END_TEST

START_TEST(test_imcatt_wrong_handle)
{
	run_missing_ak(true, "0x81010099");
}
END_TEST

START_TEST(test_imcatt_invalid_handle_config)
{
	fixture fx;
	char conf[2048];

	/* 0x80000001 is a transient handle: the configuration is rejected at load time. */
	fixture_start(&fx, true);
	make_conf(conf, sizeof(conf), &fx, NULL, "0x80000001", "/nonexistent/log", "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_FATAL);
	dlclose(module);
	module = NULL;
	fixture_stop(&fx);
}
END_TEST

START_TEST(test_imcatt_missing_bank)
{
	fixture fx;
	verifier v = { 0 };
	round_t r;
	char conf[2048];
	const uint8_t *info;
	size_t info_len = 0;
	uint32_t banks = 0;

	fixture_start_sha256_only(&fx);
	ck_assert_int_eq(tpm_get_banks(fx.tpm, &banks), TS_OK);
	ck_assert_uint_eq(banks, TPM_BANK_SHA256);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, "/nonexistent/log", "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	/* The verifier requests SHA-384 only: PTS error 1 lists what the TPM has, SHA-256. */
	negotiate(&v, PTS_MEAS_ALGO_SHA384, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, 0);
	exchange_raw(PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_MEAS_ALGO, "\x00\x00\x20\x00", 4, &r);
	ck_assert_uint_eq(r.count, 1);
	info = expect_pts_error(&r.attrs[0], 1, &info_len);
	ck_assert_uint_eq(info_len, 4);
	ck_assert_mem_eq(info, "\x00\x00\x40\x00", 4);
	round_free(&r);

	imc_stop();
	fixture_stop(&fx);
}
END_TEST

START_TEST(test_imcatt_sha1_not_allowed)
{
	fixture fx;
	round_t r;
	char conf[2048];
	const uint8_t *info;
	size_t info_len = 0;

	/* All four banks are active, but SHA-1 needs "sha1 = yes". */
	fixture_start(&fx, true);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, "/nonexistent/log", "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	exchange_raw(PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_MEAS_ALGO, "\x00\x00\x80\x00", 4, &r);
	ck_assert_uint_eq(r.count, 1);
	info = expect_pts_error(&r.attrs[0], 1, &info_len);
	ck_assert_uint_eq(info_len, 4);
	ck_assert_mem_eq(info, "\x00\x00\x60\x00", 4);
	round_free(&r);
	imc_stop();
	fixture_stop(&fx);
}
END_TEST

START_TEST(test_imcatt_no_tpm)
{
	fixture fx;
	verifier v = { 0 };
	req_attr reqs[3];
	round_t r;
	char conf[2048];
	char *log = path_dup(BOOT_LOG);
	const uint8_t *info;
	size_t info_len = 0;
	time_t start = time(NULL);

	fixture_start(&fx, false);
	make_conf(conf, sizeof(conf), &fx, "swtpm:path=/nonexistent/tpm.sock", NULL, log, "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	/* Without a TPM neither T nor D is offered; file measurements still get SHA-256. */
	negotiate(&v, PTS_MEAS_ALGO_SHA256, 0, PTS_MEAS_ALGO_SHA256);
	dh_params(&v);
	finish_requests(&v, reqs);
	exchange(reqs, 3, &r);
	ck_assert_uint_eq(r.count, 2);
	info = expect_pts_error(&r.attrs[0], 9, &info_len);
	ck_assert_uint_eq(info_len, 4);
	ck_assert_mem_eq(info, "\0\0\0\0", 4);
	expect_pts_error(&r.attrs[1], 11, &info_len);
	round_free(&r);

	comp_request(&reqs[0], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[1]);
	exchange(reqs, 2, &r);
	ck_assert_uint_eq(r.count, 2);
	/* P without the T capability: "unable to determine PCR" (16), then no quote (14). */
	info = expect_pts_error(&r.attrs[0], 16, &info_len);
	ck_assert_uint_eq(info_len, 12);
	ck_assert_uint_eq(info[0], PTS_COMP_REQ_FLAG_P);
	expect_pts_error(&r.attrs[1], 14, &info_len);
	round_free(&r);
	ck_assert_int_lt(time(NULL) - start, 10);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

/* A log that cannot be parsed (or read) yields PTS error 14 for the component and for the quote. */
static void run_bad_eventlog(const char *log)
{
	fixture fx;
	verifier v = { 0 };
	req_attr reqs[2];
	round_t r;
	char conf[2048];
	const uint8_t *info;
	size_t info_len = 0;

	fixture_start(&fx, true);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	negotiate(&v, PTS_MEAS_ALGO_SHA256, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, PTS_MEAS_ALGO_SHA256);
	dh_params(&v);
	/* The startup locality falls back to 0 when the log is unusable. */
	identity(&fx, &v, 0);

	comp_request(&reqs[0], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[1]);
	exchange(reqs, 2, &r);
	ck_assert_uint_eq(r.count, 2);
	info = expect_pts_error(&r.attrs[0], 14, &info_len);
	ck_assert_uint_eq(info_len, 12);
	ck_assert_mem_eq(info, "\x10\x00\x00\x00\x00\x90\x2a\x21\x00\x00\x00\x03", 12);
	expect_pts_error(&r.attrs[1], 14, &info_len);
	round_free(&r);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
}

START_TEST(test_imcatt_malformed_eventlog)
{
	char path[] = "/tmp/test_imcatt_log.XXXXXX";
	size_t len = 0;
	unsigned char *data = test_read_file(test_data_path(BOOT_LOG), &len);
	int fd = mkstemp(path);

	/* The real log cut in the middle of an event. */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, 1000), 1000);
	close(fd);
	run_bad_eventlog(path);
	unlink(path);
	free(data);
}
END_TEST

START_TEST(test_imcatt_missing_eventlog)
{
	run_bad_eventlog("/nonexistent/binary_bios_measurements");
}
END_TEST

static void file_request(uint8_t flags, uint16_t id, uint32_t delim, const char *path, round_t *r)
{
	req_attr req;
	pts_file_req_meas m = { flags != 0, id, delim, { (const uint8_t *)path, strlen(path) } };

	req_init(&req, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_REQ_FILE_MEAS);
	ck_assert_int_eq(pts_file_req_meas_encode(&m, &req.w), TS_OK);
	exchange(&req, 1, r);
}

static void meta_request(bool dir, const char *path, round_t *r)
{
	req_attr req;
	pts_file_req_meta m = { dir, PTS_FILE_DELIM_SLASH, { (const uint8_t *)path, strlen(path) } };

	req_init(&req, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_REQ_FILE_META);
	ck_assert_int_eq(pts_file_req_meta_encode(&m, &req.w), TS_OK);
	exchange(&req, 1, r);
}

START_TEST(test_imcatt_files)
{
	static const char hello_sha256[] = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
	static const char empty_sha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	fixture fx;
	verifier v = { 0 };
	round_t r;
	char conf[2048], root[128];
	pts_file_meas meas;
	pts_file_meta meta;
	size_t len = 0, info_len = 0;
	unsigned char *hello = test_hex(hello_sha256, &len), *empty = test_hex(empty_sha256, &len);

	fixture_start(&fx, false);
	make_root(&fx, root, sizeof(root));
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, "/nonexistent/log", "/nonexistent/ima", root);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	negotiate(&v, PTS_MEAS_ALGO_SHA256, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, PTS_MEAS_ALGO_SHA256);

	/* One file, reached through the /bin -> usr/bin link. */
	file_request(0, 77, PTS_FILE_DELIM_SLASH, "/bin/tool", &r);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.attrs[0].type, PTS_ATTR_FILE_MEAS);
	ck_assert_uint_eq(r.attrs[0].flags, PA_ATTR_FLAG_NOSKIP);
	ck_assert_int_eq(pts_file_meas_decode(r.attrs[0].value, r.attrs[0].len, &meas, NULL), TS_OK);
	ck_assert_uint_eq(meas.request_id, 77);
	ck_assert_uint_eq(meas.count, 1);
	ck_assert_uint_eq(meas.meas_len, 32);
	ck_assert_mem_eq(meas.files[0].measurement.data, hello, 32);
	ck_assert_uint_eq(meas.files[0].filename.len, 9);
	ck_assert_mem_eq(meas.files[0].filename.data, "/bin/tool", 9);
	pts_file_meas_free(&meas);
	round_free(&r);

	/* A directory: regular files only, in name order; the symlink "link" is left out. */
	file_request(0x80, 78, PTS_FILE_DELIM_SLASH, "/usr/bin", &r);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(pts_file_meas_decode(r.attrs[0].value, r.attrs[0].len, &meas, NULL), TS_OK);
	ck_assert_uint_eq(meas.count, 2);
	ck_assert_mem_eq(meas.files[0].filename.data, "empty", 5);
	ck_assert_mem_eq(meas.files[0].measurement.data, empty, 32);
	ck_assert_mem_eq(meas.files[1].filename.data, "tool", 4);
	ck_assert_mem_eq(meas.files[1].measurement.data, hello, 32);
	pts_file_meas_free(&meas);
	round_free(&r);

	/* Errors: invalid path (2), file not found (3), invalid delimiter (10). */
	file_request(0, 1, PTS_FILE_DELIM_SLASH, "/usr/../../etc/passwd", &r);
	expect_pts_error(&r.attrs[0], 2, &info_len);
	round_free(&r);
	file_request(0, 1, PTS_FILE_DELIM_SLASH, "relative/path", &r);
	expect_pts_error(&r.attrs[0], 2, &info_len);
	round_free(&r);
	file_request(0, 1, PTS_FILE_DELIM_SLASH, "/usr/bin/missing", &r);
	expect_pts_error(&r.attrs[0], 3, &info_len);
	round_free(&r);
	file_request(0, 1, PTS_FILE_DELIM_BACKSLASH, "/usr/bin/tool", &r);
	expect_pts_error(&r.attrs[0], 10, &info_len);
	round_free(&r);

	/* Metadata of /bin itself is the symlink; of /usr/bin, its three entries. */
	meta_request(false, "/bin", &r);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.attrs[0].type, PTS_ATTR_UNIX_FILE_META);
	ck_assert_int_eq(pts_file_meta_decode(r.attrs[0].value, r.attrs[0].len, &meta, NULL), TS_OK);
	ck_assert_uint_eq(meta.count, 1);
	ck_assert_uint_eq(meta.files[0].type, PTS_FILE_SYMLINK);
	ck_assert_uint_eq(meta.files[0].owner, getuid());
	pts_file_meta_free(&meta);
	round_free(&r);

	meta_request(true, "/usr/bin", &r);
	ck_assert_int_eq(pts_file_meta_decode(r.attrs[0].value, r.attrs[0].len, &meta, NULL), TS_OK);
	ck_assert_uint_eq(meta.count, 3);
	ck_assert_mem_eq(meta.files[0].filename.data, "empty", 5);
	ck_assert_uint_eq(meta.files[0].type, PTS_FILE_REGULAR);
	ck_assert_uint_eq(meta.files[0].size, 0);
	ck_assert_mem_eq(meta.files[1].filename.data, "link", 4);
	ck_assert_uint_eq(meta.files[1].type, PTS_FILE_SYMLINK);
	ck_assert_mem_eq(meta.files[2].filename.data, "tool", 4);
	ck_assert_uint_eq(meta.files[2].type, PTS_FILE_REGULAR);
	ck_assert_uint_eq(meta.files[2].size, 6);
	pts_file_meta_free(&meta);
	round_free(&r);

	meta_request(false, "/nothing", &r);
	expect_pts_error(&r.attrs[0], 3, &info_len);
	round_free(&r);

	free(hello);
	free(empty);
	imc_stop();
	fixture_stop(&fx);
}
END_TEST

START_TEST(test_imcatt_startup_locality)
{
	static const char marker[] = "StartupLocality";
	fixture fx;
	round_t r;
	char conf[2048];
	char *log = path_dup("eventlog/gotpmtools-glinux-alex.bin");
	size_t len = 0;
	unsigned char *data = test_read_file(log, &len);
	const unsigned char *p = memmem(data, len, marker, sizeof(marker));
	uint8_t locality;

	/* The locality byte follows "StartupLocality\0" in the log's EV_NO_ACTION event. */
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt((size_t)(p - data) + sizeof(marker), len);
	locality = p[sizeof(marker)];
	ck_assert_uint_ne(locality, 0);

	fixture_start(&fx, true);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	exchange_raw(PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_GET_TPM_VERSION_INFO, "\0\0\0\0", 4, &r);
	ck_assert_uint_eq(r.count, 1);
	check_version(&r.attrs[0], locality);
	round_free(&r);
	imc_stop();
	fixture_stop(&fx);
	free(data);
	free(log);
}
END_TEST

/* Runs a shell command with tpm2-tools pointed at the fixture's swtpm. */
static void tpm2_tools(const fixture *fx, const char *cmd)
{
	char full[2048];

	snprintf(full, sizeof(full), "cd %s && export TPM2TOOLS_TCTI='%s' TSS2_LOG=all+none && (%s) >>tools.log 2>&1",
		 fx->dir, fx->swtpm.tcti, cmd);
	ck_assert_msg(system(full) == 0, "failed: %s (see %s/tools.log)", cmd, fx->dir);
}

START_TEST(test_imcatt_lockout)
{
	fixture fx;
	verifier v = { 0 };
	req_attr reqs[3];
	round_t r;
	char conf[2048], errlog[128], text[65536];
	char *log = path_dup(BOOT_LOG);
	size_t info_len = 0, n;
	int saved, fd;
	FILE *f;

	/*
	 * An AK made by tpm2_createak is protected against dictionary attacks.
	 * Four quotes with a wrong password exceed swtpm's three allowed
	 * failures and put the TPM into lockout.
	 */
	fixture_start(&fx, false);
	tpm_close(fx.tpm);
	fx.tpm = NULL;
	tpm2_tools(&fx, "tpm2_createek -c ek.ctx -G ecc -u ek.pub && tpm2_flushcontext -t");
	tpm2_tools(&fx, "tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -n ak.name && "
			"tpm2_flushcontext -t && tpm2_flushcontext -s");
	tpm2_tools(&fx, "tpm2_evictcontrol -C o -c ak.ctx 0x81010002 && tpm2_flushcontext -t && tpm2_flushcontext -s");
	tpm2_tools(&fx, "for i in 1 2 3 4; do tpm2_quote -c 0x81010002 -p wrong -l sha256:0 -q 00112233 "
			"-m q.msg -s q.sig; done; true");

	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", NULL);
	/* Log errors (level 1) so the lockout line can be checked. */
	*strstr(conf, "debug = 0") = '\0';
	strcat(conf, "debug = 1\n");
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	negotiate(&v, PTS_MEAS_ALGO_SHA256, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, PTS_MEAS_ALGO_SHA256);
	dh_params(&v);
	finish_requests(&v, reqs);
	exchange(reqs, 3, &r);
	ck_assert_uint_eq(r.count, 2);
	/* Reading the public key needs no authorization, so the AIK still arrives. */
	ck_assert_uint_eq(r.attrs[1].type, PTS_ATTR_AIK);
	round_free(&r);

	/* The quote fails with TPM_RC_LOCKOUT: PTS error 14 and a log line naming the lockout. */
	snprintf(errlog, sizeof(errlog), "%s/stderr.txt", fx.dir);
	fflush(stderr);
	saved = dup(2);
	fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	close(fd);
	comp_request(&reqs[0], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[1]);
	exchange(reqs, 2, &r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert_uint_gt(r.count, 1);
	expect_pts_error(&r.attrs[r.count - 1], 14, &info_len);
	round_free(&r);
	f = fopen(errlog, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "lockout"));

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

START_TEST(test_imcatt_ak_cert)
{
	fixture fx;
	round_t r;
	char conf[4096], cert[128], base[2048];
	pts_tpm_aik aik;
	unsigned char *der;
	size_t der_len = 0;

	/* A certificate made by the openssl tool is sent as DER with flag 0x00. */
	fixture_start(&fx, false);
	tpm2_tools(&fx, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem "
			"-out ak.pem -subj /CN=ak -days 1 && openssl x509 -in ak.pem -outform DER -out ak.der");
	snprintf(cert, sizeof(cert), "%s/ak.pem", fx.dir);
	make_conf(base, sizeof(base), &fx, NULL, NULL, "/nonexistent/log", "/nonexistent/ima", NULL);
	snprintf(conf, sizeof(conf), "%sak_cert = %s\n", base, cert);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	exchange_raw(PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_GET_AIK, "\0\0\0\0", 4, &r);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.attrs[0].type, PTS_ATTR_AIK);
	ck_assert_int_eq(pts_tpm_aik_decode(r.attrs[0].value, r.attrs[0].len, &aik, NULL), TS_OK);
	ck_assert(!aik.naked_key);
	ck_assert_uint_eq(r.attrs[0].value[0], 0x00);
	snprintf(cert, sizeof(cert), "%s/ak.der", fx.dir);
	der = test_read_file(cert, &der_len);
	ck_assert_uint_eq(aik.blob.len, der_len);
	ck_assert_mem_eq(aik.blob.data, der, der_len);
	free(der);
	round_free(&r);
	imc_stop();
	fixture_stop(&fx);
}
END_TEST

/* ---- strongSwan 6.0.6 reference exchange --------------------------------- */

#define SWAN_LOG "eventlog/goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin"
#define SWAN_PCRS "imcatt/strongswan-run1-expected-pcrs.txt"
#define SWAN_PTS "imcatt/strongswan-run1-pts.txt"
#define SWAN_MAX_MSGS 16

typedef struct swan_msg {
	unsigned batch;
	bool from_imv;
	unsigned char *data;
	size_t len;
} swan_msg;

/* Reads "<batch> <imv|imc> <hex>" lines: the TCG/PTS messages of the capture. */
static size_t load_swan(swan_msg *msgs)
{
	FILE *f = fopen(test_data_path(SWAN_PTS), "r");
	static char hex[65536];
	char side[8];
	unsigned batch;
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (n < SWAN_MAX_MSGS && fscanf(f, "%u %7s %65535s", &batch, side, hex) == 3) {
		msgs[n].batch = batch;
		msgs[n].from_imv = strcmp(side, "imv") == 0;
		msgs[n].data = test_hex(hex, &msgs[n].len);
		n++;
	}
	fclose(f);
	return n;
}

/* Sends one captured IMV message as it is. */
static void exchange_swan(const swan_msg *m, round_t *out)
{
	size_t first = nrecorded;

	ck_assert(m->from_imv);
	ck_assert_uint_eq(imc_receive_long(IMC_ID, CONN_ID, 0, m->data, (TNC_UInt32)m->len, PA_VENDOR_TCG, 1,
					   IMV_ID, IMC_ID), TNC_RESULT_SUCCESS);
	memset(out, 0, sizeof(*out));
	for (size_t i = first; i < nrecorded; i++) {
		pa_msg *pm = NULL;

		ck_assert_int_eq(pa_msg_parse(recorded[i].data, recorded[i].len, NULL, &pm, NULL), TS_OK);
		for (size_t k = 0; k < pm->count; k++) {
			got_attr *g = &out->attrs[out->count++];

			ck_assert_uint_lt(out->count, MAX_GOT);
			g->flags = pm->attrs[k].flags;
			g->vendor = pm->attrs[k].vendor;
			g->type = pm->attrs[k].type;
			g->len = pm->attrs[k].value_len;
			g->value = malloc(g->len + 1);
			if (g->len)
				memcpy(g->value, pm->attrs[k].value, g->len);
		}
		out->messages++;
		pa_msg_free(pm);
	}
}

/* Checks that our reply has strongSwan's attribute types, flags and lengths, in order. */
static void same_shape(const round_t *ours, const pa_msg *theirs)
{
	ck_assert_uint_eq(ours->count, theirs->count);
	for (size_t i = 0; i < ours->count; i++) {
		ck_assert_uint_eq(ours->attrs[i].vendor, theirs->attrs[i].vendor);
		ck_assert_uint_eq(ours->attrs[i].type, theirs->attrs[i].type);
		ck_assert_uint_eq(ours->attrs[i].flags, theirs->attrs[i].flags);
		ck_assert_uint_eq(ours->attrs[i].len, theirs->attrs[i].value_len);
	}
}

START_TEST(test_imcatt_ek_at_handle)
{
	fixture fx;
	round_t r;
	char conf[2048];
	const uint8_t *info;
	size_t info_len = 0;

	/* ak_handle names an endorsement key: a decryption key must not be sent as AIK. */
	fixture_start(&fx, false);
	tpm2_tools(&fx, "tpm2_createek -c 0x81010001 -G ecc -u ek.pub");
	make_conf(conf, sizeof(conf), &fx, NULL, "0x81010001", "/nonexistent/log", "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	exchange_raw(PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_GET_AIK, "\0\0\0\0", 4, &r);
	ck_assert_uint_eq(r.count, 1);
	info = expect_pts_error(&r.attrs[0], 11, &info_len);
	ck_assert_uint_eq(info_len, 4);
	ck_assert_mem_eq(info, "\0\0\0\0", 4);
	round_free(&r);
	imc_stop();
	fixture_stop(&fx);
}
END_TEST

START_TEST(test_imcatt_strongswan_exchange)
{
	static const char *const links[][2] = {
		{ "sbin", "usr/sbin" }, { "lib", "usr/lib" }, { "lib64", "usr/lib64" },
		{ "lib32", "usr/lib32" }, { "bin", "usr/bin" },
	};
	fixture fx;
	expected_pcrs exp = { 0 };
	swan_msg msgs[SWAN_MAX_MSGS];
	size_t nmsgs, pos = 0;
	pa_msg *theirs[SWAN_MAX_MSGS] = { 0 };
	round_t r;
	char conf[2048], root[128], p[256], target[256];
	char *log = path_dup(SWAN_LOG);
	uint8_t composite[11 * 32], digest[32];
	unsigned int dlen = 0;
	size_t clen = 0;

	/* The machine of the capture: the same firmware log and the same five UsrMerge links. */
	fixture_start(&fx, true);
	replay_log(fx.tpm, SWAN_LOG);
	load_expected(SWAN_PCRS, &exp);
	snprintf(root, sizeof(root), "%s/root", fx.dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	snprintf(p, sizeof(p), "%s/usr", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, links[i][1]);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/%s", root, links[i][0]);
		snprintf(target, sizeof(target), "%s", links[i][1]);
		ck_assert_int_eq(symlink(target, p), 0);
	}
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", root);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	nmsgs = load_swan(msgs);
	ck_assert_uint_eq(nmsgs, 9);
	for (size_t i = 0; i < nmsgs; i++)
		ck_assert_int_eq(pa_msg_parse(msgs[i].data, msgs[i].len, NULL, &theirs[i], NULL), TS_OK);

	/* Batches 2 and 3: contract, capabilities, algorithm. */
	exchange_swan(&msgs[pos], &r);
	same_shape(&r, theirs[pos + 1]);
	ck_assert_mem_eq(r.attrs[0].value, theirs[pos + 1]->attrs[0].value, 8);
	/* strongSwan's IMC also claims V (local validation), which this IMC does not implement. */
	ck_assert_mem_eq(theirs[pos + 1]->attrs[1].value, "\x00\x00\x00\x0e", 4);
	ck_assert_mem_eq(r.attrs[1].value, "\x00\x00\x00\x06", 4);
	ck_assert_mem_eq(r.attrs[2].value, theirs[pos + 1]->attrs[2].value, 4);
	round_free(&r);
	pos += 2;

	/* Batches 4 and 5: the DH Nonce Parameters Response fields before the nonce. */
	exchange_swan(&msgs[pos], &r);
	same_shape(&r, theirs[pos + 1]);
	ck_assert_mem_eq(r.attrs[0].value, theirs[pos + 1]->attrs[0].value, 8);
	round_free(&r);
	pos += 2;

	/* Batches 6 and 7: the 16-octet TPM Version Information and the 92-octet AIK. */
	exchange_swan(&msgs[pos], &r);
	same_shape(&r, theirs[pos + 1]);
	ck_assert_mem_eq(r.attrs[0].value, theirs[pos + 1]->attrs[0].value, 3);
	/*
	 * strongSwan reports locality 3 (its default for non-Intel TPMs, and the
	 * capture's swtpm was started at 3). The log has no StartupLocality
	 * event, and this swtpm started at 0, so this IMC reports 0.
	 */
	ck_assert_uint_eq(theirs[pos + 1]->attrs[0].value[3], 3);
	ck_assert_uint_eq(r.attrs[0].value[3], 0);
	/* Revision and year of this swtpm (the capture's was revision 164 of 2021), then "IBM". */
	{
		tpm_version_info vi;
		const uint8_t *ours = r.attrs[0].value;

		ck_assert_int_eq(tpm_get_version_info(fx.tpm, &vi), TS_OK);
		ck_assert_uint_eq((uint32_t)ours[4] << 24 | ours[5] << 16 | ours[6] << 8 | ours[7], vi.spec_revision);
		ck_assert_uint_eq((uint32_t)ours[8] << 24 | ours[9] << 16 | ours[10] << 8 | ours[11], vi.spec_year);
		ck_assert_mem_eq(theirs[pos + 1]->attrs[0].value + 4, "\x00\x00\x00\xa4\x00\x00\x07\xe5", 8);
		ck_assert_mem_eq(ours + 12, theirs[pos + 1]->attrs[0].value + 12, 4);
	}
	ck_assert_uint_eq(r.attrs[1].value[0], theirs[pos + 1]->attrs[1].value[0]);
	round_free(&r);
	pos += 2;

	/* Batches 8 and 9: Symlinks, 105 Simple Component Evidence, Simple Evidence Final. */
	exchange_swan(&msgs[pos], &r);
	same_shape(&r, theirs[pos + 1]);
	ck_assert_uint_eq(r.count, 107);
	for (size_t i = 1; i <= 105; i++) {
		const uint8_t *ours = r.attrs[i].value, *ref = theirs[pos + 1]->attrs[i].value;

		/* Byte-identical but for the measurement time (the log file's ctime, octets 20-39). */
		ck_assert_mem_eq(ours, ref, 20);
		ck_assert_mem_eq(ours + 40, ref + 40, r.attrs[i].len - 40);
	}
	{
		const uint8_t *ours = r.attrs[106].value, *ref = theirs[pos + 1]->attrs[106].value;

		/* Flags 0x10, composite hash 0x4000, 32-octet pcrDigest ... */
		ck_assert_mem_eq(ours, ref, 8);
		/* ... qualified signer length, then clock info and version lengths ... */
		ck_assert_mem_eq(ours + 40, ref + 40, 2);
		ck_assert_mem_eq(ours + 76, ref + 76, 2);
		ck_assert_mem_eq(ours + 95, ref + 95, 2);
		/* ... and the PCR selection: SHA-256, PCRs 0-9 and 14. */
		ck_assert_mem_eq(ours + 105, ref + 105, 12);
		ck_assert_mem_eq(ours + 117, "\x00\x00\x00\x40", 4);

		/* pcrDigest = SHA-256(PCR 0 || ... || PCR 9 || PCR 14) of the log replayed from zero. */
		for (unsigned pcr = 0; pcr < 24; pcr++) {
			if (pcr > 9 && pcr != 14)
				continue;
			ck_assert(exp.have[pcr]);
			memcpy(composite + clen, exp.sha256[pcr], 32);
			clen += 32;
		}
		ck_assert_int_eq(EVP_Digest(composite, clen, digest, &dlen, EVP_sha256(), NULL), 1);
		ck_assert_mem_eq(ours + 8, digest, 32);
	}
	round_free(&r);

	for (size_t i = 0; i < nmsgs; i++) {
		pa_msg_free(theirs[i]);
		free(msgs[i].data);
	}
	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

START_TEST(test_imcatt_sha384_exchange)
{
	fixture fx;
	verifier v = { 0 };
	expected_pcrs exp = { 0 };
	emu_pcrs emu = { .sha384 = true };
	req_attr reqs[2];
	round_t r;
	char conf[2048];
	char *log = path_dup(BOOT_LOG);

	/* swtpm and the OVMF log both have a SHA-384 bank: it wins over SHA-256. */
	fixture_start(&fx, true);
	replay_log(fx.tpm, BOOT_LOG);
	load_expected(BOOT_PCRS, &exp);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	negotiate(&v, PTS_MEAS_ALGO_SHA1 | PTS_MEAS_ALGO_SHA256 | PTS_MEAS_ALGO_SHA384,
		  PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, PTS_MEAS_ALGO_SHA384);
	dh_params(&v);
	ck_assert_uint_eq(v.secret_len, 48);
	identity(&fx, &v, 0);

	comp_request(&reqs[0], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[1]);
	exchange(reqs, 2, &r);
	for (size_t i = 0; i + 1 < r.count; i++)
		check_sce(&r.attrs[i], 0x21, &emu, NULL);
	for (unsigned pcr = 0; pcr < 24; pcr++) {
		if (!(emu.touched & (1u << pcr)))
			continue;
		ck_assert_msg(exp.have384[pcr], "no VM value of SHA-384 PCR %u", pcr);
		ck_assert_mem_eq(emu.v[pcr], exp.sha384[pcr], 48);
	}
	check_sef(&r.attrs[r.count - 1], &v, &exp, emu.touched);
	round_free(&r);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

START_TEST(test_imcatt_ima_bank_list)
{
	fixture fx;
	verifier v = { 0 };
	expected_pcrs exp = { 0 };
	emu_pcrs emu = { 0 };
	req_attr req;
	round_t r;
	char conf[2048], list[256];
	char *log = path_dup(IMA_BOOT_LOG);

	/*
	 * A per-bank list of newer kernels (the same 62 records with SHA-256
	 * template digests), found by its "_sha256" file name suffix.
	 */
	fixture_start(&fx, true);
	snprintf(list, sizeof(list), "%s/binary_runtime_measurements_sha256", fx.dir);
	ck_assert_int_eq(symlink(test_data_path("ima/ima-tcb-ima-sig-1.sha256-list.bin"), list), 0);
	load_expected(IMA_PCR10, &exp);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, list, NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	negotiate(&v, PTS_MEAS_ALGO_SHA256, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, PTS_MEAS_ALGO_SHA256);

	comp_request(&req, (const uint8_t[]){ 0x22 }, 1);
	exchange(&req, 1, &r);
	ck_assert_uint_eq(r.count, 62);
	for (size_t i = 0; i < r.count; i++)
		check_sce(&r.attrs[i], 0x22, &emu, NULL);
	ck_assert_uint_eq(emu.touched, 1u << 10);
	ck_assert_mem_eq(emu.v[10], exp.sha256[10], 32);
	round_free(&r);

	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

/* Reads "<bank>:<index> <hex>" lines with SHA-256 values; '#' starts a comment line. */
static void load_expected_colon(const char *name, expected_pcrs *e)
{
	FILE *f = fopen(test_data_path(name), "r");
	char line[512], alg[16], hex[256];
	unsigned idx;

	ck_assert_msg(f != NULL, "cannot open %s", name);
	while (fgets(line, sizeof(line), f)) {
		size_t len = 0;
		unsigned char *v;

		if (line[0] == '#' || sscanf(line, "%15[^:]:%u %255s", alg, &idx, hex) != 3)
			continue;
		if (strcmp(alg, "sha256") != 0 || idx >= 24)
			continue;
		v = test_hex(hex, &len);
		ck_assert_uint_eq(len, 32);
		memcpy(e->sha256[idx], v, 32);
		e->have[idx] = true;
		free(v);
	}
	fclose(f);
}

/*
 * Starts swtpm without TPM2_Startup, sets locality 3 on the control channel
 * and sends TPM2_Startup(SU_CLEAR) itself, as firmware that logs a
 * StartupLocality event of 3 does. PCR 0 then starts as 00..03.
 */
static void fixture_start_locality3(fixture *fx)
{
	static const uint8_t startup[] = { 0x80, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x44, 0x00, 0x00 };
	char cmd[1024], state[96], sock[96], pidfile[96];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	uint8_t resp[16];
	ssize_t n;
	FILE *f;
	int fd;

	memset(fx, 0, sizeof(*fx));
	strcpy(fx->swtpm.dir, "/tmp/test_swtpm.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx->swtpm.dir));
	snprintf(state, sizeof(state), "%s/state", fx->swtpm.dir);
	snprintf(sock, sizeof(sock), "%s/tpm.sock", fx->swtpm.dir);
	snprintf(pidfile, sizeof(pidfile), "%s/swtpm.pid", fx->swtpm.dir);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	snprintf(cmd, sizeof(cmd),
		 "swtpm socket --tpm2 --tpmstate dir=%s --server type=unixio,path=%s "
		 "--ctrl type=unixio,path=%s.ctrl --flags not-need-init --pid file=%s --daemon",
		 state, sock, sock, pidfile);
	ck_assert_int_eq(system(cmd), 0);
	for (int i = 0; i < 100 && fx->swtpm.pid <= 0; i++) {
		struct stat st;
		int pid = 0;

		if (stat(sock, &st) == 0 && (f = fopen(pidfile, "r")) != NULL) {
			if (fscanf(f, "%d", &pid) == 1)
				fx->swtpm.pid = pid;
			fclose(f);
		}
		if (fx->swtpm.pid <= 0)
			usleep(50000);
	}
	ck_assert_int_gt(fx->swtpm.pid, 0);
	track_swtpm(fx->swtpm.pid, fx->swtpm.dir);

	snprintf(cmd, sizeof(cmd), "swtpm_ioctl --unix %s.ctrl -l 3", sock);
	ck_assert_int_eq(system(cmd), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(write(fd, startup, sizeof(startup)), (ssize_t)sizeof(startup));
	n = read(fd, resp, sizeof(resp));
	close(fd);
	/* TPM_ST_NO_SESSIONS, size 10, TPM_RC_SUCCESS. */
	ck_assert_int_eq(n, 10);
	ck_assert_mem_eq(resp, "\x80\x01\x00\x00\x00\x0a\x00\x00\x00\x00", 10);
	snprintf(cmd, sizeof(cmd), "swtpm_ioctl --unix %s.ctrl -l 0", sock);
	ck_assert_int_eq(system(cmd), 0);

	snprintf(fx->swtpm.tcti, sizeof(fx->swtpm.tcti), "swtpm:path=%s", sock);
	ck_assert_int_eq(tpm_open(fx->swtpm.tcti, &fx->tpm), TS_OK);
	ck_assert_int_eq(tpm_provision_ak(fx->tpm, AK_HANDLE, TPM_AK_ECC_P256, false, &fx->ak_pub, &fx->ak_pub_len),
			 TS_OK);
	strcpy(fx->dir, "/tmp/test_imcatt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	track_swtpm(0, fx->dir);
}

/* Quote PCR values: the published ones where known, else what the TPM holds. */
typedef struct mixed_pcrs {
	expected_pcrs *published;
	tpm_t *tpm;
	uint8_t read[24][32];
} mixed_pcrs;

static int mixed_pcr_read(void *ctx, TPM2_ALG_ID bank, uint32_t index, const uint8_t **value, size_t *len)
{
	mixed_pcrs *m = ctx;

	if (bank != TPM2_ALG_SHA256 || index >= 24)
		return TS_E_NOT_FOUND;
	if (m->published->have[index])
		return expected_pcr_read(m->published, bank, index, value, len);
	*len = sizeof(m->read[index]);
	if (tpm_pcr_read(m->tpm, TPM2_ALG_SHA256, index, m->read[index], len) != TS_OK)
		return TS_E_NOT_FOUND;
	*value = m->read[index];
	return TS_OK;
}

START_TEST(test_imcatt_locality3_exchange)
{
	static const char *const log_name = "eventlog/gotpmtools-glinux-alex.bin";
	fixture fx;
	verifier v = { 0 };
	expected_pcrs exp = { 0 };
	emu_pcrs emu = { 0 };
	mixed_pcrs mixed;
	req_attr reqs[2];
	round_t r;
	char conf[2048];
	char *log = path_dup(log_name);
	uint8_t pcr0[32];
	size_t pcr0_len = sizeof(pcr0);
	tpm2_quote_info info;
	tpm2_quote_status status = TPM2_QUOTE_MALFORMED;
	reader_t rd;
	EVP_PKEY *ak = NULL;

	/* A machine whose firmware started the TPM at locality 3 and logged it. */
	fixture_start_locality3(&fx);
	replay_log(fx.tpm, log_name);
	load_expected_colon("eventlog/gotpmtools-glinux-alex.bin.expected-pcrs.txt", &exp);
	ck_assert(exp.have[0]);
	ck_assert_int_eq(tpm_pcr_read(fx.tpm, TPM2_ALG_SHA256, 0, pcr0, &pcr0_len), TS_OK);
	ck_assert_mem_eq(pcr0, exp.sha256[0], 32);

	make_conf(conf, sizeof(conf), &fx, NULL, NULL, log, "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);
	negotiate(&v, PTS_MEAS_ALGO_SHA256, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T, PTS_MEAS_ALGO_SHA256);
	dh_params(&v);
	/* The TPM Version Information carries the log's locality, 3. */
	identity(&fx, &v, 3);

	comp_request(&reqs[0], (const uint8_t[]){ 0x21 }, 1);
	gen_request(&reqs[1]);
	exchange(reqs, 2, &r);

	/* A verifier that starts PCR 0 at the reported locality reproduces the published PCRs. */
	emu.v[0][31] = 3;
	for (size_t i = 0; i + 1 < r.count; i++)
		check_sce(&r.attrs[i], 0x21, &emu, NULL);
	for (unsigned pcr = 0; pcr < 8; pcr++)
		ck_assert_mem_eq(emu.v[pcr], exp.sha256[pcr], 32);

	mixed.published = &exp;
	mixed.tpm = fx.tpm;
	ck_assert_uint_eq(r.attrs[r.count - 1].type, PTS_ATTR_SIMPLE_EVID_FINAL);
	reader_init(&rd, r.attrs[r.count - 1].value + 4, r.attrs[r.count - 1].len - 4);
	ck_assert_int_eq(tpm2_quote_info_parse(&rd, &info, NULL), TS_OK);
	ck_assert_int_eq(tpm2_ak_from_spki_der(v.spki, v.spki_len, &ak), TS_OK);
	ck_assert_int_eq(tpm2_quote_info_verify(&info, PTS_MEAS_ALGO_SHA256, ak, TPM2_ALG_NULL, v.secret,
						v.secret_len, mixed_pcr_read, &mixed, &status), TS_OK);
	ck_assert_int_eq(status, TPM2_QUOTE_OK);
	EVP_PKEY_free(ak);
	round_free(&r);

	dh_nonce_destroy(v.dh);
	imc_stop();
	fixture_stop(&fx);
	free(log);
}
END_TEST

START_TEST(test_imcatt_legacy_host)
{
	fixture fx;
	char conf[2048];
	pts_caps caps = { PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T }, got;
	pa_msg_builder b;
	writer_t w;
	uint8_t *msg = NULL;
	size_t len = 0;
	pa_msg *reply = NULL;

	/* Without the long functions the IMC gets and sends 32-bit type 0x00559701, to every IMV. */
	legacy_host = true;
	fixture_start(&fx, true);
	make_conf(conf, sizeof(conf), &fx, NULL, NULL, "/nonexistent/log", "/nonexistent/ima", NULL);
	ck_assert_uint_eq(imc_start(conf, fx.dir), TNC_RESULT_SUCCESS);

	writer_init(&w, 64);
	ck_assert_int_eq(pts_caps_encode(&caps, &w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_init(&b, 1, 4096), TS_OK);
	ck_assert_int_eq(pa_msg_builder_add(&b, PA_ATTR_FLAG_NOSKIP, PA_VENDOR_TCG, PTS_ATTR_REQ_PROTO_CAPS,
					    writer_data(&w), writer_len(&w)), TS_OK);
	ck_assert_int_eq(pa_msg_builder_finish(&b, &msg, &len), TS_OK);
	pa_msg_builder_free(&b);
	writer_free(&w);
	ck_assert_uint_eq(imc_receive(IMC_ID, CONN_ID, msg, (TNC_UInt32)len, 0x00559701), TNC_RESULT_SUCCESS);
	free(msg);

	ck_assert_uint_eq(nrecorded, 1);
	ck_assert_uint_eq(recorded[0].flags, 0);
	ck_assert_uint_eq(recorded[0].vendor, PA_VENDOR_TCG);
	ck_assert_uint_eq(recorded[0].subtype, 1);
	ck_assert_uint_eq(recorded[0].dst, TNC_IMVID_ANY);
	ck_assert_int_eq(pa_msg_parse(recorded[0].data, recorded[0].len, NULL, &reply, NULL), TS_OK);
	ck_assert_uint_eq(reply->count, 1);
	ck_assert_uint_eq(reply->attrs[0].type, PTS_ATTR_PROTO_CAPS);
	ck_assert_int_eq(pts_caps_decode(reply->attrs[0].value, reply->attrs[0].value_len, &got, NULL), TS_OK);
	ck_assert_uint_eq(got.flags, PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T);
	pa_msg_free(reply);

	imc_stop();
	fixture_stop(&fx);
	legacy_host = false;
}
END_TEST

START_TEST(test_imcatt_exports)
{
	char so[4096];
	const char *top = getenv("TOP_BUILDDIR");

	snprintf(so, sizeof(so), "%s/imc/.libs/imc-attestation.so", top && *top ? top : TOP_BUILDDIR);
	module = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(module != NULL, "dlopen: %s", dlerror());
	/* Only TNC_IMC_* functions: the static common library stays hidden. */
	ck_assert_ptr_nonnull(dlsym(module, "TNC_IMC_Initialize"));
	ck_assert_ptr_null(dlsym(module, "pa_msg_parse"));
	ck_assert_ptr_null(dlsym(module, "tpm_open"));
	ck_assert_ptr_null(dlsym(module, "imcatt_reply_add"));
	dlclose(module);
	module = NULL;
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("imc_attestation");
	TCase *tc = tcase_create("imc_attestation");

	if (pa_registry_add(pts_attr_infos, pts_attr_info_count) != TS_OK)
		abort();
	/* fixture_start() records its swtpm here; see stop_tracked_swtpms(). */
	snprintf(run_list, sizeof(run_list), "/tmp/test_imcatt_swtpms.%d", (int)getpid());
	if (atexit(stop_tracked_swtpms) != 0)
		abort();
	/* tpm2-tss logs every expected TPM error of the failure cases; keep the output readable. */
	setenv("TSS2_LOG", "all+none", 0);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_imcatt_exports);
	tcase_add_test(tc, test_imcatt_boot_exchange);
	tcase_add_test(tc, test_imcatt_ima_exchange);
	tcase_add_test(tc, test_imcatt_sha384_exchange);
	tcase_add_test(tc, test_imcatt_ima_bank_list);
	tcase_add_test(tc, test_imcatt_segmented_aik);
	tcase_add_test(tc, test_imcatt_message_size_limit);
	tcase_add_test(tc, test_imcatt_no_ak);
	tcase_add_test(tc, test_imcatt_wrong_handle);
	tcase_add_test(tc, test_imcatt_invalid_handle_config);
	tcase_add_test(tc, test_imcatt_missing_bank);
	tcase_add_test(tc, test_imcatt_sha1_not_allowed);
	tcase_add_test(tc, test_imcatt_no_tpm);
	tcase_add_test(tc, test_imcatt_malformed_eventlog);
	tcase_add_test(tc, test_imcatt_missing_eventlog);
	tcase_add_test(tc, test_imcatt_files);
	tcase_add_test(tc, test_imcatt_legacy_host);
	tcase_add_test(tc, test_imcatt_startup_locality);
	tcase_add_test(tc, test_imcatt_locality3_exchange);
	tcase_add_test(tc, test_imcatt_lockout);
	tcase_add_test(tc, test_imcatt_ak_cert);
	tcase_add_test(tc, test_imcatt_ek_at_handle);
	tcase_add_test(tc, test_imcatt_strongswan_exchange);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
