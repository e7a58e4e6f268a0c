/*
 * The facts imc-os reports about the endpoint, read from files below a root
 * directory ("/" on a real system, a fake tree in tests):
 *
 *   /etc/os-release (else /usr/lib/os-release)   product name, version, vendor
 *   /etc/debian_version                           Debian release without VERSION_ID
 *   /proc/stat btime (else /proc/uptime)          last boot time
 *   /proc/sys/net/ipv4/ip_forward,
 *   /proc/sys/net/ipv6/conf/all/forwarding        IP forwarding
 *   /etc/machine-id (else /var/lib/dbus/machine-id)  device ID without a TPM
 *   /var/lib/dpkg/status                          installed packages
 *
 * Every reader treats its files as possibly missing or malformed: it logs
 * what is wrong and returns an error, and the caller then leaves the
 * attribute out. Strings are cleaned up to valid UTF-8 without control
 * characters before they go into an attribute.
 */
#ifndef IMC_OS_INFO_H
#define IMC_OS_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ts_error.h"

/* Largest os-release, debian_version or /proc file read. */
#define IMC_OS_MAX_SMALL_FILE (1024 * 1024)
/* Maximum lengths kept of the product name and version; a String Version field takes 255 octets. */
#define IMC_OS_MAX_NAME 255
#define IMC_OS_MAX_VERSION 127
#define IMC_OS_MAX_ARCH 64
/* Installed packages read from the dpkg status database at most. */
#define IMC_OS_MAX_PACKAGES 1000000

/* SMI Private Enterprise Numbers of OS distributors (Product Vendor ID). */
#define IMC_OS_PEN_REDHAT 2312
#define IMC_OS_PEN_DEBIAN 9586
#define IMC_OS_PEN_CANONICAL 28978
#define IMC_OS_PEN_FEDORA 30401

/*
 * 128-bit application ID that turns the machine ID into this program's
 * device ID, the way sd_id128_get_machine_app_specific() does it, so
 * `systemd-id128 machine-id --app-specific=<this>` prints the same value.
 */
#define IMC_OS_APP_ID "0ba567eaebf24b46bfafe55f00d8856b"
#define IMC_OS_MACHINE_ID_HEX_LEN 32

typedef struct imc_os_product {
	uint32_t vendor;                      /* PEN of the distributor, 0 if unknown */
	char name[IMC_OS_MAX_NAME + 1];       /* "Debian" */
	char version[IMC_OS_MAX_VERSION + 1]; /* "12"; may be empty */
	char arch[IMC_OS_MAX_ARCH + 1];       /* "x86_64" from uname */
	uint32_t major;                       /* numeric form of version, 0 if not numeric */
	uint32_t minor;
	uint32_t build;
} imc_os_product;

/* One installed package; both strings are cleaned UTF-8 of 1..255 octets. */
typedef struct imc_os_package {
	char *name;
	char *version;
} imc_os_package;

typedef struct imc_os_packages {
	size_t count;
	imc_os_package *list;
} imc_os_packages;

/*
 * Joins root and an absolute path ("/etc/os-release") into out. A root of
 * NULL, "" or "/" leaves the path as it is. TS_E_TOO_LARGE if it does not fit.
 */
TS_MUST_CHECK int imc_os_path(const char *root, const char *path, char *out, size_t out_size);

/*
 * Reads a whole file of at most max octets into a malloc()ed, NUL-terminated
 * buffer (files under /proc report size 0, so this reads until EOF).
 * TS_E_NOT_FOUND for a missing file, TS_E_TOO_LARGE past max, TS_E_IO.
 */
TS_MUST_CHECK int imc_os_read_file(const char *path, size_t max, char **out, size_t *out_len);

/*
 * Copies len octets of src into dst (size dst_size, at least 1) as valid
 * UTF-8: every octet of an invalid sequence and every control character
 * (U+0000-U+001F, U+007F-U+009F) becomes '?'. The copy is cut at a character
 * boundary to fit. Returns the number of octets replaced.
 */
size_t imc_os_clean_utf8(const uint8_t *src, size_t len, char *dst, size_t dst_size);

/*
 * Looks up key in os-release text (shell-style KEY=value lines, values
 * optionally in single or double quotes, backslash escapes in double
 * quotes). Copies the raw value into out; false when the key is absent.
 */
bool imc_os_release_value(const char *text, const char *key, char *out, size_t out_size);

/*
 * Fills *out from os-release below root and from uname(2). An empty
 * os-release gives the defaults of os-release(5): name "Linux". TS_E_NOT_FOUND
 * when neither os-release file exists.
 */
TS_MUST_CHECK int imc_os_read_product(const char *root, imc_os_product *out);

/* The Product Information name and String Version joined by one space, as config.db's products.name. */
void imc_os_product_string(const imc_os_product *p, char *out, size_t out_size);
/* String Version's Product Version Number: "12 x86_64" (version and architecture). */
void imc_os_version_string(const imc_os_product *p, char *out, size_t out_size);

/*
 * The last boot time: btime of /proc/stat, else now minus the uptime in
 * /proc/uptime. TS_E_NOT_FOUND or TS_E_INVALID when neither gives a time.
 */
TS_MUST_CHECK int imc_os_read_boot_time(const char *root, time_t now, time_t *out);

/*
 * IETF_FORWARDING_ENABLED when IPv4 or IPv6 forwarding is on, else
 * IETF_FORWARDING_DISABLED. A missing or malformed file is skipped (IPv6
 * may be disabled); TS_E_NOT_FOUND when neither file could be read.
 */
TS_MUST_CHECK int imc_os_read_forwarding(const char *root, uint32_t *out);

/*
 * The device ID derived from the machine ID (32 lowercase hex digits and a
 * NUL): HMAC-SHA256 keyed with the machine ID over IMC_OS_APP_ID, first 16
 * octets, marked as a version 4 UUID. TS_E_NOT_FOUND or TS_E_INVALID when
 * no valid machine ID exists.
 */
TS_MUST_CHECK int imc_os_read_machine_device_id(const char *root, char out[IMC_OS_MACHINE_ID_HEX_LEN + 1]);

/*
 * Reads the packages in state "installed" from the dpkg status database,
 * in file order. Entries with a missing, empty or longer than 255-octet
 * name or version are skipped with a log line. TS_E_NOT_FOUND without the
 * file, TS_E_TOO_LARGE past max packages (0 means IMC_OS_MAX_PACKAGES).
 */
TS_MUST_CHECK int imc_os_read_dpkg(const char *root, size_t max, imc_os_packages *out);
void imc_os_packages_free(imc_os_packages *pkgs);

#endif
