/*
 * Linux IMA runtime measurement lists: parsing, template hash checks, PCR
 * replay, boot_aggregate and verification against reference file digests.
 *
 * A list comes from /sys/kernel/security/ima/binary_runtime_measurements
 * (binary, host byte order, read here as little-endian) or from
 * ascii_runtime_measurements (text). Newer kernels also write one file per
 * PCR bank (binary_runtime_measurements_sha256, ...) whose template digests
 * use that bank's algorithm; the caller passes that algorithm as `list_alg`.
 *
 * The templates ima, ima-ng, ima-sig and ima-buf are decoded into their file
 * digest, file name, signature and buffer. Other templates (ima-modsig,
 * evm-sig, custom formats) are kept opaque in binary lists: their template
 * data is checked for well-formed field framing, hashed and replayed, but
 * not interpreted.
 *
 * Module files: ima_list.c (binary parser and the list), ima_ascii.c (text
 * parser), ima_template.c (template hashes), ima_replay.c (PCR replay),
 * ima_boot.c (boot_aggregate), ima_refs.c (reference digests).
 */
#ifndef IMA_H
#define IMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"

/* Largest digest any supported algorithm produces (SHA-512). */
#define IMA_DIGEST_MAX 64
/* PCR indexes a measurement may name: a TPM 2.0 PC client TPM has 24. */
#define IMA_PCR_COUNT 24
/* The PCR that IMA extends unless its policy names another one. */
#define IMA_PCR_DEFAULT 10
/* The legacy `ima` template hashes its file name in a buffer of this size. */
#define IMA_LEGACY_NAME_BUF 256
/* Maximum length of the algorithm name in a d-ng field ("streebog512" is 11). */
#define IMA_ALG_NAME_MAX 32

typedef enum ima_hash_alg {
	IMA_HASH_UNKNOWN = 0, /* a d-ng algorithm name this module does not know */
	IMA_HASH_MD5,
	IMA_HASH_SHA1,
	IMA_HASH_SHA256,
	IMA_HASH_SHA384,
	IMA_HASH_SHA512,
	IMA_HASH_COUNT
} ima_hash_alg;

/* Digest size in bytes, 0 for IMA_HASH_UNKNOWN. */
size_t ima_hash_alg_size(ima_hash_alg alg);
/* Kernel spelling ("sha256"), "unknown" for IMA_HASH_UNKNOWN. */
const char *ima_hash_alg_name(ima_hash_alg alg);
/* Inverse of ima_hash_alg_name(); IMA_HASH_UNKNOWN when the name is not known. */
ima_hash_alg ima_hash_alg_from_name(const char *name, size_t len);
/* Maps a TPM_ALG_ID (0x0004 SHA1, 0x000B SHA256, ...); IMA_HASH_UNKNOWN otherwise. */
ima_hash_alg ima_hash_alg_from_tpm(uint16_t tpm_alg);

typedef enum ima_template {
	IMA_TEMPLATE_IMA,     /* d | n (legacy, no template data length) */
	IMA_TEMPLATE_IMA_NG,  /* d-ng | n-ng */
	IMA_TEMPLATE_IMA_SIG, /* d-ng | n-ng | sig */
	IMA_TEMPLATE_IMA_BUF, /* d-ng | n-ng | buf */
	IMA_TEMPLATE_OPAQUE,  /* any other template, fields not decoded */
} ima_template;

/*
 * Limits on what the producer of a list controls. ima_limits_default()
 * fills in the defaults given in brackets.
 */
typedef struct ima_limits {
	size_t max_entries;            /* [1,000,000] records in one list */
	size_t max_template_name_len;  /* [255] template name or custom format string */
	size_t max_file_name_len;      /* [4096] n / n-ng, without the NUL */
	size_t max_template_data_len;  /* [65536] template data of one record */
	bool reject_opaque_templates;  /* [false] fail on templates not decoded here */
} ima_limits;

void ima_limits_default(ima_limits *limits);

/*
 * One measurement. All pointers point into memory owned by the list and stay
 * valid until ima_list_destroy(). Strings are not NUL-terminated: use the
 * lengths.
 */
typedef struct ima_entry {
	size_t offset;                 /* record start in the input (bytes) */
	uint32_t pcr;
	bool violation;                /* template digest all zero: extend 0xff.. */
	const uint8_t *template_hash;  /* list_alg digest as listed */
	ima_template template_id;
	const char *template_name;
	size_t template_name_len;
	/*
	 * Template data as the kernel stores it in the binary list (for `ima`:
	 * d, then a 4-byte name length, then the name). The template hash is
	 * computed over it by ima_template_hash().
	 */
	const uint8_t *data;
	size_t data_len;

	/* Decoded fields; all NULL/0 for IMA_TEMPLATE_OPAQUE. */
	ima_hash_alg digest_alg;       /* algorithm of the file digest */
	const char *digest_alg_name;   /* as written in d-ng ("" when empty) */
	size_t digest_alg_name_len;
	const uint8_t *digest;         /* file (or buffer) digest */
	size_t digest_len;
	const char *file_name;         /* n / n-ng without the NUL */
	size_t file_name_len;
	/* NOTE: ima-sig signatures are decoded but not verified by this module. */
	const uint8_t *sig;            /* ima-sig: security.ima value, may be empty */
	size_t sig_len;
	const uint8_t *buf;            /* ima-buf: the measured buffer */
	size_t buf_len;
} ima_entry;

