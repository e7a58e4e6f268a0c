/*
 * A software TPM for the attestation benchmarks: the functions of
 * tpm/tpm.h that imc-attestation calls, served without a TPM, so a
 * benchmark measures the server and not the TPM.
 *
 * Including this header before tpm/tpm.h renames those functions to
 * bench_tpm_*; bench_imc_attest.c compiles the sources of imc-attestation
 * that way. The TCTI string of [imc-attestation] selects the evidence:
 *
 *   tcti = bench:key=/path/ak.pem,eventlog=/path/binary_bios_measurements
 *
 * key is a PEM EC P-256 private key, the software attestation key (AK);
 * eventlog is the firmware event log whose replay gives the PCR values
 * (normally the same file as [imc-attestation] eventlog). Both are read
 * once, at the first tpm_open(), and shared by all connections.
 *
 * tpm_quote() returns what a TPM 2.0 returns for TPM2_Quote with an ECDSA
 * SHA-256 restricted signing key: a marshalled TPMS_ATTEST of type
 * TPM_ST_ATTEST_QUOTE over the replayed PCRs, and a TPMT_SIGNATURE with the
 * ECDSA signature over its SHA-256 digest. tpm_read_public() returns the
 * AK as a marshalled TPM2B_PUBLIC with the attributes of a TPM AK
 * (fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, restricted,
 * sign). PCR extends, AK provisioning and FAPI keys are not supported.
 */
#ifndef BENCH_SOFT_TPM_H
#define BENCH_SOFT_TPM_H

#define tpm_open bench_tpm_open
#define tpm_close bench_tpm_close
#define tpm_tcti bench_tpm_tcti
#define tpm_fapi_get_ak_blob bench_tpm_fapi_get_ak_blob
#define tpm_set_ak_blob bench_tpm_set_ak_blob
#define tpm_find_device bench_tpm_find_device
#define tpm_get_version_info bench_tpm_get_version_info
#define tpm_get_banks bench_tpm_get_banks
#define tpm_pcr_read bench_tpm_pcr_read
#define tpm_pcr_extend bench_tpm_pcr_extend
#define tpm_provision_ak bench_tpm_provision_ak
#define tpm_read_public bench_tpm_read_public
#define tpm_quote bench_tpm_quote

#include "tpm/tpm.h"

/* The prefix of the TCTI strings that bench_tpm_open() accepts. */
#define BENCH_SOFT_TPM_TCTI_PREFIX "bench:"

#endif
