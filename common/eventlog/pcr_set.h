/*
 * A set of emulated PCR banks, one per supported algorithm (SHA-1, SHA-256,
 * SHA-384, SHA-512), looked up by TPM_ALG_ID, so quote verification can ask
 * for "bank 0x000B, PCR 7".
 */
#ifndef PCR_SET_H
#define PCR_SET_H

#include <stddef.h>
#include <stdint.h>

#include "pcr_bank.h"
#include "ts_error.h"

/* Number of banks in a set, in the order SHA-1, SHA-256, SHA-384, SHA-512. */
#define PCR_SET_NUM_BANKS 4

typedef struct pcr_set pcr_set_t;

/* Creates one bank per supported algorithm, all reset for locality 0. */
TS_MUST_CHECK int pcr_set_create(pcr_set_t **out);
void pcr_set_destroy(pcr_set_t *set);
/* Resets every bank (see pcr_bank_reset). */
TS_MUST_CHECK int pcr_set_reset(pcr_set_t *set, uint8_t startup_locality);
/* The bank for a TPM_ALG_ID, or NULL when the set has none. */
pcr_bank_t *pcr_set_get_bank(const pcr_set_t *set, uint16_t alg_id);
/* The i-th bank (0 .. PCR_SET_NUM_BANKS-1), or NULL past the end. */
pcr_bank_t *pcr_set_get_bank_at(const pcr_set_t *set, size_t i);

#endif
