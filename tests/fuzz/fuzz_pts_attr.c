/*
 * libFuzzer harness for every TCG PTS, IF-M segmentation and ITA-HSR
 * attribute decoder in common/pts/.
 *
 * Input: one selector octet (enum target, modulo T_COUNT), then the
 * attribute value. A value that decodes is encoded again; that encoding
 * must decode, and encoding the second result must give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
#include "pts/pts_verif.h"
#include "pts/seg_attr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Harness targets, by selector value; the order is fixed for the seed corpus. */
enum target {
	T_REQ_PROTO_CAPS,     /* 0 */
	T_DH_PARAMS_REQ,      /* 1 */
	T_DH_PARAMS_RESP,     /* 2 */
	T_DH_FINISH,          /* 3 */
	T_MEAS_ALGO,          /* 4 */
	T_MEAS_ALGO_SEL,      /* 5 */
	T_GET_TPM_VERSION,    /* 6 */
	T_TPM_VERSION,        /* 7 */
	T_TPM_VERSION2,       /* 8: the TPM 2.0 structure inside TPM Version Information */
	T_AIK,                /* 9 */
	T_REQ_FUNC_COMP_EVID, /* 10 */
	T_SCE,                /* 11 */
	T_SEF,                /* 12 */
	T_VERIF,              /* 13 */
	T_REQ_FILE_META,      /* 14 */
	T_UNIX_FILE_META,     /* 15 */
	T_REQ_FILE_MEAS,      /* 16 */
	T_FILE_MEAS,          /* 17 */
	T_SEG_CONTRACT,       /* 18 */
	T_SEG_ENV,            /* 19 */
	T_SEG_NEXT,           /* 20 */
	T_SEG_CANCEL,         /* 21 */
	T_DEVICE_ID,          /* 22 */
	T_GET_SYMLINKS,       /* 23 */
	T_SYMLINKS,           /* 24 */
	T_COUNT
};

/* Registry (vendor, type) of each target. */
static const uint32_t target_types[T_COUNT][2] = {
	{ PTS_PEN_TCG, PTS_ATTR_REQ_PROTO_CAPS },
	{ PTS_PEN_TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ },
	{ PTS_PEN_TCG, PTS_ATTR_DH_NONCE_PARAMS_RESP },
	{ PTS_PEN_TCG, PTS_ATTR_DH_NONCE_FINISH },
	{ PTS_PEN_TCG, PTS_ATTR_MEAS_ALGO },
	{ PTS_PEN_TCG, PTS_ATTR_MEAS_ALGO_SELECTION },
	{ PTS_PEN_TCG, PTS_ATTR_GET_TPM_VERSION_INFO },
	{ PTS_PEN_TCG, PTS_ATTR_TPM_VERSION_INFO },
	{ PTS_PEN_TCG, PTS_ATTR_TPM_VERSION_INFO },
	{ PTS_PEN_TCG, PTS_ATTR_AIK },
	{ PTS_PEN_TCG, PTS_ATTR_REQ_FUNC_COMP_EVID },
	{ PTS_PEN_TCG, PTS_ATTR_SIMPLE_COMP_EVID },
	{ PTS_PEN_TCG, PTS_ATTR_SIMPLE_EVID_FINAL },
	{ PTS_PEN_TCG, PTS_ATTR_VERIFICATION_RESULT },
	{ PTS_PEN_TCG, PTS_ATTR_REQ_FILE_META },
	{ PTS_PEN_TCG, PTS_ATTR_UNIX_FILE_META },
	{ PTS_PEN_TCG, PTS_ATTR_REQ_FILE_MEAS },
	{ PTS_PEN_TCG, PTS_ATTR_FILE_MEAS },
	{ PTS_PEN_TCG, SEG_ATTR_CONTRACT_REQ },
	{ PTS_PEN_TCG, SEG_ATTR_ENVELOPE },
	{ PTS_PEN_TCG, SEG_ATTR_NEXT_SEGMENT },
	{ PTS_PEN_TCG, SEG_ATTR_CANCEL },
	{ PTS_PEN_ITA, ITA_ATTR_DEVICE_ID },
	{ PTS_PEN_ITA, ITA_ATTR_GET_SYMLINKS },
	{ PTS_PEN_ITA, ITA_ATTR_SYMLINKS },
};

