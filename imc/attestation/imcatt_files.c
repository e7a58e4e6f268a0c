/*
 * File measurement, file metadata and ITA-HSR Get Symlinks requests.
 *
 * Every requested path is absolute, uses '/' as delimiter and is taken
 * relative to the configured root (normally "/"). A path with a ".."
 * component is rejected as invalid, so a request cannot leave the root by
 * its own text.
 * NOTE: symlinks inside the root are followed by the kernel for single-file
 * measurements, so an absolute link target resolves outside a test root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "agent_msg.h"
#include "attest/meas_algo.h"
#include "imcatt.h"
#include "log.h"
#include "pts/ita_attr.h"
#include "pts/pts_file.h"

/* Files listed for one directory request; more are reported as an invalid path. */
#define IMCATT_FILES_MAX_ENTRIES 65536

/* Checks a requested path and joins it to the root; *code is the PTS error when it fails. */
static int full_path(const imcatt_state *state, const pts_bytes *path, char *out, size_t out_size,
		     uint32_t *code)
{
	const char *root = state->module->conf.root;
	const uint8_t *p = path->data;
	size_t n = path->len;

	*code = IMCATT_PTS_ERR_INVALID_PATH;
	if (n == 0 || p[0] != '/' || memchr(p, '\0', n))
		return TS_E_INVALID;
	for (size_t i = 0; i + 1 < n; i++) {
		bool start = p[i] == '/';
		size_t rest = n - i - 1;

		if (start && rest >= 2 && p[i + 1] == '.' && p[i + 2] == '.' && (rest == 2 || p[i + 3] == '/'))
			return TS_E_INVALID;
	}
	if ((size_t)snprintf(out, out_size, "%s%.*s", root, (int)n, (const char *)p) >= out_size)
		return TS_E_TOO_LARGE;
	*code = 0;
	return TS_OK;
}

static int hash_file(const char *path, uint16_t algo, uint8_t *out, size_t *out_len)
{
	const EVP_MD *md = meas_algo_evp_md(algo);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t buf[65536];
	unsigned int len = 0;
	int fd, rc = TS_E_CRYPTO;

	if (!ctx)
		return TS_E_NOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		EVP_MD_CTX_free(ctx);
		return TS_E_NOT_FOUND;
	}
	if (!md || EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = TS_E_IO;
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, out, &len) != 1)
		goto out;
	*out_len = len;
	rc = TS_OK;
out:
	close(fd);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Lists a directory in name order; *count entries in *out (free each and the array). */
static int list_dir(const char *path, struct dirent ***out, size_t *count)
{
	int n = scandir(path, out, skip_dots, alphasort);

	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? TS_E_NOT_FOUND : TS_E_IO;
	*count = (size_t)n;
	return TS_OK;
}

