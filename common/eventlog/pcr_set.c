#include <stdlib.h>

#include "pcr_set.h"

struct pcr_set {
	pcr_bank_t *banks[PCR_SET_NUM_BANKS];
};

int pcr_set_create(pcr_set_t **out)
{
	static const uint16_t ids[PCR_SET_NUM_BANKS] = {
		PCR_BANK_ALG_SHA1, PCR_BANK_ALG_SHA256, PCR_BANK_ALG_SHA384, PCR_BANK_ALG_SHA512,
	};
	pcr_set_t *set = calloc(1, sizeof(*set));
	int rc = TS_OK;

	if (!set)
		return TS_E_NOMEM;
	for (size_t i = 0; i < PCR_SET_NUM_BANKS; i++) {
		rc = pcr_bank_create(ids[i], &set->banks[i]);
		if (rc != TS_OK)
			goto out;
	}

	*out = set;
	set = NULL;
out:
	pcr_set_destroy(set);
	return rc;
}

void pcr_set_destroy(pcr_set_t *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < PCR_SET_NUM_BANKS; i++)
		pcr_bank_destroy(set->banks[i]);
	free(set);
}

int pcr_set_reset(pcr_set_t *set, uint8_t startup_locality)
{
	for (size_t i = 0; i < PCR_SET_NUM_BANKS; i++) {
		int rc = pcr_bank_reset(set->banks[i], startup_locality);

		if (rc != TS_OK)
			return rc;
	}
	return TS_OK;
}

pcr_bank_t *pcr_set_get_bank(const pcr_set_t *set, uint16_t alg_id)
{
	for (size_t i = 0; i < PCR_SET_NUM_BANKS; i++)
		if (pcr_bank_get_alg(set->banks[i]) == alg_id)
			return set->banks[i];
	return NULL;
}

pcr_bank_t *pcr_set_get_bank_at(const pcr_set_t *set, size_t i)
{
	return i < PCR_SET_NUM_BANKS ? set->banks[i] : NULL;
}
