#include <pthread.h>
#include <stdio.h>

#include "ietf_attr.h"
#include "pa_msg.h"
#include "pa_registry.h"

/*
 * Tables added at run time. The built-in IETF table is searched without the
 * lock because it never changes. The others are few and short, so a linear
 * search under a read lock costs little next to decoding the attribute.
 */
static pthread_rwlock_t registry_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct {
	const pa_attr_info *table;
	size_t count;
} registry_tables[PA_REGISTRY_MAX_TABLES];
static size_t registry_table_count;

static const pa_attr_info *find_in_table(const pa_attr_info *table, size_t count, uint32_t vendor,
					 uint32_t type)
{
	for (size_t i = 0; i < count; i++) {
		if (table[i].vendor == vendor && table[i].type == type)
			return &table[i];
	}
	return NULL;
}

/* Caller holds registry_lock (read or write). */
static const pa_attr_info *find_locked(uint32_t vendor, uint32_t type)
{
	const pa_attr_info *info = find_in_table(ietf_attr_infos, ietf_attr_info_count, vendor, type);

	for (size_t i = 0; !info && i < registry_table_count; i++)
		info = find_in_table(registry_tables[i].table, registry_tables[i].count, vendor, type);
	return info;
}

static bool entry_is_valid(const pa_attr_info *info)
{
	return info->name != NULL && info->vendor < PA_VENDOR_RESERVED &&
	       info->type != PA_TYPE_RESERVED && info->min_value_len <= info->max_value_len;
}

int pa_registry_add(const pa_attr_info *table, size_t count)
{
	int rc = TS_OK;

	if (!table && count > 0)
		return TS_E_INVALID;
	if (table == ietf_attr_infos)
		return TS_OK;

	pthread_rwlock_wrlock(&registry_lock);
	for (size_t i = 0; i < registry_table_count; i++) {
		if (registry_tables[i].table == table)
			goto out;
	}
	if (registry_table_count == PA_REGISTRY_MAX_TABLES) {
		rc = TS_E_TOO_LARGE;
		goto out;
	}

	/* Check every entry before adding anything. */
	for (size_t i = 0; i < count; i++) {
		if (!entry_is_valid(&table[i]) ||
		    find_in_table(table, i, table[i].vendor, table[i].type) ||
		    find_locked(table[i].vendor, table[i].type)) {
			rc = TS_E_INVALID;
			goto out;
		}
	}
	registry_tables[registry_table_count].table = table;
	registry_tables[registry_table_count].count = count;
	registry_table_count++;
out:
	pthread_rwlock_unlock(&registry_lock);
	return rc;
}

const pa_attr_info *pa_registry_lookup(uint32_t vendor, uint32_t type)
{
	const pa_attr_info *info;

	/* The common case needs no lock; an added table may still list IETF types. */
	if (vendor == PA_VENDOR_IETF) {
		info = find_in_table(ietf_attr_infos, ietf_attr_info_count, vendor, type);
		if (info)
			return info;
	}

	pthread_rwlock_rdlock(&registry_lock);
	info = find_locked(vendor, type);
	pthread_rwlock_unlock(&registry_lock);
	return info;
}

const char *pa_registry_vendor_name(uint32_t vendor)
{
	switch (vendor) {
	case PA_VENDOR_IETF:
		return "IETF";
	case PA_VENDOR_TCG:
		return "TCG";
	case PA_VENDOR_ITA:
		return "ITA-HSR";
	default:
		return NULL;
	}
}

const char *pa_registry_name(uint32_t vendor, uint32_t type, char *buf, size_t size)
{
	const pa_attr_info *info = pa_registry_lookup(vendor, type);
	const char *vendor_name = pa_registry_vendor_name(vendor);
	const char *type_name = info ? info->name : NULL;

	if (!type_name && vendor == PA_VENDOR_IETF)
		type_name = ietf_attr_name(type);

	if (size == 0)
		return buf;
	if (type_name && vendor_name)
		snprintf(buf, size, "%s/%s", vendor_name, type_name);
	else if (type_name)
		snprintf(buf, size, "vendor 0x%06x/%s", (unsigned)vendor, type_name);
	else
		snprintf(buf, size, "vendor 0x%06x, type 0x%08x", (unsigned)vendor, (unsigned)type);
	return buf;
}
