/*
 * Bounds and limit checks shared by the TPM 2.0 decoders of this directory.
 * Each walks a structure with the bounds-checked reader before tss2-mu
 * decodes it, so a bad length is logged with its field name and offset, and
 * stores that offset in *err_offset (may be NULL).
 */
#ifndef ATTEST_TPM2_QUOTE_CHECK_H
#define ATTEST_TPM2_QUOTE_CHECK_H

#include <stddef.h>

#include "reader.h"

/* TPMS_CLOCK_INFO on the wire: clock(8) resetCount(4) restartCount(4) safe(1). */
#define TPM2_CLOCK_INFO_LEN 17

/* Logs and returns rc unless it is TS_OK. */
int tpm2_quote_check_field(int rc, const char *structure, const char *field, const reader_t *r, size_t *err_offset);

/* Consumes a TPM2B whose size may not exceed `max`. */
TS_MUST_CHECK int tpm2_quote_check_tpm2b(reader_t *r, size_t max, const char *structure, const char *field,
				   size_t *err_offset);

/* Consumes a TPML_PCR_SELECTION of at most TPM2_NUM_PCR_BANKS banks of TPM2_PCR_SELECT_MAX bytes. */
TS_MUST_CHECK int tpm2_quote_check_pcr_selection(reader_t *r, const char *structure, size_t *err_offset);

#endif
