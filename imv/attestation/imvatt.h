/*
 * Internals of imv-attestation.so, the TCG PTS attestation IMV.
 *
 * imv_attestation.c  IF-IMV entry points, message dispatch, the next request
 * imvatt_conf.c      the [imv-attestation] configuration section
 * imvatt_pts.c       negotiation: segmentation contract, capabilities,
 *                    measurement algorithm, DH nonce, TPM version, AIK
 * imvatt_ak.c        AK trust: devices.trusted or a certificate chain to ca_dir
 * imvatt_evidence.c  component evidence, PCR emulation, quote verification
 * imvatt_compare.c   registration and comparison of boot measurements
 * imvatt_ima.c       Linux IMA evidence against file_hashes references
 * imvatt_files.c     FMEAS, FMETA, DMEAS, DMETA, FREFM, DREFM workitems
 * imvatt_result.c    workitem results, recommendation, Assessment Result
 *
 * One imvatt_state lives per connection; the agent calls the handlers with
 * it locked, so nothing in it needs its own lock. Each connection opens its
 * own config.db handle, because an SQLite transaction belongs to a handle.
 */
#ifndef IMVATT_H
#define IMVATT_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "attest/dh_nonce.h"
#include "attest/tpm2_quote_info.h"
#include "conf.h"
#include "eventlog/pcr_bank.h"
#include "pa/pa_msg.h"
#include "policy_manager.h"
#include "pts/ita_attr.h"
#include "pts/pts_attr.h"
#include "pts/pts_comp.h"
#include "pts/pts_sce.h"
#include "pts/seg_engine.h"
#include "tnc_agent.h"

#define IMVATT_NAME "Attestation"
#define IMVATT_SECTION "imv-attestation"

/* Default number of Simple Component Evidence attributes accepted per connection. */
#define IMVATT_DEFAULT_MAX_MEASUREMENTS 65536
/* Length of the reason strings and workitem result texts. */
#define IMVATT_TEXT_MAX 1024

typedef struct imvatt_conf {
	char *db_path;              /* [imv] database */
	uint16_t meas_algos;        /* offered hash algorithm set */
	uint16_t dh_groups;         /* offered DH group set */
	dh_nonce_config dh;         /* nonce lengths, MODP 1024 */
	char *ca_dir;               /* NULL: no CA, only devices.trusted */
	int untrusted_ak_rec;       /* PM_REC_ISOLATE or PM_REC_NO_ACCESS */
	int fail_closed_rec;        /* PM_REC_ISOLATE or PM_REC_NO_ACCESS */
	size_t max_measurements;
	int busy_timeout_ms;
} imvatt_conf;

typedef struct imvatt_module {
	tnc_agent_t *agent;
	imvatt_conf conf;
} imvatt_module;

/* A functional component the IMV requested, and what arrived for it. */
typedef enum imvatt_comp_kind {
	IMVATT_COMP_BIOS,   /* letter B: ITA-HSR IMA, qualifier 0x21 */
	IMVATT_COMP_IMA,    /* letter I: ITA-HSR IMA, qualifier 0x22 */
	IMVATT_COMP_COUNT,
} imvatt_comp_kind;

/* One measurement of a component as it arrived. */
typedef struct imvatt_meas {
	uint32_t pcr;
	uint8_t digest[PCR_BANK_MAX_DIGEST_SIZE];
	size_t digest_len;
	char *name;                 /* IMA: the policy URI ("sha256:/usr/bin/ls"); NULL for BIOS */
} imvatt_meas;

typedef struct imvatt_comp {
	bool requested;
	pm_workitem *item;          /* the TPMRA workitem that asked for it */
	imvatt_meas *meas;
	size_t count;
	size_t cap;
	char error[IMVATT_TEXT_MAX];  /* first evidence error, "" if none */
} imvatt_comp;

/* Progress of the PTS exchange. */
typedef struct imvatt_proto {
	bool pts_started;           /* contract, capabilities and algorithm requested */
	bool caps_received;
	bool algo_received;
	bool dh_requested;
	bool dh_finished;
	bool files_requested;
	bool version_received;
	bool aik_received;
	bool evidence_requested;
	bool sef_received;
	bool pending_error;         /* the IMC sent a PTS error that ends the attestation */
} imvatt_proto;

