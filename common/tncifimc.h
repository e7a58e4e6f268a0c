/*
 * tncifimc.h - TCG IF-IMC 1.3 C binding: the functions an IMC exports and
 * the TNCC functions it obtains through the bind function.
 *
 * An IMC defines the TNC_IMC_* functions declared here. A TNCC loads the
 * IMC with dlopen and looks the functions up through the
 * TNC_IMC_*Pointer types. The IMC in turn looks up the TNCC functions by
 * name with TNC_TNCC_BindFunction, which it receives in
 * TNC_IMC_ProvideBindFunction.
 *
 * TNC_IMC_Initialize, TNC_IMC_BeginHandshake and TNC_IMC_ProvideBindFunction
 * are required: strongSwan's and libtnc's TNCCs reject an IMC that lacks
 * one of them. All other IMC functions are optional.
 */

#ifndef TNCIFIMC_H
#define TNCIFIMC_H

#include "tncif.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Marks the functions an IMC exports. Modules are built with
 * -fvisibility=hidden, so without this attribute the TNCC's dlsym would not
 * find them. Define TNC_IMC_API before including this header to override it.
 */
#ifndef TNC_IMC_API
#if defined(_WIN32)
#define TNC_IMC_API __declspec(dllexport)
#elif defined(__GNUC__)
#define TNC_IMC_API __attribute__((visibility("default")))
#else
#define TNC_IMC_API
#endif
#endif

/*
 * Functions the TNCC provides.
 *
 * Buffers passed in either direction stay owned by the caller: the callee
 * must not modify them or keep the pointer after it returns. An empty
 * message (NULL, length 0) is legal.
 */

/*
 * Sets the legacy message types the IMC receives and replaces any earlier
 * list. An IMC that never reports types receives no messages.
 */
typedef TNC_Result (*TNC_TNCC_ReportMessageTypesPointer)(
	TNC_IMCID imcID,
	TNC_MessageTypeList supportedTypes,
	TNC_UInt32 typeCount);

/*
 * Sets the vendor ID and subtype pairs the IMC receives and replaces any
 * earlier list. Both arrays have typeCount entries.
 */
typedef TNC_Result (*TNC_TNCC_ReportMessageTypesLongPointer)(
	TNC_IMCID imcID,
	TNC_VendorIDList supportedVendorIDs,
	TNC_MessageSubtypeList supportedSubtypes,
	TNC_UInt32 typeCount);

/*
 * Queues a message with a legacy type. The Send functions are legal only
 * while the TNCC is inside this IMC's BeginHandshake, ReceiveMessage* or
 * BatchEnding call for the same connection. At other times the TNCC
 * should return TNC_RESULT_ILLEGAL_OPERATION.
 */
typedef TNC_Result (*TNC_TNCC_SendMessagePointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_MessageType messageType);

/* Queues an SoH Report Entry on an IF-TNCCS-SOH connection. */
typedef TNC_Result (*TNC_TNCC_SendMessageSOHPointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference sohReportEntry,
	TNC_UInt32 sohRELength);

/*
 * Queues a message with a vendor ID and 32-bit subtype. imcID is the
 * source: the primary IMC ID or one from ReserveAdditionalIMCID.
 * destinationIMVID is a concrete IMV ID or TNC_IMVID_ANY. On a connection
 * without long types the TNCC returns TNC_RESULT_NO_LONG_MESSAGE_TYPES
 * unless the vendor ID and subtype fit a legacy type.
 */
typedef TNC_Result (*TNC_TNCC_SendMessageLongPointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_UInt32 messageFlags,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_VendorID messageVendorID,
	TNC_MessageSubtype messageSubtype,
	TNC_UInt32 destinationIMVID);

/*
 * Requests a new handshake on a connection. An IMC may call this at any
 * time. The TNCC may return TNC_RESULT_CANT_RETRY or
 * TNC_RESULT_WONT_RETRY.
 */
typedef TNC_Result (*TNC_TNCC_RequestHandshakeRetryPointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_RetryReason reason);

/*
 * Copies the value of an attribute into buffer and stores its length in
 * *pOutValueLength. Value formats are listed with the TNC_ATTRIBUTEID_*
 * constants in tncif.h.
 */
typedef TNC_Result (*TNC_TNCC_GetAttributePointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_AttributeID attributeID,
	TNC_UInt32 bufferLength,
	TNC_BufferReference buffer,
	TNC_UInt32 *pOutValueLength);

/* Sets an attribute from bufferLength octets of buffer. */
typedef TNC_Result (*TNC_TNCC_SetAttributePointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_AttributeID attributeID,
	TNC_UInt32 bufferLength,
	TNC_BufferReference buffer);

/*
 * Reserves an additional IMC ID, which the IMC can use as the source of
 * messages sent on behalf of another product. A TNCC that caps the number
 * of IDs returns TNC_RESULT_OTHER. The bind name is
 * "TNC_TNCC_ReserveAdditionalIMCID", although the TCG headers misspell
 * its prototype as TNC_TNCS_ReserveAdditionalIMCID.
 */
typedef TNC_Result (*TNC_TNCC_ReserveAdditionalIMCIDPointer)(
	TNC_IMCID imcID,
	TNC_UInt32 *pOutIMCID);

