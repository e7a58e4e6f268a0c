/*
 * tncif.h - types and constants shared by the TCG IF-IMC 1.3 and IF-IMV 1.4
 * C bindings.
 *
 * Names and values follow the TCG C platform-binding headers exactly, so
 * IMCs, IMVs, TNC clients and TNC servers built against other
 * implementations of these headers interoperate with ours.
 * tncifimc.h adds the IMC and TNCC functions; tncifimv.h adds the IMV and
 * TNCS functions.
 */

#ifndef TNCIF_H
#define TNCIF_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Basic types.
 *
 * TNC_UInt32 is unsigned long, which is 64 bits wide on LP64 Linux. Every
 * existing binding uses unsigned long, so changing it to uint32_t would break
 * the ABI with IMCs, IMVs and hosts built elsewhere. On the wire the values
 * are still 32 bits wide.
 */
typedef unsigned long TNC_UInt32;
typedef unsigned char *TNC_BufferReference;

typedef TNC_UInt32 TNC_IMCID;
typedef TNC_UInt32 TNC_IMVID;
typedef TNC_UInt32 TNC_ConnectionID;
typedef TNC_UInt32 TNC_ConnectionState;
typedef TNC_UInt32 TNC_RetryReason;
typedef TNC_UInt32 TNC_MessageType;
typedef TNC_UInt32 TNC_VendorID;
typedef TNC_UInt32 TNC_MessageSubtype;
typedef TNC_UInt32 TNC_Version;
typedef TNC_UInt32 TNC_Result;
typedef TNC_UInt32 TNC_AttributeID;

/* Arrays passed to the ReportMessageTypes functions. */
typedef TNC_MessageType *TNC_MessageTypeList;
typedef TNC_VendorID *TNC_VendorIDList;
typedef TNC_MessageSubtype *TNC_MessageSubtypeList;

/*
 * API versions. IF-IMC 1.1 to 1.3 and IF-IMV 1.1 to 1.4 all negotiate
 * version 1 in TNC_IMC_Initialize and TNC_IMV_Initialize.
 */
#define TNC_IFIMC_VERSION_1 ((TNC_Version) 1)
#define TNC_IFIMV_VERSION_1 ((TNC_Version) 1)

/* Result codes (TNC_Result) returned by every IF-IMC and IF-IMV function. */
#define TNC_RESULT_SUCCESS             ((TNC_Result) 0)
#define TNC_RESULT_NOT_INITIALIZED     ((TNC_Result) 1)
#define TNC_RESULT_ALREADY_INITIALIZED ((TNC_Result) 2)
#define TNC_RESULT_NO_COMMON_VERSION   ((TNC_Result) 3)
#define TNC_RESULT_CANT_RETRY          ((TNC_Result) 4)
#define TNC_RESULT_WONT_RETRY          ((TNC_Result) 5)
#define TNC_RESULT_INVALID_PARAMETER   ((TNC_Result) 6)
/* Only IMCs return this code. The IF-IMV headers leave value 7 reserved. */
#define TNC_RESULT_CANT_RESPOND        ((TNC_Result) 7)
#define TNC_RESULT_ILLEGAL_OPERATION   ((TNC_Result) 8)
#define TNC_RESULT_OTHER               ((TNC_Result) 9)
#define TNC_RESULT_FATAL               ((TNC_Result) 10)

/* TCG-assigned result codes, in the TCG vendor number space. */
#define TNC_RESULT_EXCEEDED_MAX_ROUND_TRIPS  ((TNC_Result) 0x00559700)
#define TNC_RESULT_EXCEEDED_MAX_MESSAGE_SIZE ((TNC_Result) 0x00559701)
#define TNC_RESULT_NO_LONG_MESSAGE_TYPES     ((TNC_Result) 0x00559702)
#define TNC_RESULT_NO_SOH_SUPPORT            ((TNC_Result) 0x00559703)

/*
 * Connection ID that addresses the TNCC or TNCS itself instead of one
 * connection, for example in GetAttribute and SetAttribute.
 */
#define TNC_CONNECTIONID_ANY ((TNC_ConnectionID) 0xFFFFFFFF)

