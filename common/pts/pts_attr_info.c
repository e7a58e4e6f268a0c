#include "ita_attr.h"
#include "pts_attr_info.h"
#include "pts_caps.h"
#include "pts_comp.h"
#include "pts_dh.h"
#include "pts_file.h"
#include "pts_meas_algo.h"
#include "pts_sce.h"
#include "pts_sef.h"
#include "pts_tpm.h"
#include "pts_verif.h"
#include "seg_attr.h"

/*
 * One validate function per type: decode the value and throw the result
 * away. Byte fields of the decoded structs point into the value, so only
 * the array-holding types need a free.
 */

static int check_caps(const uint8_t *v, size_t len, size_t *bad)
{
	pts_caps x;

	return pts_caps_decode(v, len, &x, bad);
}

static int check_meas_algo(const uint8_t *v, size_t len, size_t *bad)
{
	pts_meas_algo x;

	return pts_meas_algo_decode(v, len, &x, bad);
}

static int check_meas_algo_selection(const uint8_t *v, size_t len, size_t *bad)
{
	pts_meas_algo x;

	return pts_meas_algo_selection_decode(v, len, &x, bad);
}

static int check_dh_req(const uint8_t *v, size_t len, size_t *bad)
{
	pts_dh_params_req x;

	return pts_dh_params_req_decode(v, len, &x, bad);
}

static int check_dh_resp(const uint8_t *v, size_t len, size_t *bad)
{
	pts_dh_params_resp x;

	return pts_dh_params_resp_decode(v, len, &x, bad);
}

static int check_dh_finish(const uint8_t *v, size_t len, size_t *bad)
{
	pts_dh_finish x;

	return pts_dh_finish_decode(v, len, &x, bad);
}

static int check_get_tpm_version(const uint8_t *v, size_t len, size_t *bad)
{
	return pts_tpm_get_version_decode(v, len, bad);
}

static int check_tpm_version(const uint8_t *v, size_t len, size_t *bad)
{
	pts_tpm_version x;

	return pts_tpm_version_decode(v, len, &x, bad);
}

static int check_get_aik(const uint8_t *v, size_t len, size_t *bad)
{
	return pts_tpm_get_aik_decode(v, len, bad);
}

static int check_aik(const uint8_t *v, size_t len, size_t *bad)
{
	pts_tpm_aik x;

	return pts_tpm_aik_decode(v, len, &x, bad);
}

static int check_req_func_comp_evid(const uint8_t *v, size_t len, size_t *bad)
{
	pts_comp_req x;
	int rc = pts_comp_req_decode(v, len, &x, bad);

	if (rc == TS_OK)
		pts_comp_req_free(&x);
	return rc;
}

static int check_gen_attest_evid(const uint8_t *v, size_t len, size_t *bad)
{
	return pts_comp_gen_evid_decode(v, len, bad);
}

static int check_sce(const uint8_t *v, size_t len, size_t *bad)
{
	pts_sce x;

	return pts_sce_decode(v, len, &x, bad);
}

static int check_sef(const uint8_t *v, size_t len, size_t *bad)
{
	pts_sef x;

	return pts_sef_decode(v, len, &x, bad);
}

static int check_verif(const uint8_t *v, size_t len, size_t *bad)
{
	pts_verif x;

	return pts_verif_decode(v, len, &x, bad);
}

static int check_req_file_meta(const uint8_t *v, size_t len, size_t *bad)
{
	pts_file_req_meta x;

	return pts_file_req_meta_decode(v, len, &x, bad);
}

static int check_unix_file_meta(const uint8_t *v, size_t len, size_t *bad)
{
	pts_file_meta x;
	int rc = pts_file_meta_decode(v, len, &x, bad);

	if (rc == TS_OK)
		pts_file_meta_free(&x);
	return rc;
}

static int check_req_file_meas(const uint8_t *v, size_t len, size_t *bad)
{
	pts_file_req_meas x;

	return pts_file_req_meas_decode(v, len, &x, bad);
}

static int check_file_meas(const uint8_t *v, size_t len, size_t *bad)
{
	pts_file_meas x;
	int rc = pts_file_meas_decode(v, len, &x, bad);

	if (rc == TS_OK)
		pts_file_meas_free(&x);
	return rc;
}

