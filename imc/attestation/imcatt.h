/*
 * Internals of imc-attestation.so, the TCG PTS attestation IMC.
 *
 * imc_attestation.c   IF-IMC entry points, configuration, message dispatch
 * imcatt_reply.c      reply messages: attributes, PTS errors, segmentation
 * imcatt_pts.c        negotiation: capabilities, algorithm, DH nonce,
 *                     TPM version information, AIK
 * imcatt_evidence.c   functional component evidence and the TPM 2.0 quote
 * imcatt_files.c      file measurement, file metadata, ITA Get Symlinks
 *
 * One imcatt_state lives per connection; the agent calls the handlers with
 * it locked, so nothing in it needs its own lock.
 */
#ifndef IMCATT_H
#define IMCATT_H

#include <stdbool.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "attest/dh_nonce.h"
#include "imcatt_conf.h"
#include "pa/pa_msg.h"
#include "pts/pts_attr.h"
#include "pts/seg_engine.h"
#include "tnc_agent.h"
#include "tpm/tpm.h"

/* PTS error codes (TCG PTS IF-M binding, carried with error vendor 0x005597). */
enum imcatt_pts_error {
	IMCATT_PTS_ERR_HASH_NOT_SUPPORTED = 1,
	IMCATT_PTS_ERR_INVALID_PATH = 2,
	IMCATT_PTS_ERR_FILE_NOT_FOUND = 3,
	IMCATT_PTS_ERR_DH_GROUPS_NOT_SUPPORTED = 6,
	IMCATT_PTS_ERR_BAD_NONCE_LEN = 7,
	IMCATT_PTS_ERR_INVALID_NAME_FAMILY = 8,
	IMCATT_PTS_ERR_TPM_VERSION_NOT_SUPPORTED = 9,
	IMCATT_PTS_ERR_INVALID_DELIMITER = 10,
	IMCATT_PTS_ERR_NOT_SUPPORTED = 11,
	IMCATT_PTS_ERR_UNABLE_LOCAL_VALIDATION = 13,
	IMCATT_PTS_ERR_UNABLE_CURRENT_EVIDENCE = 14,
	IMCATT_PTS_ERR_UNABLE_TRUSTED_CHAIN = 15,
	IMCATT_PTS_ERR_UNABLE_DETERMINE_PCR = 16,
};

/* The module-wide context: the agent and the configuration. */
typedef struct imcatt_module {
	tnc_agent_t *agent;
	imcatt_conf conf;
} imcatt_module;

typedef struct imcatt_state {
	TNC_ConnectionID conn;
	imcatt_module *module;

	/* TPM, opened on first use; tpm_failed stops further attempts on this connection. */
	tpm_t *tpm;
	bool tpm_failed;
	uint32_t tpm_banks;           /* TPM_BANK_* */

	uint16_t caps;                /* negotiated PTS_PROTO_CAPS_* */
	uint16_t meas_algo;           /* selected PTS_MEAS_ALGO_* bit, 0 before selection */

	dh_nonce_t *dh;
	uint8_t secret[64];           /* qualifying data of the quote */
	size_t secret_len;

	/* PCRs touched by the evidence sent so far: the quote selects them. */
	uint32_t evidence_pcrs;

	seg_engine *seg;              /* responder side of the TCG/PTS contract */
} imcatt_state;

/* Reply being assembled for one received message; sent exclusively to dst_id. */
typedef struct imcatt_reply {
	imcatt_state *state;
	pa_msg_builder b;
	bool started;
	TNC_UInt32 dst_id;
	int status;                   /* first fatal error */
} imcatt_reply;

/* imcatt_reply.c */
void imcatt_reply_init(imcatt_reply *r, imcatt_state *state, TNC_UInt32 dst_id);
/*
 * Adds one attribute whose value is encoded in `value`. An attribute larger
 * than the segmentation contract allows goes out as its first Segment
 * Envelope. When the PA-TNC message is full, the message built so far is
 * sent and a new one started.
 */
TS_MUST_CHECK int imcatt_reply_add(imcatt_reply *r, uint8_t flags, uint32_t vendor, uint32_t type,
				   const writer_t *value);
/* Adds a PA-TNC Error with a PTS error code (vendor 0x005597) and its information. */
TS_MUST_CHECK int imcatt_reply_pts_error(imcatt_reply *r, uint32_t code, const uint8_t *info, size_t info_len);
/* Adds a PTS error whose information is the value of the request attribute. */
TS_MUST_CHECK int imcatt_reply_pts_error_attr(imcatt_reply *r, uint32_t code, const pa_attr *attr);
/* Adds an IETF Invalid Parameter error about a field of msg at a message offset. */
TS_MUST_CHECK int imcatt_reply_invalid(imcatt_reply *r, const pa_msg *msg, size_t offset, const char *field);
/* Sends what was built (nothing if empty) and frees the builder. */
TNC_Result imcatt_reply_send(imcatt_reply *r);

/*
 * imcatt_pts.c. Each handler adds its reply, or a PTS or PA-TNC error, to r.
 * TS_E_INVALID, TS_E_TRUNCATED or TS_E_TRAILING mean an undecodable value
 * (the caller sends Invalid Parameter); other failures mean no reply could
 * be built.
 */
tpm_t *imcatt_pts_tpm(imcatt_state *state);
TS_MUST_CHECK int imcatt_pts_contract(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr);
TS_MUST_CHECK int imcatt_pts_next_segment(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr);
TS_MUST_CHECK int imcatt_pts_caps(imcatt_reply *r, const pa_attr *attr);
TS_MUST_CHECK int imcatt_pts_meas_algo(imcatt_reply *r, const pa_attr *attr);
TS_MUST_CHECK int imcatt_pts_dh_params(imcatt_reply *r, const pa_attr *attr);
TS_MUST_CHECK int imcatt_pts_dh_finish(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr);
TS_MUST_CHECK int imcatt_pts_tpm_version(imcatt_reply *r, const pa_attr *attr);
TS_MUST_CHECK int imcatt_pts_aik(imcatt_reply *r, const pa_attr *attr);
/*
 * Whether a key can attest: a restricted signing key that cannot leave the
 * TPM. An EK (a restricted decryption key) at ak_handle fails this.
 */
bool imcatt_pts_is_ak(const TPMT_PUBLIC *pub);

/* imcatt_evidence.c */
TS_MUST_CHECK int imcatt_evidence_request(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr);
TS_MUST_CHECK int imcatt_evidence_final(imcatt_reply *r, const pa_attr *attr);
/* PTS hash bits of the banks the firmware log has digests for; 0 when it cannot be read. */
uint16_t imcatt_evidence_log_algos(const imcatt_conf *conf);
/* The startup locality the firmware log states (0 when the log cannot be read). */
uint8_t imcatt_evidence_startup_locality(const imcatt_conf *conf);

/* imcatt_files.c */
TS_MUST_CHECK int imcatt_files_measure(imcatt_reply *r, const pa_attr *attr);
TS_MUST_CHECK int imcatt_files_metadata(imcatt_reply *r, const pa_attr *attr);
TS_MUST_CHECK int imcatt_files_symlinks(imcatt_reply *r, const pa_attr *attr);

#endif