static void free_dir(struct dirent **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

int imcatt_files_measure(imcatt_reply *r, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	uint16_t algo = state->meas_algo ? state->meas_algo : PTS_MEAS_ALGO_SHA256;
	pts_file_req_meas req;
	pts_file_meas meas = { 0 };
	struct dirent **names = NULL;
	size_t nnames = 0;
	uint8_t *digests = NULL;
	char path[PATH_MAX], child[PATH_MAX];
	size_t dlen = meas_algo_digest_len(algo), len = 0, slots;
	uint32_t code = 0;
	struct stat st;
	writer_t w;
	int rc;

	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = pts_file_req_meas_decode(attr->value, attr->value_len, &req, NULL);
	if (rc != TS_OK)
		goto out;
	if (req.delimiter != PTS_FILE_DELIM_SLASH) {
		code = IMCATT_PTS_ERR_INVALID_DELIMITER;
		goto out;
	}
	if (full_path(state, &req.path, path, sizeof(path), &code) != TS_OK)
		goto out;
	if (req.directory && list_dir(path, &names, &nnames) != TS_OK) {
		code = IMCATT_PTS_ERR_FILE_NOT_FOUND;
		goto out;
	}
	if (!req.directory && (stat(path, &st) != 0 || !S_ISREG(st.st_mode))) {
		code = IMCATT_PTS_ERR_FILE_NOT_FOUND;
		goto out;
	}
	if (nnames > IMCATT_FILES_MAX_ENTRIES) {
		code = IMCATT_PTS_ERR_INVALID_PATH;
		goto out;
	}

	meas.request_id = req.request_id;
	meas.meas_len = (uint16_t)dlen;
	slots = 1;
	if (req.directory && nnames > 0)
		slots = nnames;
	meas.files = calloc(slots, sizeof(*meas.files));
	digests = malloc(slots * dlen);
	if (!meas.files || !digests) {
		rc = TS_E_NOMEM;
		goto out;
	}
	if (!req.directory) {
		rc = hash_file(path, algo, digests, &len);
		if (rc != TS_OK) {
			code = IMCATT_PTS_ERR_FILE_NOT_FOUND;
			goto out;
		}
		meas.files[0].measurement = (pts_bytes){ digests, dlen };
		meas.files[0].filename = req.path;
		meas.count = 1;
	}
	/* In a directory only regular files count; a symlink is measured where it points. */
	for (size_t i = 0; req.directory && i < nnames; i++) {
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name) >= sizeof(child) ||
		    lstat(child, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (hash_file(child, algo, digests + meas.count * dlen, &len) != TS_OK)
			continue;
		meas.files[meas.count].measurement = (pts_bytes){ digests + meas.count * dlen, dlen };
		meas.files[meas.count].filename = (pts_bytes){ (const uint8_t *)names[i]->d_name,
							       strlen(names[i]->d_name) };
		meas.count++;
	}
	if (meas.count == 0)
		meas.meas_len = 0;
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn, "attestation: measured %zu file(s) under %.*s (%s)",
		 meas.count, (int)req.path.len, (const char *)req.path.data, meas_algo_name(algo));
	rc = pts_file_meas_encode(&meas, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_FILE_MEAS, &w);
out:
	if (code) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: file measurement request rejected with PTS error %u", code);
		rc = imcatt_reply_pts_error_attr(r, code, attr);
	}
	free(meas.files);
	free(digests);
	free_dir(names, nnames);
	writer_free(&w);
	return rc;
}

static uint8_t file_type(mode_t mode)
{
	if (S_ISREG(mode))
		return PTS_FILE_REGULAR;
	if (S_ISDIR(mode))
		return PTS_FILE_DIR;
	if (S_ISLNK(mode))
		return PTS_FILE_SYMLINK;
	if (S_ISFIFO(mode))
		return PTS_FILE_FIFO;
	if (S_ISCHR(mode))
		return PTS_FILE_CHAR;
	if (S_ISBLK(mode))
		return PTS_FILE_BLOCK;
	if (S_ISSOCK(mode))
		return PTS_FILE_SOCKET;
	return PTS_FILE_OTHER;
}

static void fill_meta(pts_file_meta_entry *e, const struct stat *st, pts_bytes name)
{
	e->type = file_type(st->st_mode);
	e->size = (uint64_t)st->st_size;
	e->created = (uint64_t)st->st_ctime;
	e->modified = (uint64_t)st->st_mtime;
	e->accessed = (uint64_t)st->st_atime;
	e->owner = st->st_uid;
	e->group = st->st_gid;
	e->filename = name;
}

int imcatt_files_metadata(imcatt_reply *r, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	pts_file_req_meta req;
	pts_file_meta meta = { 0 };
	struct dirent **names = NULL;
	size_t nnames = 0;
	char path[PATH_MAX], child[PATH_MAX];
	uint32_t code = 0;
	struct stat st;
	writer_t w;
	int rc;

	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = pts_file_req_meta_decode(attr->value, attr->value_len, &req, NULL);
	if (rc != TS_OK)
		goto out;
	if (req.delimiter != PTS_FILE_DELIM_SLASH) {
		code = IMCATT_PTS_ERR_INVALID_DELIMITER;
		goto out;
	}
	if (full_path(state, &req.path, path, sizeof(path), &code) != TS_OK)
		goto out;
	/* lstat: a symlink is reported as one, not as its target. */
	if (lstat(path, &st) != 0 || (req.directory && list_dir(path, &names, &nnames) != TS_OK)) {
		code = IMCATT_PTS_ERR_FILE_NOT_FOUND;
		goto out;
	}
	if (nnames > IMCATT_FILES_MAX_ENTRIES) {
		code = IMCATT_PTS_ERR_INVALID_PATH;
		goto out;
	}
	meta.files = calloc(nnames ? nnames : 1, sizeof(*meta.files));
	if (!meta.files) {
		rc = TS_E_NOMEM;
		goto out;
	}
	if (!req.directory) {
		fill_meta(&meta.files[0], &st, req.path);
		meta.count = 1;
	}
	for (size_t i = 0; req.directory && i < nnames; i++) {
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name) >= sizeof(child) ||
		    lstat(child, &st) != 0)
			continue;
		fill_meta(&meta.files[meta.count++], &st,
			  (pts_bytes){ (const uint8_t *)names[i]->d_name, strlen(names[i]->d_name) });
	}
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn, "attestation: metadata of %zu file(s) under %.*s",
		 meta.count, (int)req.path.len, (const char *)req.path.data);
	rc = pts_file_meta_encode(&meta, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_UNIX_FILE_META, &w);
