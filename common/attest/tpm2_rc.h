/*
 * Classification of TPM 2.0 response codes for the TPM access code.
 */
#ifndef ATTEST_TPM2_RC_H
#define ATTEST_TPM2_RC_H

#include <stdbool.h>

#include <tss2/tss2_common.h>

/*
 * Whether `rc` is a transient TPM warning after which the same command may
 * simply be sent again: TPM_RC_RETRY (0x922), TPM_RC_YIELDED (0x908) or
 * TPM_RC_TESTING (0x90A). The codes count both as returned by the TPM
 * (layer 0) and as passed on by a resource manager (TSS2_RESMGR_TPM_RC_LAYER).
 * Callers retry a bounded number of times. swtpm 0.7 returns TPM_RC_RETRY
 * for the first use of a key after TPM2_Startup.
 */
bool tpm2_rc_is_transient(TSS2_RC rc);

#endif
