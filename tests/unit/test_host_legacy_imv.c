/*
 * A minimal IMV for test_host, in the style of an IF-IMV 1.2 module: it
 * exports only the mandatory functions and TNC_IMV_ReceiveMessage, so the
 * TNCS must use the legacy 32-bit message types and skip every optional
 * call. It subscribes to all subtypes of the TCG vendor (0x005597FF).
 *
 * Environment (test only):
 *   LEGACY_IMV_LOG=path          append "type=0x%08lx len=%lu" per message
 *   LEGACY_IMV_NO_VERSION=1      Initialize returns TNC_RESULT_NO_COMMON_VERSION
 */
#include <stdio.h>
#include <stdlib.h>

#include "tncifimv.h"

static TNC_IMVID imv_id;
static TNC_TNCS_ProvideRecommendationPointer provide_recommendation;

TNC_IMV_API TNC_Result TNC_IMV_Initialize(TNC_IMVID imvID, TNC_Version minVersion,
					  TNC_Version maxVersion, TNC_Version *pOutActualVersion)
{
	if (getenv("LEGACY_IMV_NO_VERSION") || minVersion > 1 || maxVersion < 1)
		return TNC_RESULT_NO_COMMON_VERSION;
	imv_id = imvID;
	*pOutActualVersion = 1;
	return TNC_RESULT_SUCCESS;
}

TNC_IMV_API TNC_Result TNC_IMV_ProvideBindFunction(TNC_IMVID imvID,
						   TNC_TNCS_BindFunctionPointer bindFunction)
{
	TNC_TNCS_ReportMessageTypesPointer report = NULL;
	TNC_MessageType types[] = { TNC_MESSAGETYPE_PACK(TNC_VENDORID_TCG_NEW, TNC_SUBTYPE_ANY) };
	void *fn = NULL;

	if (bindFunction(imvID, "TNC_TNCS_ReportMessageTypes", &fn) != TNC_RESULT_SUCCESS)
		return TNC_RESULT_FATAL;
	report = (TNC_TNCS_ReportMessageTypesPointer)fn;
	if (bindFunction(imvID, "TNC_TNCS_ProvideRecommendation", &fn) != TNC_RESULT_SUCCESS)
		return TNC_RESULT_FATAL;
	provide_recommendation = (TNC_TNCS_ProvideRecommendationPointer)fn;
	return report(imvID, types, 1);
}

TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessage(TNC_IMVID imvID, TNC_ConnectionID connectionID,
					      TNC_BufferReference messageBuffer,
					      TNC_UInt32 messageLength, TNC_MessageType messageType)
{
	const char *path = getenv("LEGACY_IMV_LOG");
	FILE *f;

	if (imvID != imv_id)
		return TNC_RESULT_INVALID_PARAMETER;
	if (path && (f = fopen(path, "a")) != NULL) {
		fprintf(f, "type=0x%08lx len=%lu\n", messageType, messageLength);
		fclose(f);
	}
	return TNC_RESULT_SUCCESS;
}

TNC_IMV_API TNC_Result TNC_IMV_SolicitRecommendation(TNC_IMVID imvID,
						     TNC_ConnectionID connectionID)
{
	return provide_recommendation(imvID, connectionID, TNC_IMV_ACTION_RECOMMENDATION_ALLOW,
				      TNC_IMV_EVALUATION_RESULT_COMPLIANT);
}