/*
 * IMC and IMV ID wildcards: the destination ID of a message whose receiver
 * is not known, which must then be sent without the exclusive flag. On the
 * wire they are 0xFFFF in the 16-bit PB-PA Posture Collector and Posture
 * Validator ID fields.
 */
#define TNC_IMCID_ANY ((TNC_UInt32) 0xFFFF)
#define TNC_IMVID_ANY ((TNC_UInt32) 0xFFFF)

/*
 * Vendor IDs. TNC_VENDORID_TCG is 0, the same number as the IETF vendor ID
 * in PA-TNC. TNC_VENDORID_TCG_NEW is the TCG's SMI Private Enterprise
 * Number (21911).
 */
#define TNC_VENDORID_TCG     ((TNC_VendorID) 0)
#define TNC_VENDORID_TCG_NEW ((TNC_VendorID) 0x005597)

/*
 * Message type wildcards. They are legal only in ReportMessageTypes and
 * ReportMessageTypesLong lists, where vendor ANY with subtype ANY selects
 * every message and a concrete vendor with subtype ANY selects all subtypes
 * of that vendor. A vendor of ANY with a concrete subtype is not a
 * wildcard. Senders must not use either value, and a TNCC or TNCS should
 * reject such a send with TNC_RESULT_INVALID_PARAMETER. Messages sent with
 * the exclusive flag to another IMC or IMV never match a wildcard.
 */
#define TNC_VENDORID_ANY ((TNC_VendorID) 0xFFFFFF)
#define TNC_SUBTYPE_ANY  ((TNC_MessageSubtype) 0xFF)

/*
 * Legacy 32-bit message type: 24-bit vendor ID in the upper bits, 8-bit
 * subtype in the low byte. For example IETF Operating System is
 * 0x00000001 and TCG PTS is 0x00559701. Vendor IDs above 0xFFFFFF and
 * subtypes above 0xFF do not fit, so check TNC_MESSAGETYPE_FITS before
 * packing because TNC_MESSAGETYPE_PACK drops the extra bits.
 */
#define TNC_MESSAGETYPE_PACK(vendor, subtype) \
	((TNC_MessageType) ((((TNC_UInt32) (vendor) & 0xFFFFFF) << 8) | \
			    ((TNC_UInt32) (subtype) & 0xFF)))
#define TNC_MESSAGETYPE_VENDOR(type) \
	((TNC_VendorID) (((TNC_UInt32) (type) >> 8) & 0xFFFFFF))
#define TNC_MESSAGETYPE_SUBTYPE(type) \
	((TNC_MessageSubtype) ((TNC_UInt32) (type) & 0xFF))
#define TNC_MESSAGETYPE_FITS(vendor, subtype) \
	((TNC_UInt32) (vendor) <= 0xFFFFFF && (TNC_UInt32) (subtype) <= 0xFF)
/* Legacy type that matches every message: vendor ANY, subtype ANY. */
#define TNC_MESSAGETYPE_ANY \
	TNC_MESSAGETYPE_PACK(TNC_VENDORID_ANY, TNC_SUBTYPE_ANY)

/*
 * Message flags of the Long functions. EXCLUSIVE is the only flag defined.
 * It maps to the PB-PA EXCL bit and needs a concrete destination ID, never
 * TNC_IMCID_ANY or TNC_IMVID_ANY. Check TNC_ATTRIBUTEID_HAS_EXCLUSIVE
 * before setting it.
 */
#define TNC_MESSAGE_FLAGS_EXCLUSIVE ((TNC_UInt32) 0x80000000)

/* Connection states passed to NotifyConnectionChange. */
#define TNC_CONNECTION_STATE_CREATE          ((TNC_ConnectionState) 0)
#define TNC_CONNECTION_STATE_HANDSHAKE       ((TNC_ConnectionState) 1)
#define TNC_CONNECTION_STATE_ACCESS_ALLOWED  ((TNC_ConnectionState) 2)
#define TNC_CONNECTION_STATE_ACCESS_ISOLATED ((TNC_ConnectionState) 3)
#define TNC_CONNECTION_STATE_ACCESS_NONE     ((TNC_ConnectionState) 4)
/* After DELETE the connection ID is invalid until a new CREATE reuses it. */
#define TNC_CONNECTION_STATE_DELETE          ((TNC_ConnectionState) 5)

