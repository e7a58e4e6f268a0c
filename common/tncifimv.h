/*
 * tncifimv.h - TCG IF-IMV 1.4 C binding: the functions an IMV exports, the
 * TNCS functions it obtains through the bind function, recommendation and
 * evaluation values, and the IF-IMV 1.4 AR identity types.
 *
 * An IMV defines the TNC_IMV_* functions declared here. A TNCS loads the
 * IMV with dlopen and looks the functions up through the
 * TNC_IMV_*Pointer types. The IMV in turn looks up the TNCS functions by
 * name with TNC_TNCS_BindFunction, which it receives in
 * TNC_IMV_ProvideBindFunction.
 *
 * TNC_IMV_Initialize, TNC_IMV_SolicitRecommendation and
 * TNC_IMV_ProvideBindFunction are required: strongSwan's TNCS rejects an
 * IMV that lacks one of them. All other IMV functions are optional.
 */

#ifndef TNCIFIMV_H
#define TNCIFIMV_H

#include "tncif.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Marks the functions an IMV exports. Modules are built with
 * -fvisibility=hidden, so without this attribute the TNCS's dlsym would not
 * find them. Define TNC_IMV_API before including this header to override it.
 */
#ifndef TNC_IMV_API
#if defined(_WIN32)
#define TNC_IMV_API __declspec(dllexport)
#elif defined(__GNUC__)
#define TNC_IMV_API __attribute__((visibility("default")))
#else
#define TNC_IMV_API
#endif
#endif

typedef TNC_UInt32 TNC_IMV_Action_Recommendation;
typedef TNC_UInt32 TNC_IMV_Evaluation_Result;

/* Access an IMV recommends for the endpoint. */
#define TNC_IMV_ACTION_RECOMMENDATION_ALLOW \
	((TNC_IMV_Action_Recommendation) 0)
#define TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS \
	((TNC_IMV_Action_Recommendation) 1)
#define TNC_IMV_ACTION_RECOMMENDATION_ISOLATE \
	((TNC_IMV_Action_Recommendation) 2)
#define TNC_IMV_ACTION_RECOMMENDATION_NO_RECOMMENDATION \
	((TNC_IMV_Action_Recommendation) 3)

/*
 * Outcome of an IMV's evaluation. The values equal the PB-Assessment-Result
 * and PA-TNC Assessment Result values.
 */
#define TNC_IMV_EVALUATION_RESULT_COMPLIANT \
	((TNC_IMV_Evaluation_Result) 0)
#define TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR \
	((TNC_IMV_Evaluation_Result) 1)
#define TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MAJOR \
	((TNC_IMV_Evaluation_Result) 2)
#define TNC_IMV_EVALUATION_RESULT_ERROR \
	((TNC_IMV_Evaluation_Result) 3)
#define TNC_IMV_EVALUATION_RESULT_DONT_KNOW \
	((TNC_IMV_Evaluation_Result) 4)

/*
 * IF-IMV 1.4 AR identity values for TNC_ATTRIBUTEID_AR_IDENTITIES, whose
 * layout is drawn in tncif.h. They are defined in the vendor space
 * TNC_VENDORID_TCG_NEW.
 */

/* Identity Type: the format of Identity Value. */
#define TNC_ID_UNKNOWN    ((TNC_UInt32) 0)
#define TNC_ID_IPV4_ADDR  ((TNC_UInt32) 1)
#define TNC_ID_IPV6_ADDR  ((TNC_UInt32) 2)
#define TNC_ID_FQDN       ((TNC_UInt32) 3)
#define TNC_ID_EMAIL_ADDR ((TNC_UInt32) 4)
#define TNC_ID_USERNAME   ((TNC_UInt32) 5)
#define TNC_ID_X500_DN    ((TNC_UInt32) 6)

/* Subject Type: what the identity names. */
#define TNC_SUBJECT_UNKNOWN ((TNC_UInt32) 0)
#define TNC_SUBJECT_MACHINE ((TNC_UInt32) 1)
#define TNC_SUBJECT_USER    ((TNC_UInt32) 2)

/* Authentication Method: how the identity was authenticated. */
#define TNC_AUTH_UNKNOWN   ((TNC_UInt32) 0)
#define TNC_AUTH_X509_CERT ((TNC_UInt32) 1)
#define TNC_AUTH_PASSWORD  ((TNC_UInt32) 2)
#define TNC_AUTH_SIM       ((TNC_UInt32) 3)

/*
 * Functions the TNCS provides.
 *
 * Buffers passed in either direction stay owned by the caller: the callee
 * must not modify them or keep the pointer after it returns. An empty
 * message (NULL, length 0) is legal.
 */