typedef struct ima_list ima_list;

/*
 * Where and why a parse failed. `entry` is the index of the record being
 * decoded, `record_offset` its first byte and `offset` the first byte of the
 * field named by `field`. For text lists offsets count bytes from the start
 * of the text and `line` is the 1-based line number. A log line reads
 * "entry E, offset O: FIELD: MESSAGE". A text record that the converter
 * accepted but the decoder rejected reports the offset of its line.
 */
typedef struct ima_parse_error {
	int code;                      /* the TS_E_* that the parser returned */
	size_t entry;
	size_t record_offset;
	size_t offset;
	size_t line;                   /* text lists only, 0 otherwise */
	const char *field;             /* static text, e.g. "template data length" */
	char message[160];             /* value seen and limit, e.g. "49 exceeds the 52 bytes left" */
} ima_parse_error;

/*
 * ima_list.c: parses a binary measurement list. The bytes are copied, so the
 * caller may free `data` afterwards. `list_alg` is the template digest
 * algorithm of the file (IMA_HASH_SHA1 for binary_runtime_measurements).
 * `limits` may be NULL for the defaults; `err` may be NULL. On failure
 * *ret_list is left untouched and err, if given, contains the position.
 */
TS_MUST_CHECK int ima_list_parse_binary(const uint8_t *data, size_t len, ima_hash_alg list_alg,
					const ima_limits *limits, ima_list **ret_list,
					ima_parse_error *err);
void ima_list_destroy(ima_list *list);
size_t ima_list_count(const ima_list *list);
/* The index-th entry, NULL when index is out of range. */
const ima_entry *ima_list_entry(const ima_list *list, size_t index);
ima_hash_alg ima_list_alg(const ima_list *list);
/* Number of entries whose template digest is all zero. */
size_t ima_list_violations(const ima_list *list);

/*
 * ima_ascii.c: parses a text measurement list, one record per line as
 * ascii_runtime_measurements prints it. The template data of every decoded
 * template is rebuilt, so template hashes and per-bank replay work as for a
 * binary list. A template other than ima, ima-ng, ima-sig and ima-buf is
 * rejected with TS_E_UNSUPPORTED because its fields cannot be turned back
 * into bytes without knowing how each was printed.
 */
TS_MUST_CHECK int ima_ascii_parse(const char *text, size_t len, ima_hash_alg list_alg,
				  const ima_limits *limits, ima_list **ret_list,
				  ima_parse_error *err);

/*
 * ima_template.c: computes the template hash of e with `alg`: for `ima`,
 * H(d || file name zero-padded to 256 bytes); for every other template,
 * H(template data). out must hold IMA_DIGEST_MAX bytes.
 */
TS_MUST_CHECK int ima_template_hash(const ima_entry *e, ima_hash_alg alg, uint8_t *out,
				    size_t *out_len);

/*
 * Recomputes the template hash of every entry with the list algorithm and
 * compares it with the listed one. Violations (listed digest all zero) are
 * not hashed, because the kernel never computed a hash for them.
 * Returns TS_OK, or TS_E_VERIFY with *bad_index set to the first entry whose
 * hash differs (bad_index may be NULL).
 */
TS_MUST_CHECK int ima_template_check_list(const ima_list *list, size_t *bad_index);

/*
 * How the kernel extended non-SHA-1 banks. Older kernels handed the TPM
 * driver the 20-byte SHA-1 template hash, and the driver zero-padded it into
 * every bank. Newer ones hash the template data with each bank's algorithm.
 */
typedef enum ima_replay_mode {
	IMA_REPLAY_BANK_HASH,   /* H_bank(template data) (newer kernels) */
	IMA_REPLAY_PADDED_SHA1, /* SHA-1 template hash zero-padded to the bank size */
} ima_replay_mode;

/*
 * ima_replay.c: replays the entries that name PCR `pcr`, among the first
 * `count` entries of the list (all when count exceeds the list), into a bank
 * of algorithm `bank`, starting from zeros. A violation extends bank-size bytes of 0xff. When `bank` equals the
 * list algorithm the listed template digests are extended as they are.
 * out must hold IMA_DIGEST_MAX bytes; *out_len gets the bank size.
 */
TS_MUST_CHECK int ima_replay_pcr(const ima_list *list, size_t count, uint32_t pcr,
				 ima_hash_alg bank, ima_replay_mode mode, uint8_t *out,
				 size_t *out_len);

