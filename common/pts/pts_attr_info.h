/*
 * Registry table of the TCG (PTS and IF-M segmentation) and ITA-HSR
 * attribute types: name, value length bounds and a layout check per type,
 * for the PA-TNC attribute registry in common/pa/.
 */
#ifndef PTS_ATTR_INFO_H
#define PTS_ATTR_INFO_H

#include "pa/pa_attr_info.h"

extern const pa_attr_info pts_attr_infos[];
extern const size_t pts_attr_info_count;

/* Looks one type up in pts_attr_infos; NULL when it is not listed. */
const pa_attr_info *pts_attr_info_find(uint32_t vendor, uint32_t type);

#endif