/*
 * Sets the legacy message types the IMV receives and replaces any earlier
 * list. An IMV that never reports types receives no messages.
 */
typedef TNC_Result (*TNC_TNCS_ReportMessageTypesPointer)(
	TNC_IMVID imvID,
	TNC_MessageTypeList supportedTypes,
	TNC_UInt32 typeCount);

/*
 * Sets the vendor ID and subtype pairs the IMV receives and replaces any
 * earlier list. Both arrays have typeCount entries.
 */
typedef TNC_Result (*TNC_TNCS_ReportMessageTypesLongPointer)(
	TNC_IMVID imvID,
	TNC_VendorIDList supportedVendorIDs,
	TNC_MessageSubtypeList supportedSubtypes,
	TNC_UInt32 typeCount);

/*
 * Queues a message with a legacy type. The Send functions are legal only
 * while the TNCS is inside this IMV's ReceiveMessage* or BatchEnding call
 * for the same connection. At other times the TNCS should return
 * TNC_RESULT_ILLEGAL_OPERATION.
 */
typedef TNC_Result (*TNC_TNCS_SendMessagePointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_MessageType messageType);

/* Queues an SoHR Report Entry on an IF-TNCCS-SOH connection. */
typedef TNC_Result (*TNC_TNCS_SendMessageSOHPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference sohrReportEntry,
	TNC_UInt32 sohrRELength);

/*
 * Queues a message with a vendor ID and 32-bit subtype. imvID is the
 * source: the primary IMV ID or one from ReserveAdditionalIMVID.
 * destinationIMCID is a concrete IMC ID or TNC_IMCID_ANY. On a connection
 * without long types the TNCS returns TNC_RESULT_NO_LONG_MESSAGE_TYPES
 * unless the vendor ID and subtype fit a legacy type.
 */
typedef TNC_Result (*TNC_TNCS_SendMessageLongPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_UInt32 messageFlags,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_VendorID messageVendorID,
	TNC_MessageSubtype messageSubtype,
	TNC_UInt32 destinationIMCID);

/*
 * Requests a new handshake on a connection. An IMV may call this at any
 * time. The TNCS may return TNC_RESULT_CANT_RETRY or
 * TNC_RESULT_WONT_RETRY.
 */
typedef TNC_Result (*TNC_TNCS_RequestHandshakeRetryPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_RetryReason reason);

/*
 * Records the IMV's recommendation and evaluation result for a connection.
 * An IMV may call this at any time during a handshake. Once it has, the
 * TNCS must not call TNC_IMV_SolicitRecommendation for that connection
 * before the next NotifyConnectionChange.
 */
typedef TNC_Result (*TNC_TNCS_ProvideRecommendationPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_IMV_Action_Recommendation recommendation,
	TNC_IMV_Evaluation_Result evaluation);

/*
 * Copies the value of an attribute into buffer and stores its length in
 * *pOutValueLength. Value formats are listed with the TNC_ATTRIBUTEID_*
 * constants in tncif.h.
 */
typedef TNC_Result (*TNC_TNCS_GetAttributePointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_AttributeID attributeID,
	TNC_UInt32 bufferLength,
	TNC_BufferReference buffer,
	TNC_UInt32 *pOutValueLength);

/*
 * Sets an attribute from bufferLength octets of buffer, for example
 * TNC_ATTRIBUTEID_REASON_STRING.
 */
typedef TNC_Result (*TNC_TNCS_SetAttributePointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_AttributeID attributeID,
	TNC_UInt32 bufferLength,
	TNC_BufferReference buffer);

/*
 * Reserves an additional IMV ID, which the IMV can use as the source of
 * messages sent on behalf of another product. A TNCS that caps the number
 * of IDs returns TNC_RESULT_OTHER.
 */
typedef TNC_Result (*TNC_TNCS_ReserveAdditionalIMVIDPointer)(
	TNC_IMVID imvID,
	TNC_UInt32 *pOutIMVID);

/*
 * Looks up a TNCS function by its TCG name, for example
 * "TNC_TNCS_ProvideRecommendation", and stores its address in
 * *pOutfunctionPointer. strongSwan's TNCS returns
 * TNC_RESULT_INVALID_PARAMETER for a name it does not provide.
 */
typedef TNC_Result (*TNC_TNCS_BindFunctionPointer)(
	TNC_IMVID imvID,
	char *functionName,
	void **pOutfunctionPointer);

/* Functions an IMV exports, called by the TNCS. */

