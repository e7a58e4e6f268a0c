/*
 * Starts and stops a private swtpm for a unit test: a Unix socket in a new
 * temporary directory, TPM2_Startup done by swtpm itself, all PCR banks
 * active. The process is stopped by its PID.
 */
#ifndef TEST_SWTPM_H
#define TEST_SWTPM_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct test_swtpm {
	char dir[64];
	char tcti[128];
	pid_t pid;
} test_swtpm;

/* Starts swtpm; returns 0, or -1 if swtpm is not installed or does not come up. */
static inline int test_swtpm_start(test_swtpm *t)
{
	char state[96], sock[96], ctrl[112], pidfile[96], log[96], cmd[1024];
	FILE *f;

	strcpy(t->dir, "/tmp/test_swtpm.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(state, sizeof(state), "%s/state", t->dir);
	snprintf(sock, sizeof(sock), "%s/tpm.sock", t->dir);
	snprintf(ctrl, sizeof(ctrl), "%s/tpm.sock.ctrl", t->dir);
	snprintf(pidfile, sizeof(pidfile), "%s/swtpm.pid", t->dir);
	snprintf(log, sizeof(log), "%s/swtpm.log", t->dir);
	mkdir(state, 0700);
	snprintf(cmd, sizeof(cmd),
		 "swtpm socket --tpm2 --tpmstate dir=%s --server type=unixio,path=%s "
		 "--ctrl type=unixio,path=%s --flags not-need-init,startup-clear "
		 "--pid file=%s --log file=%s --daemon", state, sock, ctrl, pidfile, log);
	if (system(cmd) != 0)
		return -1;
	/* Wait up to 5 s for the PID file and the socket. */
	for (int i = 0; i < 100; i++) {
		struct stat st;

		if (stat(sock, &st) == 0 && (f = fopen(pidfile, "r")) != NULL) {
			int pid = 0;

			if (fscanf(f, "%d", &pid) == 1)
				t->pid = pid;
			fclose(f);
			if (t->pid > 0) {
				snprintf(t->tcti, sizeof(t->tcti), "swtpm:path=%s", sock);
				return 0;
			}
		}
		usleep(50000);
	}
	return -1;
}

/*
 * Whether pid still runs. The daemonized swtpm is a child of the process
 * reaper, which may never wait for it, so a zombie counts as gone.
 */
static inline int test_swtpm_running(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z';
}

static inline void test_swtpm_stop(test_swtpm *t)
{
	char cmd[128];

	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		for (int i = 0; i < 100 && test_swtpm_running(t->pid); i++)
			usleep(20000);
		t->pid = 0;
	}
	if (t->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", t->dir);
		t->dir[0] = '\0';
	}
}

#endif
