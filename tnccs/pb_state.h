/*
 * PB-TNC client and server state machine (RFC 5793 section 3.2).
 *
 * Both ends run the same machine: Init, Server Working, Client Working,
 * Decided and End. Sending or receiving a batch moves it:
 *
 *   state           batch    sent by          next state
 *   Init            CDATA    client           Server Working
 *   Init            SDATA    server           Client Working
 *   Server Working  SDATA    server           Client Working
 *   Server Working  RESULT   server           Decided
 *   Client Working  CDATA    client           Server Working
 *   Decided         CRETRY   client           Server Working
 *   Decided         SRETRY   server           Server Working
 *   any but End     CLOSE    either           End
 *
 * A received CRETRY or SRETRY in Server Working, and a received CRETRY in
 * Client Working, is a leftover of two retries that crossed on the wire: it
 * is accepted and ignored (the state stays). In End only a received CLOSE is
 * accepted, and ignored. Every other received batch type is a fatal
 * "Unexpected Batch Type" error.
 *
 * SRETRY in Decided is for full-duplex transports such as PT-TLS. Over a
 * half-duplex one (EAP) the server cannot send it and should drop the
 * connection instead; this machine does not know the transport and allows it.
 *
 * NOTE: strongSwan 6.0.6 moves a client that receives SRETRY in Server
 * Working to Client Working, and a server that receives CRETRY in Client
 * Working to Server Working. Both cases are accepted here without an error,
 * but the state follows the RFC.
 */
#ifndef PB_STATE_H
#define PB_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ts_error.h"

struct pb_error_msg;

/* Which end of the PB-TNC session this is. */
typedef enum pb_role {
	PB_ROLE_CLIENT = 0,  /* PB-TNC client (TNCC), sends with the D bit clear */
	PB_ROLE_SERVER = 1,  /* PB-TNC server (TNCS), sends with the D bit set */
} pb_role;

/* PB-TNC batch types (B-Type, RFC 5793 section 4.1). */
typedef enum pb_batch_type {
	PB_BATCH_CDATA = 1,
	PB_BATCH_SDATA = 2,
	PB_BATCH_RESULT = 3,
	PB_BATCH_CRETRY = 4,
	PB_BATCH_SRETRY = 5,
	PB_BATCH_CLOSE = 6,
} pb_batch_type;

#define PB_BATCH_TYPE_MIN PB_BATCH_CDATA
#define PB_BATCH_TYPE_MAX PB_BATCH_CLOSE

typedef enum pb_state_id {
	PB_STATE_INIT = 0,
	PB_STATE_SERVER_WORKING,
	PB_STATE_CLIENT_WORKING,
	PB_STATE_DECIDED,
	PB_STATE_END,
} pb_state_id;

typedef struct pb_state {
	pb_role role;
	pb_state_id id;
} pb_state;

/* Starts the machine of one session end in Init. */
void pb_state_init(pb_state *state, pb_role role);

/* Whether this end may send a batch of `type` in its current state. */
bool pb_state_may_send(const pb_state *state, pb_batch_type type);

/*
 * Records that this end sends a batch of `type` and moves to the next state.
 * Returns TS_E_STATE, with the state unchanged, when this end may not send
 * that batch type now.
 */
TS_MUST_CHECK int pb_state_send(pb_state *state, pb_batch_type type);

/*
 * Checks a received batch type against the current state and moves to the
 * next state. On TS_OK, *ignore is true for a crossed retry or a CLOSE in
 * End, whose contents must not be processed.
 * On TS_E_PROTOCOL the state is unchanged and *err contains the fatal
 * Unexpected Batch Type error to send in a CLOSE batch.
 */
TS_MUST_CHECK int pb_state_receive(pb_state *state, pb_batch_type type, bool *ignore,
				   struct pb_error_msg *err);

/* Moves to End because the PT connection went away or a fatal error ended the session. */
void pb_state_close(pb_state *state);

static inline bool pb_state_is_end(const pb_state *state)
{
	return state->id == PB_STATE_END;
}

/* "Init", "Server Working", ...; "unknown" for other values. */
const char *pb_state_name(pb_state_id id);
/* "CDATA", "SDATA", ...; "unknown" for other values. */
const char *pb_batch_type_name(uint32_t type);
/* "client" or "server". */
const char *pb_role_name(pb_role role);

#endif
