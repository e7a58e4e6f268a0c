/*
 * bench-imc-attest.so: imc-attestation.so built from its own sources, with
 * its TPM calls served by the software TPM of bench_soft_tpm.c. It sends
 * what imc-attestation sends: segmentation contract, capabilities, DH
 * nonce, TPM version, AK, one Simple Component Evidence per boot event and
 * Simple Evidence Final with the TPM 2.0 quote. The evidence is
 * pre-generated and signed by a software AK, so a benchmark of the server
 * does not wait for a TPM. The module reads the [imc-attestation] section,
 * whose tcti names the AK key file and the event log (bench_soft_tpm.h).
 *
 * The sources are compiled here as one translation unit, so the renaming
 * macros of bench_soft_tpm.h apply to every TPM call they make.
 * imcatt_files.c needs _GNU_SOURCE (asprintf) before any system header.
 */
#define _GNU_SOURCE

#include "bench_soft_tpm.h"

#include "imc_attestation.c"
#include "imcatt_conf.c"
#include "imcatt_evidence.c"
#include "imcatt_files.c"
#include "imcatt_pts.c"
#include "imcatt_reply.c"