typedef struct imvatt_state {
	imvatt_module *mod;
	TNC_ConnectionID conn;
	TNC_UInt32 imc_id;          /* the attestation IMC, TNC_IMCID_ANY until it spoke */

	/* IETF/OS information that identifies the session. */
	char *product;              /* "Debian 12 x86_64" */
	char *product_name;
	char *device_id;
	bool os_requested;          /* an Attribute Request went out */
	bool os_complete;

	/* Policy. */
	db_t *db;
	pm_session session;
	bool attached;
	bool stopped;
	pm_workitem *items;
	size_t item_count;

	/* Negotiated values. */
	imvatt_proto proto;
	seg_contract contract;
	seg_engine *seg;
	uint16_t caps;
	uint16_t meas_algo;         /* PTS hash bit, 0 before the selection */
	dh_nonce_t *dh;
	uint8_t secret[64];         /* the quote's qualifying data */
	size_t secret_len;
	uint8_t locality;           /* TPM start-up locality for PCR 0 */
	EVP_PKEY *ak;
	char ak_keyid[41];
	bool ak_trusted;
	char ak_problem[IMVATT_TEXT_MAX];

	/* Evidence. */
	imvatt_comp comps[IMVATT_COMP_COUNT];
	size_t meas_total;
	pcr_bank_t *bank;           /* emulated PCRs of the measurement algorithm */
	uint32_t evidence_pcrs;     /* bit n: evidence extended PCR n */
	ita_attr_symlinks symlinks;
	uint8_t *symlinks_value;    /* owns the bytes symlinks points into */
	bool quote_ok;
	char quote_problem[IMVATT_TEXT_MAX];

	/* Attributes to send at the end of this batch. */
	pa_msg_builder out;
	bool out_started;
	bool out_failed;
	pa_msg_builder out_os;      /* IETF/OS Attribute Request */
	bool out_os_started;

	/* Decision. */
	bool decided;
	int rec;
	int eval;
	char reason[IMVATT_TEXT_MAX];
	char fatal[IMVATT_TEXT_MAX];  /* a setup failure that ends the assessment, "" if none */
} imvatt_state;

/* imvatt_conf.c */
TS_MUST_CHECK int imvatt_conf_load(const conf_t *conf, imvatt_conf *out);
void imvatt_conf_free(imvatt_conf *c);
/* Reads the configuration file ($TNCSUITE_CONF or the default); a missing file gives the defaults. */
TS_MUST_CHECK int imvatt_conf_read(imvatt_conf *out);

/* imv_attestation.c */
/* Adds an attribute to the TCG/PTS message of this batch. */
TS_MUST_CHECK int imvatt_out_add(imvatt_state *s, uint8_t flags, uint32_t vendor, uint32_t type,
				 const writer_t *value);
