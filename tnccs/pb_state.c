/*
 * PB-TNC state machine, RFC 5793 section 3.2. The transition table is in
 * pb_state.h.
 */
#include "pb_state.h"
#include "pb_msg.h"

void pb_state_init(pb_state *state, pb_role role)
{
	state->role = role;
	state->id = PB_STATE_INIT;
}

/* The role that may send a batch type; CLOSE is sent by both. */
static bool sent_by(pb_batch_type type, pb_role role)
{
	switch (type) {
	case PB_BATCH_CDATA:
	case PB_BATCH_CRETRY:
		return role == PB_ROLE_CLIENT;
	case PB_BATCH_SDATA:
	case PB_BATCH_RESULT:
	case PB_BATCH_SRETRY:
		return role == PB_ROLE_SERVER;
	case PB_BATCH_CLOSE:
		return true;
	}
	return false;
}

/*
 * The state after a batch of `type` sent by `sender` in state `from`, or
 * PB_STATE_END with *allowed false when the table has no such transition.
 */
static pb_state_id next_state(pb_state_id from, pb_batch_type type, pb_role sender, bool *allowed)
{
	*allowed = false;
	if (!sent_by(type, sender))
		return PB_STATE_END;
	if (type == PB_BATCH_CLOSE) {
		*allowed = from != PB_STATE_END;
		return PB_STATE_END;
	}

	switch (from) {
	case PB_STATE_INIT:
		if (type == PB_BATCH_CDATA) {
			*allowed = true;
			return PB_STATE_SERVER_WORKING;
		}
		if (type == PB_BATCH_SDATA) {
			*allowed = true;
			return PB_STATE_CLIENT_WORKING;
		}
		break;
	case PB_STATE_SERVER_WORKING:
		if (type == PB_BATCH_SDATA) {
			*allowed = true;
			return PB_STATE_CLIENT_WORKING;
		}
		if (type == PB_BATCH_RESULT) {
			*allowed = true;
			return PB_STATE_DECIDED;
		}
		break;
	case PB_STATE_CLIENT_WORKING:
		if (type == PB_BATCH_CDATA) {
			*allowed = true;
			return PB_STATE_SERVER_WORKING;
		}
		break;
	case PB_STATE_DECIDED:
		if (type == PB_BATCH_CRETRY || type == PB_BATCH_SRETRY) {
			*allowed = true;
			return PB_STATE_SERVER_WORKING;
		}
		break;
	case PB_STATE_END:
		break;
	}
	return PB_STATE_END;
}

bool pb_state_may_send(const pb_state *state, pb_batch_type type)
{
	bool allowed;

	(void)next_state(state->id, type, state->role, &allowed);
	return allowed;
}

int pb_state_send(pb_state *state, pb_batch_type type)
{
	bool allowed;
	pb_state_id next = next_state(state->id, type, state->role, &allowed);

	if (!allowed)
		return TS_E_STATE;
	state->id = next;
	return TS_OK;
}

/* A retry batch from the peer that crossed our own retry on the wire (see pb_state.h). */
static bool is_crossed_retry(pb_state_id id, pb_batch_type type)
{
	if (id == PB_STATE_SERVER_WORKING)
		return type == PB_BATCH_CRETRY || type == PB_BATCH_SRETRY;
	if (id == PB_STATE_CLIENT_WORKING)
		return type == PB_BATCH_CRETRY;
	return false;
}

int pb_state_receive(pb_state *state, pb_batch_type type, bool *ignore, pb_error_msg *err)
{
	pb_role sender = state->role == PB_ROLE_SERVER ? PB_ROLE_CLIENT : PB_ROLE_SERVER;
	bool allowed;
	pb_state_id next;

	if (!sent_by(type, sender)) {
		pb_msg_error_unexpected_batch_type(err, "batch type that only this end may send");
		return TS_E_PROTOCOL;
	}
	if (state->id == PB_STATE_END && type == PB_BATCH_CLOSE) {
		*ignore = true;
		return TS_OK;
	}
	if (is_crossed_retry(state->id, type)) {
		*ignore = true;
		return TS_OK;
	}

	next = next_state(state->id, type, sender, &allowed);
	if (!allowed) {
		pb_msg_error_unexpected_batch_type(err, "batch type not allowed in this state");
		return TS_E_PROTOCOL;
	}
	state->id = next;
	*ignore = false;
	return TS_OK;
}

void pb_state_close(pb_state *state)
{
	state->id = PB_STATE_END;
}

const char *pb_state_name(pb_state_id id)
{
	switch (id) {
	case PB_STATE_INIT:
		return "Init";
	case PB_STATE_SERVER_WORKING:
		return "Server Working";
	case PB_STATE_CLIENT_WORKING:
		return "Client Working";
	case PB_STATE_DECIDED:
		return "Decided";
	case PB_STATE_END:
		return "End";
	}
	return "unknown";
}

const char *pb_batch_type_name(uint32_t type)
{
	switch (type) {
	case PB_BATCH_CDATA:
		return "CDATA";
	case PB_BATCH_SDATA:
		return "SDATA";
	case PB_BATCH_RESULT:
		return "RESULT";
	case PB_BATCH_CRETRY:
		return "CRETRY";
	case PB_BATCH_SRETRY:
		return "SRETRY";
	case PB_BATCH_CLOSE:
		return "CLOSE";
	}
	return "unknown";
}

const char *pb_role_name(pb_role role)
{
	return role == PB_ROLE_SERVER ? "server" : "client";
}