static int check_seg_contract(const uint8_t *v, size_t len, size_t *bad)
{
	seg_attr_contract x;

	return seg_attr_contract_decode(v, len, &x, bad);
}

static int check_seg_env(const uint8_t *v, size_t len, size_t *bad)
{
	seg_attr_env x;

	return seg_attr_env_decode(v, len, &x, bad);
}

static int check_seg_next(const uint8_t *v, size_t len, size_t *bad)
{
	seg_attr_next x;

	return seg_attr_next_decode(v, len, &x, bad);
}

static int check_seg_cancel(const uint8_t *v, size_t len, size_t *bad)
{
	uint32_t id;

	return seg_attr_cancel_decode(v, len, &id, bad);
}

static int check_device_id(const uint8_t *v, size_t len, size_t *bad)
{
	pts_bytes x;

	return ita_attr_device_id_decode(v, len, &x, bad);
}

static int check_get_symlinks(const uint8_t *v, size_t len, size_t *bad)
{
	pts_bytes x;

	return ita_attr_get_symlinks_decode(v, len, &x, bad);
}

static int check_symlinks(const uint8_t *v, size_t len, size_t *bad)
{
	ita_attr_symlinks x;
	int rc = ita_attr_symlinks_decode(v, len, &x, bad);

	if (rc == TS_OK)
		ita_attr_symlinks_free(&x);
	return rc;
}

#define TCG PTS_PEN_TCG
#define ITA PTS_PEN_ITA
#define ANY UINT32_MAX

/*
 * Types without a codec here (XML manifests, Windows metadata, registry,
 * integrity measurement logs, strongSwan test attributes) are listed for
 * their names and get no layout check.
 */
