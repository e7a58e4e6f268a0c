/*
 * Tests of imc-os's attribute sources against a fake root directory and of
 * the device ID (machine ID, AK public key files, an AK in swtpm). The
 * encoded attributes are decoded again with the IETF and ITA codecs and
 * compared with the first message of strongSwan 6.0.6's OS IMC.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"
#include "test_swtpm.h"

#include "os/imc_os_attrs.h"
#include "os/imc_os_device.h"
#include "os/imc_os_info.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "pa/ietf_installed_packages.h"
#include "pa/ietf_numeric_version.h"
#include "pa/ietf_op_status.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_string_version.h"
#include "pa/pa_registry.h"
#include "pts/ita_attr.h"
#include "pts/pts_attr_info.h"
#include "tpm/tpm.h"

static char root[64];

static void setup(void)
{
	strcpy(root, "/tmp/test_imc_os.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Path of rel inside the fake root, in one of four rotating buffers. */
static const char *in_root(const char *rel)
{
	static char paths[4][512];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s%s", root, rel);
	return p;
}

/* Writes a file below the fake root, creating its directories. */
static void put_file(const char *rel, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s", in_root(rel));
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void put_text(const char *rel, const char *text)
{
	put_file(rel, text, strlen(text));
}

/* First line printed by a shell command, in a static buffer. */
static const char *run(const char *cmd)
{
	static char out[1024];
	FILE *p = popen(cmd, "r");

	ck_assert_ptr_nonnull(p);
	out[0] = '\0';
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static const char *machine_arch(void)
{
	static struct utsname uts;

	ck_assert_int_eq(uname(&uts), 0);
	return uts.machine;
}

/* --- os-release --------------------------------------------------------- */

START_TEST(product_debian)
{
	imc_os_product p;
	char s[300], expected[300];

	put_text("/etc/os-release",
		 "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
		 "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.name, "Debian");
	/* Debian's PEN is 9586 (0x002572). */
	ck_assert_uint_eq(p.vendor, 0x002572);
	ck_assert_str_eq(p.version, "12");
	ck_assert_str_eq(p.arch, machine_arch());
	ck_assert_uint_eq(p.major, 12);
	ck_assert_uint_eq(p.minor, 0);
	imc_os_product_string(&p, s, sizeof(s));
	snprintf(expected, sizeof(expected), "Debian 12 %s", machine_arch());
	ck_assert_str_eq(s, expected);
}
END_TEST

START_TEST(product_ubuntu)
{
	imc_os_product p;

	put_text("/etc/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.name, "Ubuntu");
	ck_assert_uint_eq(p.vendor, 28978);
	ck_assert_str_eq(p.version, "22.04");
	ck_assert_uint_eq(p.major, 22);
	ck_assert_uint_eq(p.minor, 4);
}
END_TEST

START_TEST(product_fedora_rhel)
{
	imc_os_product p;

	put_text("/etc/os-release", "NAME=\"Fedora Linux\"\nVERSION_ID=39\nID=fedora\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.name, "Fedora");
	ck_assert_uint_eq(p.vendor, 30401);

	put_text("/etc/os-release", "NAME=\"Red Hat Enterprise Linux\"\nVERSION_ID=\"9.3\"\nID=\"rhel\"\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.name, "Red Hat Enterprise Linux");
	ck_assert_uint_eq(p.vendor, 2312);
	ck_assert_uint_eq(p.major, 9);
	ck_assert_uint_eq(p.minor, 3);
}
END_TEST

START_TEST(product_unknown_single_quotes)
{
	imc_os_product p;

	put_text("/etc/os-release", "# a comment\nNAME='Alpine Linux'\nID=alpine\nVERSION_ID=3.19.1\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.name, "Alpine Linux");
	ck_assert_uint_eq(p.vendor, 0);
	ck_assert_uint_eq(p.major, 3);
	ck_assert_uint_eq(p.minor, 19);
	ck_assert_uint_eq(p.build, 1);
}
END_TEST

START_TEST(product_empty_file)
{
	imc_os_product p;
	char s[300];

	put_text("/etc/os-release", "");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	/* os-release(5): NAME defaults to "Linux"; no VERSION_ID means no version. */
	ck_assert_str_eq(p.name, "Linux");
	ck_assert_uint_eq(p.vendor, 0);
	ck_assert_str_eq(p.version, "");
	ck_assert_uint_eq(p.major, 0);
	imc_os_version_string(&p, s, sizeof(s));
	ck_assert_str_eq(s, machine_arch());
}
END_TEST

START_TEST(product_usr_lib_fallback)
{
	imc_os_product p;

	put_text("/usr/lib/os-release", "NAME=Debian\nID=debian\nVERSION_ID=13\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.version, "13");
}
END_TEST

START_TEST(product_debian_testing)
{
	imc_os_product p;

	put_text("/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n");
	put_text("/etc/debian_version", "trixie/sid\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.version, "trixie/sid");
	ck_assert_uint_eq(p.major, 0);
}
END_TEST

START_TEST(product_missing)
{
	imc_os_product p;

	ck_assert_int_eq(imc_os_read_product(root, &p), TS_E_NOT_FOUND);
}
END_TEST

START_TEST(product_invalid_utf8_and_controls)
{
	imc_os_product p;

	/* 0xFF is never valid UTF-8, \x01 and \x1b are control characters, C3 A9 is "é". */
	put_text("/etc/os-release", "NAME=\"Bad\xff" "Name\x01 \xc3\xa9t\xe9\x1b[31m\"\nID=odd\nVERSION_ID=\"1\x7f\"\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.name, "Bad?Name? \xc3\xa9t??[31m");
	ck_assert_str_eq(p.version, "1?");
}
END_TEST

START_TEST(product_escapes_and_reassignment)
{
	imc_os_product p;

	put_text("/etc/os-release", "NAME=First\nID=x\n  NAME=\"A \\\"quoted\\\" \\$name\\\\\" # trailing\n");
	ck_assert_int_eq(imc_os_read_product(root, &p), TS_OK);
	ck_assert_str_eq(p.name, "A \"quoted\" $name\\");
}
END_TEST

START_TEST(release_value_keys)
{
	char v[64];

	ck_assert(!imc_os_release_value("XNAME=a\nNAME_X=b\n", "NAME", v, sizeof(v)));
	ck_assert(imc_os_release_value("NAME=unquoted\\ word rest\n", "NAME", v, sizeof(v)));
	ck_assert_str_eq(v, "unquoted word");
	/* A value longer than the buffer is cut, not overrun. */
	ck_assert(imc_os_release_value("NAME=abcdefgh\n", "NAME", v, 4));
	ck_assert_str_eq(v, "abc");
}
END_TEST

START_TEST(clean_utf8_cases)
{
	static const struct {
		const char *in;
		const char *out;
		size_t replaced;
	} cases[] = {
		{ "plain", "plain", 0 },
		{ "\xc0\x80", "??", 2 },                 /* overlong NUL */
		{ "\xed\xa0\x80", "???", 3 },            /* surrogate U+D800 */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 0 },  /* U+1F600 */
		{ "\xf4\x90\x80\x80", "????", 4 },       /* past U+10FFFF */
		{ "a\xc2\x85z", "a?z", 1 },              /* C1 control U+0085 */
		{ "\xc2\xa0", "\xc2\xa0", 0 },           /* U+00A0 is not a control */
		{ "\xe2\x82", "??", 2 },                 /* truncated sequence */
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = imc_os_clean_utf8((const uint8_t *)cases[i].in, strlen(cases[i].in), out, sizeof(out));

		ck_assert_str_eq(out, cases[i].out);
		ck_assert_uint_eq(n, cases[i].replaced);
	}
	/* Cutting keeps whole characters: "é" does not fit into 2 octets plus NUL after "a". */
	imc_os_clean_utf8((const uint8_t *)"a\xc3\xa9", 3, out, 3);
	ck_assert_str_eq(out, "a");
}
END_TEST

/* --- boot time, forwarding ------------------------------------------------ */

START_TEST(boot_time_from_proc_stat)
{
	time_t t = 0;

	put_text("/proc/stat", "cpu  1 2 3 4\nintr 5\nctxt 6\nbtime 1796415860\nprocesses 7\n");
	ck_assert_int_eq(imc_os_read_boot_time(root, 1796500000, &t), TS_OK);
	ck_assert_int_eq(t, 1796415860);
}
END_TEST

START_TEST(boot_time_from_uptime)
{
	time_t t = 0;

	put_text("/proc/uptime", "3600.75 7000.00\n");
	ck_assert_int_eq(imc_os_read_boot_time(root, 1000000, &t), TS_OK);
	ck_assert_int_eq(t, 1000000 - 3600);

	/* A /proc/stat without a valid btime falls back to /proc/uptime too. */
	put_text("/proc/stat", "btime junk\n");
	ck_assert_int_eq(imc_os_read_boot_time(root, 1000000, &t), TS_OK);
	ck_assert_int_eq(t, 1000000 - 3600);
}
END_TEST

START_TEST(boot_time_missing)
{
	time_t t = 42;

	ck_assert_int_eq(imc_os_read_boot_time(root, 1000000, &t), TS_E_NOT_FOUND);
	ck_assert_int_eq(t, 42);
	put_text("/proc/uptime", "not a number\n");
	ck_assert_int_eq(imc_os_read_boot_time(root, 1000000, &t), TS_E_INVALID);
}
END_TEST

START_TEST(forwarding_cases)
{
	uint32_t v = 99;

	ck_assert_int_eq(imc_os_read_forwarding(root, &v), TS_E_NOT_FOUND);
	ck_assert_uint_eq(v, 99);

	/* IPv6 disabled in the kernel: only the IPv4 file exists. */
	put_text("/proc/sys/net/ipv4/ip_forward", "0\n");
	ck_assert_int_eq(imc_os_read_forwarding(root, &v), TS_OK);
	ck_assert_uint_eq(v, IETF_FORWARDING_DISABLED);

	put_text("/proc/sys/net/ipv6/conf/all/forwarding", "1\n");
	ck_assert_int_eq(imc_os_read_forwarding(root, &v), TS_OK);
	ck_assert_uint_eq(v, IETF_FORWARDING_ENABLED);

	put_text("/proc/sys/net/ipv6/conf/all/forwarding", "0\n");
	put_text("/proc/sys/net/ipv4/ip_forward", "1\n");
	ck_assert_int_eq(imc_os_read_forwarding(root, &v), TS_OK);
	ck_assert_uint_eq(v, IETF_FORWARDING_ENABLED);

	/* A malformed file counts as unreadable; the other one decides. */
	put_text("/proc/sys/net/ipv4/ip_forward", "yes\n");
	ck_assert_int_eq(imc_os_read_forwarding(root, &v), TS_OK);
	ck_assert_uint_eq(v, IETF_FORWARDING_DISABLED);
}
END_TEST

/* --- machine ID ----------------------------------------------------------- */

/*
 * The expected app-specific ID, computed with the openssl command line:
 * HMAC-SHA256 keyed with the machine ID over the application ID, first 16
 * octets, version 4 and variant bits set as in systemd's
 * sd_id128_get_machine_app_specific().
 */
static void expected_app_id(const char *machine_id, char out[33])
{
	char cmd[512];
	unsigned int b[16];
	const char *hex;

	snprintf(cmd, sizeof(cmd),
		 "printf '%s' | xxd -r -p | openssl dgst -sha256 -mac HMAC -macopt hexkey:%s -r",
		 IMC_OS_APP_ID, machine_id);
	hex = run(cmd);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b[i]), 1);
	b[6] = (b[6] & 0x0F) | 0x40;
	b[8] = (b[8] & 0x3F) | 0x80;
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

START_TEST(machine_id_derived)
{
	char id[33], expected[33];

	put_text("/etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
	ck_assert_int_eq(imc_os_read_machine_device_id(root, id), TS_OK);
	expected_app_id("3d1219c7c4c5404aaa1f6d2a48adfda4", expected);
	ck_assert_str_eq(id, expected);
	/* The machine ID itself is not sent. */
	ck_assert_str_ne(id, "3d1219c7c4c5404aaa1f6d2a48adfda4");
}
END_TEST

START_TEST(machine_id_matches_systemd)
{
	char id[33], cmd[128];

	if (access("/etc/machine-id", R_OK) != 0 || system("command -v systemd-id128 >/dev/null") != 0)
		return;
	snprintf(cmd, sizeof(cmd), "systemd-id128 machine-id --app-specific=%s", IMC_OS_APP_ID);
	ck_assert_int_eq(imc_os_read_machine_device_id("/", id), TS_OK);
	ck_assert_str_eq(id, run(cmd));
}
END_TEST

START_TEST(machine_id_dbus_fallback_and_invalid)
{
	char id[33] = "unchanged", expected[33];

	ck_assert_int_eq(imc_os_read_machine_device_id(root, id), TS_E_NOT_FOUND);
	put_text("/var/lib/dbus/machine-id", "00112233445566778899aabbccddeeff");
	ck_assert_int_eq(imc_os_read_machine_device_id(root, id), TS_OK);
	expected_app_id("00112233445566778899aabbccddeeff", expected);
	ck_assert_str_eq(id, expected);

	/* systemd writes "uninitialized" before the first boot completes. */
	put_text("/etc/machine-id", "uninitialized\n");
	strcpy(id, "unchanged");
	ck_assert_int_eq(imc_os_read_machine_device_id(root, id), TS_E_INVALID);
	ck_assert_str_eq(id, "unchanged");
	put_text("/etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4 trailing\n");
	ck_assert_int_eq(imc_os_read_machine_device_id(root, id), TS_E_INVALID);
}
END_TEST

/* --- device ID ------------------------------------------------------------ */

/* SHA-1 of the DER SubjectPublicKeyInfo in a file, by the openssl command line. */
static const char *openssl_keyid(const char *der_path)
{
	char cmd[512];
	static char id[64];

	snprintf(cmd, sizeof(cmd), "openssl dgst -sha1 -r '%s'", der_path);
	snprintf(id, sizeof(id), "%.40s", run(cmd));
	return id;
}

START_TEST(device_id_from_key_files)
{
	const char *curves[] = { "-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
				 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" };
	char cmd[1024], id[41], expected[41];

	for (size_t i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && openssl genpkey %s -out key.pem 2>/dev/null && "
			 "openssl pkey -in key.pem -pubout -out pub.pem && "
			 "openssl pkey -in key.pem -pubout -outform DER -out pub.der", root, curves[i]);
		ck_assert_int_eq(system(cmd), 0);
		snprintf(expected, sizeof(expected), "%.40s", openssl_keyid(in_root("/pub.der")));

		ck_assert_int_eq(imc_os_keyid_from_file(in_root("/pub.pem"), id), TS_OK);
		ck_assert_str_eq(id, expected);
		ck_assert_int_eq(imc_os_keyid_from_file(in_root("/pub.der"), id), TS_OK);
		ck_assert_str_eq(id, expected);
	}
	put_text("/junk.bin", "neither a key nor a TPM2B_PUBLIC");
	ck_assert_int_ne(imc_os_keyid_from_file(in_root("/junk.bin"), id), TS_OK);
	ck_assert_int_eq(imc_os_keyid_from_file(in_root("/missing.pem"), id), TS_E_NOT_FOUND);
}
END_TEST

START_TEST(device_id_sources)
{
	imc_os_device_conf dc = { .root = root };
	char id[IMC_OS_MAX_DEVICE_ID + 1], expected[33];

	put_text("/etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
	ck_assert_int_eq(imc_os_device_id(&dc, id, sizeof(id)), TS_OK);
	expected_app_id("3d1219c7c4c5404aaa1f6d2a48adfda4", expected);
	ck_assert_str_eq(id, expected);

	dc.device_id = "my-gateway-42";
	ck_assert_int_eq(imc_os_device_id(&dc, id, sizeof(id)), TS_OK);
	ck_assert_str_eq(id, "my-gateway-42");
	dc.device_id = "bad\x01id";
	ck_assert_int_eq(imc_os_device_id(&dc, id, sizeof(id)), TS_E_CONFIG);

	/* A configured AK that cannot be read gives no device ID, not the machine ID. */
	dc.device_id = NULL;
	dc.ak_public_key = in_root("/missing.pem");
	ck_assert_int_eq(imc_os_device_id(&dc, id, sizeof(id)), TS_E_NOT_FOUND);
}
END_TEST

START_TEST(device_id_from_swtpm)
{
	static const tpm_ak_type types[] = { TPM_AK_ECC_P256, TPM_AK_RSA_2048 };
	test_swtpm sw = { 0 };
	char cmd[1024], id[41], expected[41];
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	tpm_t *tpm = NULL;

	ck_assert_msg(test_swtpm_start(&sw) == 0, "cannot start swtpm (is the swtpm package installed?)");
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(tpm_open(sw.tcti, &tpm), TS_OK);
		ck_assert_int_eq(tpm_provision_ak(tpm, TPM_DEFAULT_AK_HANDLE, types[i], true, &pub, &pub_len), TS_OK);
		tpm_close(tpm);
		put_file("/ak.pub", pub, pub_len);
		free(pub);

		/* tpm2-tools writes the key as a DER SubjectPublicKeyInfo on its own. */
		snprintf(cmd, sizeof(cmd), "tpm2_readpublic -T '%s' -c 0x%08x -f der -o '%s' >/dev/null",
			 sw.tcti, TPM_DEFAULT_AK_HANDLE, in_root("/ak.der"));
		ck_assert_int_eq(system(cmd), 0);
		snprintf(expected, sizeof(expected), "%.40s", openssl_keyid(in_root("/ak.der")));

		ck_assert_int_eq(imc_os_keyid_from_file(in_root("/ak.pub"), id), TS_OK);
		ck_assert_str_eq(id, expected);
		ck_assert_int_eq(imc_os_keyid_from_handle(sw.tcti, TPM_DEFAULT_AK_HANDLE, id), TS_OK);
		ck_assert_str_eq(id, expected);
	}
	ck_assert_int_eq(imc_os_keyid_from_handle(sw.tcti, 0x81010099, id), TS_E_NOT_FOUND);
	test_swtpm_stop(&sw);
}
END_TEST

/* --- dpkg status ---------------------------------------------------------- */

START_TEST(dpkg_small)
{
	imc_os_packages pkgs;

	put_text("/var/lib/dpkg/status",
		 "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u4\n"
		 "Description: GNU C Library\n continuation line\n .\n more\n\n"
		 "Package: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
		 "Package: noversion\nStatus: install ok installed\n\n"
		 "Package: held\nStatus: hold ok installed\nVersion: 3:1.2~rc1\n\n\n"
		 "package: lowercase-field\nstatus: install ok installed\nversion: 7\n\n"
		 "Package: bad\xffname\nStatus: install ok installed\nVersion: 1\n\n"
		 "Package: unpacked\nStatus: install ok unpacked\nVersion: 2\n");
	ck_assert_int_eq(imc_os_read_dpkg(root, 0, &pkgs), TS_OK);
	ck_assert_uint_eq(pkgs.count, 3);
	ck_assert_str_eq(pkgs.list[0].name, "libc6");
	ck_assert_str_eq(pkgs.list[0].version, "2.36-9+deb12u4");
	ck_assert_str_eq(pkgs.list[1].name, "held");
	ck_assert_str_eq(pkgs.list[1].version, "3:1.2~rc1");
	ck_assert_str_eq(pkgs.list[2].name, "lowercase-field");
	imc_os_packages_free(&pkgs);
}
END_TEST

START_TEST(dpkg_missing_and_limit)
{
	imc_os_packages pkgs = { 0 };

	ck_assert_int_eq(imc_os_read_dpkg(root, 0, &pkgs), TS_E_NOT_FOUND);
	put_text("/var/lib/dpkg/status", "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
					  "Package: b\nStatus: install ok installed\nVersion: 1\n");
	ck_assert_int_eq(imc_os_read_dpkg(root, 1, &pkgs), TS_E_TOO_LARGE);
	ck_assert_uint_eq(pkgs.count, 0);
	put_text("/var/lib/dpkg/status", "");
	ck_assert_int_eq(imc_os_read_dpkg(root, 0, &pkgs), TS_OK);
	ck_assert_uint_eq(pkgs.count, 0);
}
END_TEST

#define HUGE_COUNT 20000

/* A dpkg status file with HUGE_COUNT installed packages pkg-N, version 1.N-1. */
static void put_huge_status(void)
{
	size_t cap = (size_t)HUGE_COUNT * 200, len = 0;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	for (int i = 0; i < HUGE_COUNT; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"Package: pkg-%d\nStatus: install ok installed\nPriority: optional\n"
					"Architecture: amd64\nVersion: 1.%d-1\nDescription: package %d\n"
					" long description\n\n", i, i, i);
	put_file("/var/lib/dpkg/status", text, len);
	free(text);
}

START_TEST(dpkg_huge_split_into_attributes)
{
	imc_os_packages pkgs;
	pa_msg_builder b;
	size_t pos = 0, decoded = 0, messages = 0;
	char name[32], version[32];

	put_huge_status();
	ck_assert_int_eq(imc_os_read_dpkg(root, 0, &pkgs), TS_OK);
	ck_assert_uint_eq(pkgs.count, HUGE_COUNT);
	ck_assert_str_eq(pkgs.list[HUGE_COUNT - 1].name, "pkg-19999");

	/* 64 KiB messages: the list needs several, as for a host with a small limit. */
	while (pos < pkgs.count) {
		uint8_t *data = NULL;
		size_t len = 0;
		pa_msg *msg = NULL;

		ck_assert_int_eq(pa_msg_builder_init(&b, 1, 65536), TS_OK);
		ck_assert_int_eq(imc_os_add_packages(&b, &pkgs, &pos), TS_OK);
		ck_assert_int_eq(imc_os_add_packages(&b, &pkgs, &pos), pos < pkgs.count ? TS_E_TOO_LARGE : TS_OK);
		ck_assert_int_eq(pa_msg_builder_finish(&b, &data, &len), TS_OK);
		pa_msg_builder_free(&b);
		ck_assert_uint_le(len, 65536);
		ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
		for (size_t i = 0; i < msg->count; i++) {
			ietf_installed_packages ip;

			ck_assert_uint_eq(msg->attrs[i].type, IETF_ATTR_INSTALLED_PACKAGES);
			ck_assert_int_eq(ietf_installed_packages_decode(msg->attrs[i].value, msg->attrs[i].value_len,
									&ip, NULL), TS_OK);
			for (size_t k = 0; k < ip.count; k++, decoded++) {
				snprintf(name, sizeof(name), "pkg-%zu", decoded);
				snprintf(version, sizeof(version), "1.%zu-1", decoded);
				ck_assert_uint_eq(ip.packages[k].name_len, strlen(name));
				ck_assert_mem_eq(ip.packages[k].name, name, strlen(name));
				ck_assert_uint_eq(ip.packages[k].version_len, strlen(version));
				ck_assert_mem_eq(ip.packages[k].version, version, strlen(version));
			}
			ietf_installed_packages_free(&ip);
		}
		pa_msg_free(msg);
		free(data);
		messages++;
	}
	ck_assert_uint_eq(decoded, HUGE_COUNT);
	ck_assert_uint_gt(messages, 1);
	imc_os_packages_free(&pkgs);
}
END_TEST

START_TEST(packages_count_limit_per_attribute)
{
	imc_os_packages pkgs = { 0 };
	imc_os_package *list = calloc(70000, sizeof(*list));
	pa_msg_builder b;
	size_t pos = 0;
	uint8_t *data = NULL;
	size_t len = 0;
	pa_msg *msg = NULL;
	ietf_installed_packages ip;

	ck_assert_ptr_nonnull(list);
	for (size_t i = 0; i < 70000; i++) {
		list[i].name = "p";
		list[i].version = "1";
	}
	pkgs.list = list;
	pkgs.count = 70000;
	ck_assert_int_eq(pa_msg_builder_init(&b, 1, 1024 * 1024), TS_OK);
	ck_assert_int_eq(imc_os_add_packages(&b, &pkgs, &pos), TS_OK);
	/* The Package Count field has 16 bits. */
	ck_assert_uint_eq(pos, 65535);
	ck_assert_int_eq(imc_os_add_packages(&b, &pkgs, &pos), TS_OK);
	ck_assert_uint_eq(pos, 70000);
	ck_assert_int_eq(pa_msg_builder_finish(&b, &data, &len), TS_OK);
	pa_msg_builder_free(&b);
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	ck_assert_uint_eq(msg->count, 2);
	ck_assert_int_eq(ietf_installed_packages_decode(msg->attrs[1].value, msg->attrs[1].value_len, &ip, NULL),
			 TS_OK);
	ck_assert_uint_eq(ip.count, 70000 - 65535);
	ietf_installed_packages_free(&ip);
	pa_msg_free(msg);
	free(data);
	free(list);
}
END_TEST

/* --- encoded attributes --------------------------------------------------- */

/* The facts behind the first message of strongSwan's OS IMC in the recorded exchange. */
static void reference_facts(imc_os_facts *f)
{
	struct tm tm = { .tm_year = 2026 - 1900, .tm_mon = 11, .tm_mday = 4, .tm_hour = 19, .tm_min = 15 };

	memset(f, 0, sizeof(*f));
	f->have_product = true;
	f->product.vendor = IMC_OS_PEN_DEBIAN;
	strcpy(f->product.name, "Debian");
	strcpy(f->product.version, "12");
	strcpy(f->product.arch, "x86_64");
	f->product.major = 12;
	f->have_boot_time = true;
	f->boot_time = timegm(&tm);
	f->have_forwarding = true;
	f->forwarding = IETF_FORWARDING_DISABLED;
	f->have_device_id = true;
	strcpy(f->device_id, "8cb3c7e3d94d84e8578949d3f271a09d987b069b");
}

static uint8_t *build_first(const imc_os_facts *f, size_t *len)
{
	pa_msg_builder b;
	uint8_t *data = NULL;

	ck_assert_int_eq(pa_msg_builder_init(&b, 0x1cec195c, 65536), TS_OK);
	ck_assert_int_eq(imc_os_add_first_attrs(&b, f), TS_OK);
	ck_assert_int_eq(pa_msg_builder_finish(&b, &data, len), TS_OK);
	pa_msg_builder_free(&b);
	return data;
}

START_TEST(first_message_equals_strongswan)
{
	imc_os_facts f;
	uint8_t *mine, *ref;
	size_t mine_len, ref_len;

	reference_facts(&f);
	mine = build_first(&f, &mine_len);
	ref = test_read_file(test_data_path("os/strongswan-imc-os-msg.bin"), &ref_len);
	/* The first 8 octets hold the random Message Identifier, which we gave the same value. */
	ck_assert_uint_eq(mine_len, ref_len);
	ck_assert_mem_eq(mine, ref, ref_len);
	free(mine);
	free(ref);
}
END_TEST

START_TEST(first_message_decodes)
{
	imc_os_facts f;
	pa_msg *msg = NULL;
	uint8_t *data;
	size_t len;
	ietf_product_info pi;
	ietf_string_version sv;
	ietf_numeric_version nv;
	ietf_op_status os;
	uint32_t v;
	pts_bytes dev;

	reference_facts(&f);
	f.forwarding = IETF_FORWARDING_ENABLED;
	f.factory_default_password = true;
	strcpy(f.product.version, "22.04");
	f.product.major = 22;
	f.product.minor = 4;
	data = build_first(&f, &len);
	ck_assert_int_eq(pa_registry_add(pts_attr_infos, pts_attr_info_count), TS_OK);
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	ck_assert_uint_eq(msg->count, 7);
	for (size_t i = 0; i < 7; i++)
		ck_assert_uint_eq(msg->attrs[i].flags, 0);

	ck_assert_int_eq(ietf_product_info_decode(msg->attrs[0].value, msg->attrs[0].value_len, &pi, NULL), TS_OK);
	ck_assert_uint_eq(pi.vendor, 9586);
	ck_assert_uint_eq(pi.product_id, 0);
	ck_assert_uint_eq(pi.name_len, 6);
	ck_assert_mem_eq(pi.name, "Debian", 6);

	ck_assert_int_eq(ietf_string_version_decode(msg->attrs[1].value, msg->attrs[1].value_len, &sv, NULL), TS_OK);
	ck_assert_uint_eq(sv.version_len, strlen("22.04 x86_64"));
	ck_assert_mem_eq(sv.version, "22.04 x86_64", sv.version_len);
	ck_assert_uint_eq(sv.build_len, 0);
	ck_assert_uint_eq(sv.config_len, 0);

	ck_assert_int_eq(ietf_numeric_version_decode(msg->attrs[2].value, msg->attrs[2].value_len, &nv, NULL), TS_OK);
	ck_assert_uint_eq(nv.major, 22);
	ck_assert_uint_eq(nv.minor, 4);

	ck_assert_int_eq(ietf_op_status_decode(msg->attrs[3].value, msg->attrs[3].value_len, &os, NULL), TS_OK);
	ck_assert_uint_eq(os.status, IETF_OP_STATUS_OPERATIONAL);
	ck_assert_uint_eq(os.result, IETF_OP_RESULT_SUCCESS);
	ck_assert_str_eq(os.last_use, "2026-12-04T19:15:00Z");

	ck_assert_int_eq(ietf_forwarding_enabled_decode(msg->attrs[4].value, msg->attrs[4].value_len, &v, NULL), TS_OK);
	ck_assert_uint_eq(v, IETF_FORWARDING_ENABLED);
	ck_assert_int_eq(ietf_factory_default_pwd_decode(msg->attrs[5].value, msg->attrs[5].value_len, &v, NULL), TS_OK);
	ck_assert_uint_eq(v, IETF_FACTORY_DEFAULT_PWD_ENABLED);

	ck_assert_uint_eq(msg->attrs[6].vendor, 0x00902A);
	ck_assert_uint_eq(msg->attrs[6].type, 8);
	ck_assert_int_eq(ita_attr_device_id_decode(msg->attrs[6].value, msg->attrs[6].value_len, &dev, NULL), TS_OK);
	ck_assert_uint_eq(dev.len, 40);
	ck_assert_mem_eq(dev.data, f.device_id, 40);
	pa_msg_free(msg);
	free(data);
}
END_TEST

START_TEST(first_message_omits_missing)
{
	imc_os_config conf = { .root = root };
	imc_os_facts f;
	pa_msg *msg = NULL;
	uint8_t *data;
	size_t len;

	/* Only os-release exists: no boot time, no forwarding, no device ID. */
	put_text("/etc/os-release", "ID=debian\nVERSION_ID=12\n");
	imc_os_facts_collect(&conf, NULL, time(NULL), &f);
	data = build_first(&f, &len);
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	ck_assert_uint_eq(msg->count, 4);
	ck_assert_uint_eq(msg->attrs[0].type, IETF_ATTR_PRODUCT_INFORMATION);
	ck_assert_uint_eq(msg->attrs[1].type, IETF_ATTR_STRING_VERSION);
	ck_assert_uint_eq(msg->attrs[2].type, IETF_ATTR_NUMERIC_VERSION);
	ck_assert_uint_eq(msg->attrs[3].type, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED);
	pa_msg_free(msg);
	free(data);

	/* An empty root directory still yields Factory Default Password Enabled. */
	ck_assert_int_eq(unlink(in_root("/etc/os-release")), 0);
	imc_os_facts_collect(&conf, NULL, time(NULL), &f);
	data = build_first(&f, &len);
	ck_assert_uint_eq(len, 8 + 16);
	free(data);
}
END_TEST

START_TEST(facts_from_fake_root)
{
	imc_os_config conf = { .root = root, .factory_default_password = true };
	imc_os_facts f;

	put_text("/etc/os-release", "ID=ubuntu\nVERSION_ID=\"24.04\"\n");
	put_text("/proc/stat", "btime 1700000000\n");
	put_text("/proc/sys/net/ipv4/ip_forward", "1\n");
	imc_os_facts_collect(&conf, "dev-1", time(NULL), &f);
	ck_assert(f.have_product);
	ck_assert_str_eq(f.product.name, "Ubuntu");
	ck_assert(f.have_boot_time);
	ck_assert_int_eq(f.boot_time, 1700000000);
	ck_assert(f.have_forwarding);
	ck_assert_uint_eq(f.forwarding, IETF_FORWARDING_ENABLED);
	ck_assert(f.factory_default_password);
	ck_assert(f.have_device_id);
	ck_assert_str_eq(f.device_id, "dev-1");
}
END_TEST

START_TEST(add_attr_unsupported)
{
	imc_os_facts f;
	pa_msg_builder b;

	reference_facts(&f);
	ck_assert_int_eq(pa_msg_builder_init(&b, 1, 4096), TS_OK);
	ck_assert_int_eq(imc_os_add_attr(&b, &f, PA_VENDOR_IETF, IETF_ATTR_PORT_FILTER), TS_E_UNSUPPORTED);
	ck_assert_int_eq(imc_os_add_attr(&b, &f, PA_VENDOR_TCG, 1), TS_E_UNSUPPORTED);
	f.have_device_id = false;
	ck_assert_int_eq(imc_os_add_attr(&b, &f, PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID), TS_E_NOT_FOUND);
	ck_assert_uint_eq(pa_msg_builder_count(&b), 0);
	pa_msg_builder_free(&b);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("imc_os");
	TCase *info = tcase_create("info");
	TCase *device = tcase_create("device");
	TCase *dpkg = tcase_create("dpkg");
	TCase *attrs = tcase_create("attrs");

	tcase_add_checked_fixture(info, setup, teardown);
	tcase_add_test(info, product_debian);
	tcase_add_test(info, product_ubuntu);
	tcase_add_test(info, product_fedora_rhel);
	tcase_add_test(info, product_unknown_single_quotes);
	tcase_add_test(info, product_empty_file);
	tcase_add_test(info, product_usr_lib_fallback);
	tcase_add_test(info, product_debian_testing);
	tcase_add_test(info, product_missing);
	tcase_add_test(info, product_invalid_utf8_and_controls);
	tcase_add_test(info, product_escapes_and_reassignment);
	tcase_add_test(info, release_value_keys);
	tcase_add_test(info, clean_utf8_cases);
	tcase_add_test(info, boot_time_from_proc_stat);
	tcase_add_test(info, boot_time_from_uptime);
	tcase_add_test(info, boot_time_missing);
	tcase_add_test(info, forwarding_cases);
	suite_add_tcase(s, info);

	tcase_add_checked_fixture(device, setup, teardown);
	tcase_set_timeout(device, 60);
	tcase_add_test(device, machine_id_derived);
	tcase_add_test(device, machine_id_matches_systemd);
	tcase_add_test(device, machine_id_dbus_fallback_and_invalid);
	tcase_add_test(device, device_id_from_key_files);
	tcase_add_test(device, device_id_sources);
	tcase_add_test(device, device_id_from_swtpm);
	suite_add_tcase(s, device);

	tcase_add_checked_fixture(dpkg, setup, teardown);
	tcase_add_test(dpkg, dpkg_small);
	tcase_add_test(dpkg, dpkg_missing_and_limit);
	tcase_add_test(dpkg, dpkg_huge_split_into_attributes);
	tcase_add_test(dpkg, packages_count_limit_per_attribute);
	suite_add_tcase(s, dpkg);

	tcase_add_checked_fixture(attrs, setup, teardown);
	tcase_add_test(attrs, first_message_equals_strongswan);
	tcase_add_test(attrs, first_message_decodes);
	tcase_add_test(attrs, first_message_omits_missing);
	tcase_add_test(attrs, facts_from_fake_root);
	tcase_add_test(attrs, add_attr_unsupported);
	suite_add_tcase(s, attrs);
	return s;
}

TEST_MAIN()