/* Records a failure that ends the assessment (fail closed); the first one wins. */
void imvatt_fail(imvatt_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* imvatt_pts.c */
TS_MUST_CHECK int imvatt_pts_start(imvatt_state *s);
TS_MUST_CHECK int imvatt_pts_process(imvatt_state *s, uint8_t flags, uint32_t vendor, uint32_t type,
				     const uint8_t *value, size_t len);
TS_MUST_CHECK int imvatt_pts_next(imvatt_state *s);
bool imvatt_pts_wants_tpm(const imvatt_state *s);

/* imvatt_ak.c */
/*
 * Checks the AK of the Attestation Identity Key attribute: the keyid must
 * equal the device ID, and the key must be trusted by devices.trusted or
 * by a certificate chain to a CA in ca_dir. Sets s->ak, s->ak_keyid,
 * s->ak_trusted and, when not trusted, s->ak_problem.
 */
TS_MUST_CHECK int imvatt_ak_check(imvatt_state *s, bool naked, const uint8_t *blob, size_t len);

/* imvatt_evidence.c */
TS_MUST_CHECK int imvatt_evidence_request(imvatt_state *s);
TS_MUST_CHECK int imvatt_evidence_sce(imvatt_state *s, const uint8_t *value, size_t len);
TS_MUST_CHECK int imvatt_evidence_sef(imvatt_state *s, const uint8_t *value, size_t len);
/*
 * Verifies a TPM 2.0 Simple Evidence Final value against the emulated PCRs
 * of `bank`, the AK and the qualifying data. Returns TS_OK, or an error with
 * a reason a person can act on in problem[IMVATT_TEXT_MAX].
 */
TS_MUST_CHECK int imvatt_evidence_verify_quote(const uint8_t *value, size_t len, uint16_t meas_algo,
					       const pcr_bank_t *bank, uint32_t evidence_pcrs, EVP_PKEY *ak,
					       const uint8_t *secret, size_t secret_len, char *problem);
/*
 * Evaluates the TPMRA workitems once evidence and quote are in. It does
 * nothing while Simple Evidence Final is missing or when no TPMRA workitem
 * waits for a result, so the comparison runs once per attestation.
 */
TS_MUST_CHECK int imvatt_evidence_finish(imvatt_state *s);
void imvatt_evidence_free(imvatt_state *s);

/* imvatt_compare.c */
typedef struct imvatt_compare_result {
	bool registered;            /* first attestation: the measurements were stored */
	size_t count;               /* measurements received */
	size_t stored;              /* measurements registered before */
	size_t differences;
	char first[IMVATT_TEXT_MAX];  /* the first difference, "" if none */
} imvatt_compare_result;

/*
 * Registers the measurements of a component for a device on its first
 * attestation (one transaction), or compares them with the registered ones:
 * count, order, PCR and digest. event_offset is added to the 1-based index
 * in the texts.
 */
TS_MUST_CHECK int imvatt_compare(db_t *db, int64_t device, uint32_t comp_vendor, uint32_t comp_name,
				 uint8_t qualifier, uint16_t algo, const imvatt_meas *meas, size_t count,
				 bool allow_register, imvatt_compare_result *out);

/* imvatt_ima.c */
typedef struct imvatt_ima_counts {
	size_t ok;
	size_t unknown;
	size_t differ;
	size_t failed;
	char first_problem[IMVATT_TEXT_MAX];
} imvatt_ima_counts;

/*
 * Checks the IMA measurements after the boot_aggregate (meas[0]) against
 * the file_hashes references of the product. bank_algo is the PTS bit of
 * the template hashes, padded set when they are zero-padded SHA-1 hashes.
 */
TS_MUST_CHECK int imvatt_ima_check_files(db_t *db, int64_t product, uint16_t bank_algo,
					 const imvatt_meas *meas, size_t count,
					 const ita_attr_symlinks *links, imvatt_ima_counts *out);
/*
 * The ima-ng template hash of (algo-prefixed digest, name) in bank
 * `bank_algo`; with empty_sig, the ima-sig hash of a file without signature.
 */
TS_MUST_CHECK int imvatt_ima_template_hash(uint16_t bank_algo, const char *digest_algo,
					   const uint8_t *digest, size_t digest_len, const char *name,
					   bool empty_sig, uint8_t *out, size_t *out_len);
/*
 * Whether `expected` is the ima-ng or the (unsigned) ima-sig template hash of
 * the file digest and name. The PTS evidence carries no template name, so
 * both are tried. NOTE: an ima-sig entry with a signature cannot match,
 * because the evidence does not carry the signature.
 */
TS_MUST_CHECK int imvatt_ima_template_matches(uint16_t bank_algo, const char *digest_algo,
					      const uint8_t *digest, size_t digest_len, const char *name,
					      const uint8_t *expected, size_t expected_len, bool *match);

/* imvatt_files.c */
TS_MUST_CHECK int imvatt_files_request(imvatt_state *s);
TS_MUST_CHECK int imvatt_files_measurement(imvatt_state *s, const uint8_t *value, size_t len);
TS_MUST_CHECK int imvatt_files_metadata(imvatt_state *s, const uint8_t *value, size_t len);
bool imvatt_files_is_type(int type);

/* imvatt_result.c */
/*
 * Records a workitem result through the policy manager. An ERROR or DONT_KNOW
 * result whose policy would allow is recorded with the fail-closed
 * recommendation instead. A database failure marks the session failed.
 */
void imvatt_result_set(imvatt_state *s, pm_workitem *item, int evaluation, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* True once every workitem has a result, or after a fatal failure. */
bool imvatt_result_ready(const imvatt_state *s);
/* Combines, sends the Assessment Result and provides the recommendation once. */
TNC_Result imvatt_result_decide(imvatt_state *s, bool solicited);
/* vsnprintf into dst (a truncated text is fine for reasons and results). */
void imvatt_text(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The more severe of two PM_REC_* values: no access > isolate > allow > none. */
int imvatt_result_most_severe(int a, int b);

#endif