const pa_attr_info pts_attr_infos[] = {
	/* TCG PTS */
	{ TCG, PTS_ATTR_REQ_PROTO_CAPS, "Request PTS Protocol Capabilities", 4, 4, check_caps },
	{ TCG, PTS_ATTR_PROTO_CAPS, "PTS Protocol Capabilities", 4, 4, check_caps },
	{ TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ, "DH Nonce Parameters Request", 4, 4, check_dh_req },
	{ TCG, PTS_ATTR_DH_NONCE_PARAMS_RESP, "DH Nonce Parameters Response", 8 + 1 + 64, ANY,
	  check_dh_resp },
	{ TCG, PTS_ATTR_DH_NONCE_FINISH, "DH Nonce Finish", 4 + 1 + 1, ANY, check_dh_finish },
	{ TCG, PTS_ATTR_MEAS_ALGO, "PTS Measurement Algorithm Request", 4, 4, check_meas_algo },
	{ TCG, PTS_ATTR_MEAS_ALGO_SELECTION, "PTS Measurement Algorithm Selection", 4, 4,
	  check_meas_algo_selection },
	{ TCG, PTS_ATTR_GET_TPM_VERSION_INFO, "Get TPM Version Information", 4, 4,
	  check_get_tpm_version },
	{ TCG, PTS_ATTR_TPM_VERSION_INFO, "TPM Version Information", 1, ANY, check_tpm_version },
	{ TCG, PTS_ATTR_REQ_TEMPL_REF_MANI_SET_META,
	  "Request Template Reference Manifest Set Metadata", 0, ANY, NULL },
	{ TCG, PTS_ATTR_TEMPL_REF_MANI_SET_META, "Template Reference Manifest Set Metadata", 0, ANY,
	  NULL },
	{ TCG, PTS_ATTR_UPDATE_TEMPL_REF_MANI, "Update Template Reference Manifest", 0, ANY, NULL },
	{ TCG, PTS_ATTR_GET_AIK, "Get Attestation Identity Key", 4, 4, check_get_aik },
	{ TCG, PTS_ATTR_AIK, "Attestation Identity Key", 2, ANY, check_aik },
	{ TCG, PTS_ATTR_REQ_FUNC_COMP_EVID, "Request Functional Component Evidence",
	  PTS_COMP_REQ_ENTRY_LEN, PTS_COMP_REQ_ENTRY_LEN * PTS_COMP_REQ_MAX_ENTRIES,
	  check_req_func_comp_evid },
	{ TCG, PTS_ATTR_GEN_ATTEST_EVID, "Generate Attestation Evidence", 4, 4,
	  check_gen_attest_evid },
	{ TCG, PTS_ATTR_SIMPLE_COMP_EVID, "Simple Component Evidence", PTS_SCE_FIXED_LEN, ANY,
	  check_sce },
	{ TCG, PTS_ATTR_SIMPLE_EVID_FINAL, "Simple Evidence Final", 4, ANY, check_sef },
	{ TCG, PTS_ATTR_VERIFICATION_RESULT, "Verification Result", 1, ANY, check_verif },
	{ TCG, PTS_ATTR_INTEGRITY_REPORT, "Integrity Report", 0, ANY, NULL },
	{ TCG, PTS_ATTR_REQ_FILE_META, "Request File Metadata", 5, ANY, check_req_file_meta },
	{ TCG, PTS_ATTR_WIN_FILE_META, "Windows-Style File Metadata", 0, ANY, NULL },
	{ TCG, PTS_ATTR_UNIX_FILE_META, "Unix-Style File Metadata", 8, ANY, check_unix_file_meta },
	{ TCG, PTS_ATTR_REQ_REGISTRY_VALUE, "Request Registry Value", 0, ANY, NULL },
	{ TCG, PTS_ATTR_REGISTRY_VALUE, "Registry Value", 0, ANY, NULL },
	{ TCG, PTS_ATTR_REQ_FILE_MEAS, "Request File Measurement", 9, ANY, check_req_file_meas },
	{ TCG, PTS_ATTR_FILE_MEAS, "File Measurement", 12, ANY, check_file_meas },
	{ TCG, PTS_ATTR_REQ_INTEG_MEAS_LOG, "Request Integrity Measurement Log", 0, ANY, NULL },
	{ TCG, PTS_ATTR_INTEG_MEAS_LOG, "Integrity Measurement Log", 0, ANY, NULL },

	/* TCG IF-M segmentation */
	{ TCG, SEG_ATTR_CONTRACT_REQ, "Segmentation Contract Request", 8, 8, check_seg_contract },
	{ TCG, SEG_ATTR_CONTRACT_RESP, "Segmentation Contract Response", 8, 8, check_seg_contract },
	{ TCG, SEG_ATTR_ENVELOPE, "Segment Envelope", 4, ANY, check_seg_env },
	{ TCG, SEG_ATTR_NEXT_SEGMENT, "Next Segment", 4, 4, check_seg_next },
	{ TCG, SEG_ATTR_CANCEL, "Cancel Segment Exchange", 4, 4, check_seg_cancel },
	{ TCG, SEG_ATTR_OVERSIZED_MSG, "Oversized Message", 0, ANY, NULL },
	{ TCG, SEG_ATTR_CONTRACT_EXEMPTION, "Contract Exemption", 0, ANY, NULL },

	/* ITA-HSR */
	{ ITA, ITA_ATTR_COMMAND, "Command", 0, ANY, NULL },
	{ ITA, ITA_ATTR_DUMMY, "Dummy", 0, ANY, NULL },
	{ ITA, ITA_ATTR_GET_SETTINGS, "Get Settings", 4, ANY, NULL },
	{ ITA, ITA_ATTR_SETTINGS, "Settings", 4, ANY, NULL },
	{ ITA, ITA_ATTR_START_ANGEL, "Start Angel", 0, 0, NULL },
	{ ITA, ITA_ATTR_STOP_ANGEL, "Stop Angel", 0, 0, NULL },
	{ ITA, ITA_ATTR_ECHO, "Echo", 0, ANY, NULL },
	{ ITA, ITA_ATTR_DEVICE_ID, "Device ID", 1, ANY, check_device_id },
	{ ITA, ITA_ATTR_GET_SYMLINKS, "Get Symlinks", 1, ANY, check_get_symlinks },
	{ ITA, ITA_ATTR_SYMLINKS, "Symlinks", 4, ANY, check_symlinks },
};

const size_t pts_attr_info_count = sizeof(pts_attr_infos) / sizeof(pts_attr_infos[0]);

const pa_attr_info *pts_attr_info_find(uint32_t vendor, uint32_t type)
{
	for (size_t i = 0; i < pts_attr_info_count; i++)
		if (pts_attr_infos[i].vendor == vendor && pts_attr_infos[i].type == type)
			return &pts_attr_infos[i];
	return NULL;
}
