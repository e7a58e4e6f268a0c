/*
 * IETF Product Information (RFC 5792 section 4.2.2).
 *
 *     0                   1                   2                   3
 *    +-----------------------------------------------+---------------+
 *    |               Product Vendor ID               |  Product ID   |
 *    +---------------+-------------------------------+---------------+
 *    |  Product ID   |      Product Name (UTF-8, rest of the value)  |
 *    +---------------+-----------------------------------------------+
 *
 * Product ID must be 0 when Product Vendor ID is 0; the name has no NUL.
 */
#ifndef IETF_PRODUCT_INFO_H
#define IETF_PRODUCT_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_PRODUCT_INFO_FIXED_LEN 5

typedef struct ietf_product_info {
	uint32_t vendor;        /* PEN of the product's creator, 24 bits */
	uint16_t product_id;
	const uint8_t *name;    /* not NUL-terminated; points into the value */
	size_t name_len;
} ietf_product_info;

TS_MUST_CHECK int ietf_product_info_decode(const uint8_t *value, size_t len,
					   ietf_product_info *out, size_t *bad_offset);
int ietf_product_info_validate(const uint8_t *value, size_t len, size_t *bad_offset);
TS_MUST_CHECK int ietf_product_info_encode(const ietf_product_info *in, writer_t *w);

#endif