/*
 * Looks up a TNCC function by its TCG name, for example
 * "TNC_TNCC_SendMessageLong", and stores its address in
 * *pOutfunctionPointer. strongSwan's TNCC returns
 * TNC_RESULT_INVALID_PARAMETER for a name it does not provide.
 */
typedef TNC_Result (*TNC_TNCC_BindFunctionPointer)(
	TNC_IMCID imcID,
	char *functionName,
	void **pOutfunctionPointer);

/* Functions an IMC exports, called by the TNCC. */

/*
 * Initializes the IMC under the ID the TNCC assigned. The IMC stores the
 * version it supports within [minVersion, maxVersion] in
 * *pOutActualVersion (TNC_IFIMC_VERSION_1), or returns
 * TNC_RESULT_NO_COMMON_VERSION. A second call before TNC_IMC_Terminate
 * should return TNC_RESULT_ALREADY_INITIALIZED. Required.
 */
TNC_IMC_API TNC_Result TNC_IMC_Initialize(
	TNC_IMCID imcID,
	TNC_Version minVersion,
	TNC_Version maxVersion,
	TNC_Version *pOutActualVersion);

/* Reports a TNC_CONNECTION_STATE_* change of a connection. Optional. */
TNC_IMC_API TNC_Result TNC_IMC_NotifyConnectionChange(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_ConnectionState newState);

/*
 * Starts a handshake. Messages the IMC sends during this call go into the
 * first batch. Required.
 */
TNC_IMC_API TNC_Result TNC_IMC_BeginHandshake(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID);

/*
 * Delivers a message of a reported legacy type. A TNCC must not pass a
 * message whose subtype exceeds 0xFF here. Optional.
 */
TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessage(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference messageBuffer,
	TNC_UInt32 messageLength,
	TNC_MessageType messageType);

/* Delivers an SoHR Report Entry on an IF-TNCCS-SOH connection. Optional. */
TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessageSOH(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference sohrReportEntry,
	TNC_UInt32 sohrRELength,
	TNC_MessageType systemHealthID);

/*
 * Delivers a message with its vendor ID, 32-bit subtype and flags
 * (IF-IMC 1.3). With TNC_MESSAGE_FLAGS_EXCLUSIVE set, destinationIMCID is
 * the IMC's primary or a reserved ID. Without it, destinationIMCID may be
 * TNC_IMCID_ANY. strongSwan's TNCC calls this function instead of
 * TNC_IMC_ReceiveMessage when the IMC exports it. Optional.
 */
TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessageLong(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_UInt32 messageFlags,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_VendorID messageVendorID,
	TNC_MessageSubtype messageSubtype,
	TNC_UInt32 sourceIMVID,
	TNC_UInt32 destinationIMCID);

/*
 * Signals that all messages of the current batch were delivered. This
 * call is the IMC's last chance to add messages to the reply batch.
 * Optional.
 */
TNC_IMC_API TNC_Result TNC_IMC_BatchEnding(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID);

/*
 * Shuts the IMC down before it is unloaded. Afterwards only
 * TNC_IMC_Initialize may be called. Optional.
 */
TNC_IMC_API TNC_Result TNC_IMC_Terminate(
	TNC_IMCID imcID);

/*
 * Hands the IMC the TNCC's bind function. The IMC binds the TNCC functions
 * it needs and usually reports its message types during this call.
 * Required.
 */
TNC_IMC_API TNC_Result TNC_IMC_ProvideBindFunction(
	TNC_IMCID imcID,
	TNC_TNCC_BindFunctionPointer bindFunction);

/* Pointer types for the IMC functions, for a TNCC that resolves them. */
typedef TNC_Result (*TNC_IMC_InitializePointer)(
	TNC_IMCID imcID,
	TNC_Version minVersion,
	TNC_Version maxVersion,
	TNC_Version *pOutActualVersion);

typedef TNC_Result (*TNC_IMC_NotifyConnectionChangePointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_ConnectionState newState);

typedef TNC_Result (*TNC_IMC_BeginHandshakePointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID);

typedef TNC_Result (*TNC_IMC_ReceiveMessagePointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference messageBuffer,
	TNC_UInt32 messageLength,
	TNC_MessageType messageType);

typedef TNC_Result (*TNC_IMC_ReceiveMessageSOHPointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_BufferReference sohrReportEntry,
	TNC_UInt32 sohrRELength,
	TNC_MessageType systemHealthID);

typedef TNC_Result (*TNC_IMC_ReceiveMessageLongPointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID,
	TNC_UInt32 messageFlags,
	TNC_BufferReference message,
	TNC_UInt32 messageLength,
	TNC_VendorID messageVendorID,
	TNC_MessageSubtype messageSubtype,
	TNC_UInt32 sourceIMVID,
	TNC_UInt32 destinationIMCID);

typedef TNC_Result (*TNC_IMC_BatchEndingPointer)(
	TNC_IMCID imcID,
	TNC_ConnectionID connectionID);

typedef TNC_Result (*TNC_IMC_TerminatePointer)(
	TNC_IMCID imcID);

typedef TNC_Result (*TNC_IMC_ProvideBindFunctionPointer)(
	TNC_IMCID imcID,
	TNC_TNCC_BindFunctionPointer bindFunction);

#ifdef __cplusplus
}
#endif

#endif /* TNCIFIMC_H */