/*
 * Finds the shortest prefix of the list whose replay into (pcr, bank) equals
 * `expected`: a quote taken while the kernel kept measuring covers only the
 * entries made before it. Tries IMA_REPLAY_BANK_HASH first, then
 * IMA_REPLAY_PADDED_SHA1 for banks other than SHA-1. Returns TS_OK with the
 * number of list entries and the mode that matched (0 entries for an all-zero
 * PCR), or TS_E_VERIFY. ret_mode may be NULL.
 */
TS_MUST_CHECK int ima_replay_find_prefix(const ima_list *list, uint32_t pcr, ima_hash_alg bank,
					 const uint8_t *expected, size_t expected_len,
					 size_t *ret_count, ima_replay_mode *ret_mode);

/* PCRs 0-9: SHA-1 boot aggregates use 0-7, all other banks 0-9. */
#define IMA_BOOT_PCR_COUNT 10

/* The boot PCR values of one bank, as read from the TPM or an event log replay. */
typedef struct ima_boot_pcrs {
	ima_hash_alg alg;
	uint8_t value[IMA_BOOT_PCR_COUNT][IMA_DIGEST_MAX];
} ima_boot_pcrs;

/*
 * ima_boot.c: computes the boot aggregate of one bank: H(PCR0 || .. || PCR7)
 * for SHA-1 and H(PCR0 || .. || PCR9) for any other bank. out must hold
 * IMA_DIGEST_MAX bytes.
 */
TS_MUST_CHECK int ima_boot_aggregate_compute(const ima_boot_pcrs *pcrs, uint8_t *out,
					     size_t *out_len);

/*
 * Checks the first entry of the list: it must name boot_aggregate and carry
 * the boot aggregate of the bank whose algorithm equals its digest algorithm,
 * chosen from `banks`. Returns TS_OK, TS_E_INVALID when the first entry is
 * not a boot_aggregate, TS_E_NOT_FOUND when no bank of that algorithm was
 * given, TS_E_VERIFY when the digest differs.
 */
TS_MUST_CHECK int ima_boot_aggregate_check(const ima_list *list, const ima_boot_pcrs *banks,
					   size_t nbanks);

/*
 * ima_refs.c: reference digests of files, as strongTNC keeps them in
 * file_hashes: for each path, any number of allowed digests per algorithm.
 * The verify functions only read the table, so several threads may verify
 * against one table once it is loaded.
 */
typedef struct ima_refs ima_refs;

TS_MUST_CHECK int ima_refs_create(ima_refs **ret_refs);
void ima_refs_destroy(ima_refs *refs);
/* Adds an allowed digest for a path; adding the same one twice is a no-op. */
TS_MUST_CHECK int ima_refs_add(ima_refs *refs, const char *path, size_t path_len,
			       ima_hash_alg alg, const uint8_t *digest, size_t digest_len);
/* The same with the digest as hex text (file_hashes.hash). */
TS_MUST_CHECK int ima_refs_add_hex(ima_refs *refs, const char *path, ima_hash_alg alg,
				   const char *hex);
/* Number of distinct paths. */
size_t ima_refs_count(const ima_refs *refs);

typedef enum ima_verdict {
	IMA_VERDICT_MATCH,          /* a reference for this path and algorithm matches */
	IMA_VERDICT_MISMATCH,       /* references exist in this algorithm, none match */
	IMA_VERDICT_UNKNOWN,        /* no reference for this path in this algorithm */
	IMA_VERDICT_VIOLATION,      /* the kernel recorded a measurement violation */
	IMA_VERDICT_BAD_TEMPLATE,   /* listed template hash differs from the data */
	IMA_VERDICT_BOOT_AGGREGATE, /* first entry; checked by ima_boot_aggregate_check() */
} ima_verdict;

const char *ima_verdict_name(ima_verdict verdict);

/* Verdict for one entry by reference lookup alone (no template hash check). */
ima_verdict ima_refs_verify_entry(const ima_refs *refs, const ima_entry *e);

typedef struct ima_verify_counts {
	size_t match;
	size_t mismatch;
	size_t unknown;
	size_t violation;
	size_t bad_template;
	size_t boot_aggregate;
} ima_verify_counts;

/* Flags of ima_refs_verify_list(). */
#define IMA_VERIFY_SKIP_TEMPLATE_HASH 0x1u /* the caller ran ima_template_check_list() */

/*
 * Verifies every entry of the list: the template hash against the template
 * data (unless IMA_VERIFY_SKIP_TEMPLATE_HASH), then the file digest against
 * the references. `verdicts` (may be NULL) receives one verdict per entry,
 * and counts are written on success. Returns an error only when OpenSSL or a
 * memory allocation fails.
 */
TS_MUST_CHECK int ima_refs_verify_list(const ima_refs *refs, const ima_list *list,
				       unsigned int flags, ima_verdict *verdicts,
				       ima_verify_counts *counts);

#endif