/*
 * Decodes v with target t and returns the decoder's result; on success,
 * encodes the decoded struct into w and stores the encoder's result in
 * *enc_rc. *bad receives the decoder's error offset.
 */
static int recode(enum target t, const uint8_t *v, size_t len, writer_t *w, int *enc_rc,
		  size_t *bad)
{
	union {
		pts_caps caps;
		pts_meas_algo algo;
		pts_dh_params_req dh_req;
		pts_dh_params_resp dh_resp;
		pts_dh_finish dh_fin;
		pts_tpm_version ver;
		pts_tpm_version2 ver2;
		pts_tpm_aik aik;
		pts_comp_req comp;
		pts_sce sce;
		pts_sef sef;
		pts_verif verif;
		pts_file_req_meta req_meta;
		pts_file_meta meta;
		pts_file_req_meas req_meas;
		pts_file_meas meas;
		seg_attr_contract contract;
		seg_attr_env env;
		seg_attr_next next;
		uint32_t id;
		pts_bytes str;
		ita_attr_symlinks links;
	} x;
	pts_bytes info = { v, len };
	int rc;

	switch (t) {
	case T_REQ_PROTO_CAPS:
		if ((rc = pts_caps_decode(v, len, &x.caps, bad)) == TS_OK)
			*enc_rc = pts_caps_encode(&x.caps, w);
		return rc;
	case T_DH_PARAMS_REQ:
		if ((rc = pts_dh_params_req_decode(v, len, &x.dh_req, bad)) == TS_OK)
			*enc_rc = pts_dh_params_req_encode(&x.dh_req, w);
		return rc;
	case T_DH_PARAMS_RESP:
		if ((rc = pts_dh_params_resp_decode(v, len, &x.dh_resp, bad)) == TS_OK)
			*enc_rc = pts_dh_params_resp_encode(&x.dh_resp, w);
		return rc;
	case T_DH_FINISH:
		if ((rc = pts_dh_finish_decode(v, len, &x.dh_fin, bad)) == TS_OK)
			*enc_rc = pts_dh_finish_encode(&x.dh_fin, w);
		return rc;
	case T_MEAS_ALGO:
		if ((rc = pts_meas_algo_decode(v, len, &x.algo, bad)) == TS_OK)
			*enc_rc = pts_meas_algo_encode(&x.algo, w);
		return rc;
	case T_MEAS_ALGO_SEL:
		if ((rc = pts_meas_algo_selection_decode(v, len, &x.algo, bad)) == TS_OK)
			*enc_rc = pts_meas_algo_selection_encode(&x.algo, w);
		return rc;
	case T_GET_TPM_VERSION:
		if ((rc = pts_tpm_get_version_decode(v, len, bad)) == TS_OK)
			*enc_rc = pts_tpm_get_version_encode(w);
		return rc;
	case T_TPM_VERSION:
		if ((rc = pts_tpm_version_decode(v, len, &x.ver, bad)) == TS_OK)
			*enc_rc = pts_tpm_version_encode(&x.ver, w);
		return rc;
	case T_TPM_VERSION2:
		if ((rc = pts_tpm_version2_decode(&info, &x.ver2, bad)) == TS_OK)
			*enc_rc = pts_tpm_version2_encode(&x.ver2, w);
		return rc;
	case T_AIK:
		if ((rc = pts_tpm_aik_decode(v, len, &x.aik, bad)) == TS_OK)
			*enc_rc = pts_tpm_aik_encode(&x.aik, w);
		return rc;
	case T_REQ_FUNC_COMP_EVID:
		if ((rc = pts_comp_req_decode(v, len, &x.comp, bad)) == TS_OK) {
			*enc_rc = pts_comp_req_encode(&x.comp, w);
			pts_comp_req_free(&x.comp);
		}
		return rc;
	case T_SCE:
		if ((rc = pts_sce_decode(v, len, &x.sce, bad)) == TS_OK)
			*enc_rc = pts_sce_encode(&x.sce, w);
		return rc;
	case T_SEF:
		if ((rc = pts_sef_decode(v, len, &x.sef, bad)) == TS_OK)
			*enc_rc = pts_sef_encode(&x.sef, w);
		return rc;
	case T_VERIF:
		if ((rc = pts_verif_decode(v, len, &x.verif, bad)) == TS_OK)
			*enc_rc = pts_verif_encode(&x.verif, w);
		return rc;
	case T_REQ_FILE_META:
		if ((rc = pts_file_req_meta_decode(v, len, &x.req_meta, bad)) == TS_OK)
			*enc_rc = pts_file_req_meta_encode(&x.req_meta, w);
		return rc;
	case T_UNIX_FILE_META:
		if ((rc = pts_file_meta_decode(v, len, &x.meta, bad)) == TS_OK) {
			*enc_rc = pts_file_meta_encode(&x.meta, w);
			pts_file_meta_free(&x.meta);
		}
		return rc;
	case T_REQ_FILE_MEAS:
		if ((rc = pts_file_req_meas_decode(v, len, &x.req_meas, bad)) == TS_OK)
			*enc_rc = pts_file_req_meas_encode(&x.req_meas, w);
		return rc;
	case T_FILE_MEAS:
		if ((rc = pts_file_meas_decode(v, len, &x.meas, bad)) == TS_OK) {
			*enc_rc = pts_file_meas_encode(&x.meas, w);
			pts_file_meas_free(&x.meas);
		}
		return rc;
	case T_SEG_CONTRACT:
		if ((rc = seg_attr_contract_decode(v, len, &x.contract, bad)) == TS_OK)
			*enc_rc = seg_attr_contract_encode(&x.contract, w);
		return rc;
	case T_SEG_ENV:
		if ((rc = seg_attr_env_decode(v, len, &x.env, bad)) == TS_OK)
			*enc_rc = seg_attr_env_encode(&x.env, w);
		return rc;
	case T_SEG_NEXT:
		if ((rc = seg_attr_next_decode(v, len, &x.next, bad)) == TS_OK)
			*enc_rc = seg_attr_next_encode(&x.next, w);
		return rc;
	case T_SEG_CANCEL:
		if ((rc = seg_attr_cancel_decode(v, len, &x.id, bad)) == TS_OK)
			*enc_rc = seg_attr_cancel_encode(x.id, w);
		return rc;
	case T_DEVICE_ID:
		if ((rc = ita_attr_device_id_decode(v, len, &x.str, bad)) == TS_OK)
			*enc_rc = ita_attr_device_id_encode(&x.str, w);
		return rc;
	case T_GET_SYMLINKS:
		if ((rc = ita_attr_get_symlinks_decode(v, len, &x.str, bad)) == TS_OK)
			*enc_rc = ita_attr_get_symlinks_encode(&x.str, w);
		return rc;
	case T_SYMLINKS:
		if ((rc = ita_attr_symlinks_decode(v, len, &x.links, bad)) == TS_OK) {
			*enc_rc = ita_attr_symlinks_encode(&x.links, w);
			ita_attr_symlinks_free(&x.links);
		}
		return rc;
	case T_COUNT:
		break;
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const pa_attr_info *info;
	writer_t first, second;
	size_t bad = SIZE_MAX, bad2 = 0;
	enum target t;
	int rc, enc_rc = TS_OK, enc2_rc = TS_OK;

	if (size < 1)
		return 0;
	t = (enum target)(data[0] % T_COUNT);
	data++;
	size--;

	writer_init(&first, 1u << 20);
	writer_init(&second, 1u << 20);
	rc = recode(t, data, size, &first, &enc_rc, &bad);

	/* A rejected value names an offset inside it. */
	if (rc != TS_OK && bad > size)
		abort();

	/* The registry's validate function returns the decoder's result. */
	info = pts_attr_info_find(target_types[t][0], target_types[t][1]);
	if (!info || !info->validate)
		abort();
	if (t != T_TPM_VERSION2 && info->validate(data, size, &bad2) != rc)
		abort();

	/*
	 * What decodes must encode, except that encoders refuse non-zero
	 * reserved bits that decoders ignore (TS_E_INVALID). The encoding
	 * must decode again and encode to the same bytes.
	 */
	if (rc == TS_OK && enc_rc != TS_OK && enc_rc != TS_E_INVALID)
		abort();
	if (rc == TS_OK && enc_rc == TS_OK) {
		if (recode(t, writer_data(&first), writer_len(&first), &second, &enc2_rc, &bad2) != TS_OK ||
		    enc2_rc != TS_OK)
			abort();
		if (writer_len(&first) != writer_len(&second) ||
		    memcmp(writer_data(&first), writer_data(&second), writer_len(&first)) != 0)
			abort();
	}
	writer_free(&first);
	writer_free(&second);
	return 0;
}
