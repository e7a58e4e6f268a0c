/*
 * PA-TNC messages through a tnc_agent: the receive and send steps every
 * IMC and IMV repeats.
 *
 * agent_msg_receive() parses a delivered message and, when the message is
 * rejected, sends the PA-TNC Error back to its sender, exclusively.
 * agent_msg_send() sends a built message. Sending is where IF-M
 * segmentation will split a message larger than the peer accepts.
 */
#ifndef AGENT_MSG_H
#define AGENT_MSG_H

#include "pa/pa_msg.h"
#include "tnc_agent.h"

/* Largest PA-TNC message an agent builds when the host states no limit. */
#define AGENT_MSG_MAX_SIZE (16u * 1024 * 1024)

/*
 * Parses msg into *out (pa_msg_free). On a parse error the PA-TNC Error
 * goes back to the sender, the failure is logged with field and offset,
 * and the parse error code is returned.
 */
TS_MUST_CHECK int agent_msg_receive(tnc_agent_t *agent, TNC_ConnectionID conn, const tnc_agent_msg *msg,
				    pa_msg **out);

/*
 * Starts a message for conn, limited to the connection's
 * TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE (or AGENT_MSG_MAX_SIZE).
 */
TS_MUST_CHECK int agent_msg_begin(tnc_agent_t *agent, TNC_ConnectionID conn, pa_msg_builder *b);

/*
 * Sends the built message with type vendor/subtype. A concrete dst_id
 * (not TNC_IMCID_ANY / TNC_IMVID_ANY) sends it exclusively to that module.
 * The builder is freed either way.
 */
TNC_Result agent_msg_send(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_VendorID vendor,
			  TNC_MessageSubtype subtype, TNC_UInt32 dst_id, pa_msg_builder *b);

#endif