out:
	if (code) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: file metadata request rejected with PTS error %u", code);
		rc = imcatt_reply_pts_error_attr(r, code, attr);
	}
	free(meta.files);
	free_dir(names, nnames);
	writer_free(&w);
	return rc;
}

/*
 * Normalizes an absolute path in place: collapses "//", drops "." and
 * resolves ".." against the components before it.
 */
static void normalize(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		char *end = strchr(in, '/');
		size_t n = end ? (size_t)(end - in) : strlen(in);

		if (n == 1 && in[0] == '.') {
			/* skip */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *(out - 1) != '/')
				out--;
			if (out > p)
				out--;
		} else {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in += n;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

int imcatt_files_symlinks(imcatt_reply *r, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	pts_bytes req;
	ita_attr_symlinks links = { 0 };
	struct dirent **names = NULL;
	size_t nnames = 0;
	char dir[PATH_MAX], child[PATH_MAX], target[PATH_MAX];
	char **strings = NULL;
	uint32_t code = 0;
	struct stat st;
	writer_t w;
	int rc;

	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = ita_attr_get_symlinks_decode(attr->value, attr->value_len, &req, NULL);
	if (rc != TS_OK)
		goto out;
	if (full_path(state, &req, dir, sizeof(dir), &code) != TS_OK)
		goto out;
	if (list_dir(dir, &names, &nnames) != TS_OK) {
		code = IMCATT_PTS_ERR_FILE_NOT_FOUND;
		goto out;
	}
	links.links = calloc(nnames ? nnames : 1, sizeof(*links.links));
	strings = calloc(2 * (nnames ? nnames : 1), sizeof(*strings));
	if (!links.links || !strings) {
		rc = TS_E_NOMEM;
		goto out;
	}

	/* Symlinks to directories, e.g. /bin -> usr/bin on a UsrMerge system. */
	for (size_t i = 0; i < nnames; i++) {
		const char *base = req.len == 1 ? "" : (const char *)req.data;
		int base_len = req.len == 1 ? 0 : (int)req.len;
		char *link_path = NULL, *dir_path = NULL;
		ssize_t n;

		if ((size_t)snprintf(child, sizeof(child), "%s/%s", dir, names[i]->d_name) >= sizeof(child) ||
		    lstat(child, &st) != 0 || !S_ISLNK(st.st_mode) || stat(child, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		n = readlink(child, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (asprintf(&link_path, "%.*s/%s", base_len, base, names[i]->d_name) < 0)
			link_path = NULL;
		if (target[0] == '/') {
			dir_path = strdup(target);
		} else if (asprintf(&dir_path, "%.*s/%s", base_len, base, target) < 0) {
			dir_path = NULL;
		}
		if (!link_path || !dir_path) {
			free(link_path);
			free(dir_path);
			rc = TS_E_NOMEM;
			goto out;
		}
		normalize(link_path);
		normalize(dir_path);
		strings[2 * links.count] = link_path;
		strings[2 * links.count + 1] = dir_path;
		links.links[links.count].symlink = (pts_bytes){ (const uint8_t *)link_path, strlen(link_path) };
		links.links[links.count].dir = (pts_bytes){ (const uint8_t *)dir_path, strlen(dir_path) };
		links.count++;
	}
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn, "attestation: %zu directory symlink(s) in %.*s",
		 links.count, (int)req.len, (const char *)req.data);
	rc = ita_attr_symlinks_encode(&links, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_ITA, ITA_ATTR_SYMLINKS, &w);
out:
	if (code) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: Get Symlinks request rejected with PTS error %u", code);
		rc = imcatt_reply_pts_error_attr(r, code, attr);
	}
	for (size_t i = 0; strings && i < 2 * links.count; i++)
		free(strings[i]);
	free(strings);
	free(links.links);
	free_dir(names, nnames);
	writer_free(&w);
	return rc;
}