/*
 * Handshake retry reasons. IMCs pass values 0 to 3 to
 * TNC_TNCC_RequestHandshakeRetry. IMVs pass values 4 to 8 to
 * TNC_TNCS_RequestHandshakeRetry.
 */
#define TNC_RETRY_REASON_IMC_REMEDIATION_COMPLETE    ((TNC_RetryReason) 0)
/* Retry even if the retry interrupts network connectivity. */
#define TNC_RETRY_REASON_IMC_SERIOUS_EVENT           ((TNC_RetryReason) 1)
/* Retry only if the retry does not interrupt network connectivity. */
#define TNC_RETRY_REASON_IMC_INFORMATIONAL_EVENT     ((TNC_RetryReason) 2)
#define TNC_RETRY_REASON_IMC_PERIODIC                ((TNC_RetryReason) 3)
#define TNC_RETRY_REASON_IMV_IMPORTANT_POLICY_CHANGE ((TNC_RetryReason) 4)
#define TNC_RETRY_REASON_IMV_MINOR_POLICY_CHANGE     ((TNC_RetryReason) 5)
#define TNC_RETRY_REASON_IMV_SERIOUS_EVENT           ((TNC_RetryReason) 6)
#define TNC_RETRY_REASON_IMV_MINOR_EVENT             ((TNC_RetryReason) 7)
#define TNC_RETRY_REASON_IMV_PERIODIC                ((TNC_RetryReason) 8)

/*
 * Attribute IDs for GetAttribute and SetAttribute.
 *
 * Value formats in the buffer:
 *   uint32  4 octets, network byte order
 *   bool    1 octet, 0x00 false or 0x01 true
 *   string  text ending in NUL, which the value length counts
 *   bytes   raw octets
 * When the buffer is too small, GetAttribute copies nothing but still stores
 * the value length in *pOutValueLength, so a caller can query the length
 * with bufferLength 0. Compare *pOutValueLength with bufferLength instead
 * of relying on the result code, because strongSwan then returns
 * TNC_RESULT_INVALID_PARAMETER for most attributes but TNC_RESULT_SUCCESS
 * for TNC_ATTRIBUTEID_PREFERRED_LANGUAGE.
 *
 * NOTE: these encodings and the example string values below are the ones
 * strongSwan's TNCC and TNCS use. They have not been checked against the
 * text of the TCG specifications.
 */

/*
 * string: on the IMV side, the Accept-Language value that the client sent,
 * for example "en". strongSwan's TNCS returns it without a trailing NUL.
 */
#define TNC_ATTRIBUTEID_PREFERRED_LANGUAGE ((TNC_AttributeID) 0x00000001)
/* string, set by an IMV: why the IMV made its recommendation. */
#define TNC_ATTRIBUTEID_REASON_STRING      ((TNC_AttributeID) 0x00000002)
/* string, set by an IMV: language tag of TNC_ATTRIBUTEID_REASON_STRING. */
#define TNC_ATTRIBUTEID_REASON_LANGUAGE    ((TNC_AttributeID) 0x00000003)