/*
 * Initializes the IMV under the ID the TNCS assigned. The IMV stores the
 * version it supports within [minVersion, maxVersion] in
 * *pOutActualVersion (TNC_IFIMV_VERSION_1), or returns
 * TNC_RESULT_NO_COMMON_VERSION. A second call before TNC_IMV_Terminate
 * should return TNC_RESULT_ALREADY_INITIALIZED. Required.
 */
TNC_IMV_API TNC_Result TNC_IMV_Initialize(
	TNC_IMVID imvID,
	TNC_Version minVersion,
	TNC_Version maxVersion,
	TNC_Version *pOutActualVersion);

/* Reports a TNC_CONNECTION_STATE_* change of a connection. Optional. */
TNC_IMV_API TNC_Result TNC_IMV_NotifyConnectionChange(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_ConnectionState newState);

/*
 * Delivers a message of a reported legacy type. A TNCS must not pass a
 * message whose subtype exceeds 0xFF here. Optional.
 */
TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessage(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference messageBuffer,
	TNC_UInt32 messageLength,
	TNC_MessageType messageType);

/* Delivers an SoH Report Entry on an IF-TNCCS-SOH connection. Optional. */
TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessageSOH(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference sohReportEntry,
	TNC_UInt32 sohRELength,
	TNC_MessageType systemHealthID);

/*
 * Delivers a message with its vendor ID, 32-bit subtype and flags. With
 * TNC_MESSAGE_FLAGS_EXCLUSIVE set, destinationIMVID is the IMV's primary
 * or a reserved ID. Without it, destinationIMVID may be TNC_IMVID_ANY.
 * Optional.
 */
TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessageLong(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_UInt32 messageFlags,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_VendorID messageVendorID,
	TNC_MessageSubtype messageSubtype,
	TNC_UInt32 sourceIMCID,
	TNC_UInt32 destinationIMVID);

/*
 * Asks the IMV for its recommendation at the end of a handshake. The TNCS
 * calls it only for IMVs that have not called
 * TNC_TNCS_ProvideRecommendation since the last NotifyConnectionChange.
 * Required.
 */
TNC_IMV_API TNC_Result TNC_IMV_SolicitRecommendation(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID);

/*
 * Signals that all messages of the current batch were delivered. This
 * call is the IMV's last chance to add messages to the reply batch.
 * Optional.
 */
TNC_IMV_API TNC_Result TNC_IMV_BatchEnding(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID);

/*
 * Shuts the IMV down before it is unloaded. Afterwards only
 * TNC_IMV_Initialize may be called. Optional.
 */
TNC_IMV_API TNC_Result TNC_IMV_Terminate(
	TNC_IMVID imvID);

/*
 * Hands the IMV the TNCS's bind function. The IMV binds the TNCS functions
 * it needs and usually reports its message types during this call.
 * Required.
 */
TNC_IMV_API TNC_Result TNC_IMV_ProvideBindFunction(
	TNC_IMVID imvID,
	TNC_TNCS_BindFunctionPointer bindFunction);

/* Pointer types for the IMV functions, for a TNCS that resolves them. */
typedef TNC_Result (*TNC_IMV_InitializePointer)(
	TNC_IMVID imvID,
	TNC_Version minVersion,
	TNC_Version maxVersion,
	TNC_Version *pOutActualVersion);

typedef TNC_Result (*TNC_IMV_NotifyConnectionChangePointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_ConnectionState newState);

typedef TNC_Result (*TNC_IMV_ReceiveMessagePointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference messageBuffer,
	TNC_UInt32 messageLength,
	TNC_MessageType messageType);

typedef TNC_Result (*TNC_IMV_ReceiveMessageSOHPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference sohReportEntry,
	TNC_UInt32 sohRELength,
	TNC_MessageType systemHealthID);

typedef TNC_Result (*TNC_IMV_ReceiveMessageLongPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID,
	TNC_UInt32 messageFlags,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_VendorID messageVendorID,
	TNC_MessageSubtype messageSubtype,
	TNC_UInt32 sourceIMCID,
	TNC_UInt32 destinationIMVID);

typedef TNC_Result (*TNC_IMV_SolicitRecommendationPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID);

typedef TNC_Result (*TNC_IMV_BatchEndingPointer)(
	TNC_IMVID imvID,
	TNC_ConnectionID connectionID);

typedef TNC_Result (*TNC_IMV_TerminatePointer)(
	TNC_IMVID imvID);

typedef TNC_Result (*TNC_IMV_ProvideBindFunctionPointer)(
	TNC_IMVID imvID,
	TNC_TNCS_BindFunctionPointer bindFunction);

#ifdef __cplusplus
}
#endif

#endif /* TNCIFIMV_H */