/* uint32: max round trips of a handshake. */
#define TNC_ATTRIBUTEID_MAX_ROUND_TRIPS  ((TNC_AttributeID) 0x00559700)
/* uint32: max size in octets of one PA-TNC message. */
#define TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE ((TNC_AttributeID) 0x00559701)
/* bytes: Diffie-Hellman Pre-Negotiation value of IF-TNCCS 1.1. */
#define TNC_ATTRIBUTEID_DHPN             ((TNC_AttributeID) 0x00559702)
/* bool: the connection carries vendor IDs and 32-bit subtypes. */
#define TNC_ATTRIBUTEID_HAS_LONG_TYPES   ((TNC_AttributeID) 0x00559703)
/* bool: the connection supports TNC_MESSAGE_FLAGS_EXCLUSIVE. */
#define TNC_ATTRIBUTEID_HAS_EXCLUSIVE    ((TNC_AttributeID) 0x00559704)
/* bool: the connection uses IF-TNCCS-SOH. */
#define TNC_ATTRIBUTEID_HAS_SOH          ((TNC_AttributeID) 0x00559705)
/* bytes, IMV side: Statement of Health. */
#define TNC_ATTRIBUTEID_SOH              ((TNC_AttributeID) 0x00559706)
/* bytes, IMV side: System Statement of Health. */
#define TNC_ATTRIBUTEID_SSOH             ((TNC_AttributeID) 0x00559707)
/* bytes, IMC side: Statement of Health Response. */
#define TNC_ATTRIBUTEID_SOHR             ((TNC_AttributeID) 0x00559708)
/* bytes, IMC side: System Statement of Health Response. */
#define TNC_ATTRIBUTEID_SSOHR            ((TNC_AttributeID) 0x00559709)
/* string: "IF-TNCCS" for IF-TNCCS 1.1 and 2.0, or "IF-TNCCS-SOH". */
#define TNC_ATTRIBUTEID_IFTNCCS_PROTOCOL ((TNC_AttributeID) 0x0055970A)
/* string: "1.1" or "2.0", and "1.0" for IF-TNCCS-SOH. */
#define TNC_ATTRIBUTEID_IFTNCCS_VERSION  ((TNC_AttributeID) 0x0055970B)
/* string: "IF-T for Tunneled EAP" or "IF-T for TLS". */
#define TNC_ATTRIBUTEID_IFT_PROTOCOL     ((TNC_AttributeID) 0x0055970C)
/* string: "1.0", "1.1" (EAP-TNC) or "2.0" (PT-EAP, PT-TLS). */
#define TNC_ATTRIBUTEID_IFT_VERSION      ((TNC_AttributeID) 0x0055970D)
/* bytes: tls-unique channel binding of the underlying TLS session. */
#define TNC_ATTRIBUTEID_TLS_UNIQUE       ((TNC_AttributeID) 0x0055970E)
/*
 * bool: the IMC accepts a first message from the TNCS.
 * NOTE: in the TCG Java binding a TNCS reads this from an IMC, but the C
 * binding has no IMC-side GetAttribute, and the C mechanism is not known.
 */
#define TNC_ATTRIBUTEID_IMC_SPTS_TNCS1   ((TNC_AttributeID) 0x0055970F)
/* uint32, IMV side: the primary IMV ID of the calling IMV. */
#define TNC_ATTRIBUTEID_PRIMARY_IMV_ID   ((TNC_AttributeID) 0x00559710)
/* uint32, IMC side: the primary IMC ID of the calling IMC. */
#define TNC_ATTRIBUTEID_PRIMARY_IMC_ID   ((TNC_AttributeID) 0x00559711)
/*
 * AR identity list, IMV side, IF-IMV 1.4: the identities of the access
 * requestor. The values of the type fields are in tncifimv.h.
 *
 *   identity list:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Identity Count                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |              Identity Count identities follow ...             |
 *
 *   one identity, at least 28 octets:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved    |          Identity Type Vendor ID              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Identity Type                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Identity Value Length (N)                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Identity Value (N octets) ...                 |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Subject Type Vendor ID                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          Subject Type                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |              Authentication Method Vendor ID                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Authentication Method                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * All integers are in network byte order and the Reserved octet is zero.
 * Type vendor IDs are TNC_VENDORID_TCG_NEW for the TCG-defined types.
 * strongSwan fills Identity Value with printable text and no NUL.
 */
#define TNC_ATTRIBUTEID_AR_IDENTITIES    ((TNC_AttributeID) 0x00559712)

/* Sizes in octets of the attribute value encodings above. */
#define TNC_ATTRIBUTE_UINT32_SIZE 4
#define TNC_ATTRIBUTE_BOOL_SIZE   1

/* Sizes in octets of the TNC_ATTRIBUTEID_AR_IDENTITIES layout. */
#define TNC_AR_IDENTITY_COUNT_SIZE 4
/* Fixed part of one identity: seven 4-octet fields. Identity Value adds N. */
#define TNC_AR_IDENTITY_MIN_SIZE   28

#ifdef __cplusplus
}
#endif

#endif /* TNCIF_H */
