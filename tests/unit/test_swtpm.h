/*
 * Starts and stops a private swtpm for a unit test: a Unix socket in a new
 * temporary directory, TPM2_Startup done by swtpm itself, all PCR banks
 * active. The process is stopped by its PID, and ends by itself when the
 * test process that started it ends.
 */
#ifndef TEST_SWTPM_H
#define TEST_SWTPM_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct test_swtpm {
	char dir[64];
	char tcti[128];
	pid_t pid;
} test_swtpm;

/*
 * Starts swtpm as a child process; returns 0, or -1 if swtpm is not installed
 * or does not come up. With banks (e.g. "sha256"), swtpm_setup first makes a
 * TPM state with only those PCR banks active; with NULL, all banks are active.
 * swtpm gets SIGTERM when the calling thread ends, so a test that dies on a
 * failed assertion or a timeout does not leave it running.
 */
static inline int test_swtpm_start_banks(test_swtpm *t, const char *banks)
{
	char state[96], sock[96], ctrl[112], log[96], server[128], ctrl_arg[144], state_arg[112], log_arg[112];
	char setup[512];
	pid_t parent = getpid(), pid;

	t->pid = 0;
	strcpy(t->dir, "/tmp/test_swtpm.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(state, sizeof(state), "%s/state", t->dir);
	snprintf(sock, sizeof(sock), "%s/tpm.sock", t->dir);
	snprintf(ctrl, sizeof(ctrl), "%s/tpm.sock.ctrl", t->dir);
	snprintf(log, sizeof(log), "%s/swtpm.log", t->dir);
	snprintf(state_arg, sizeof(state_arg), "dir=%s", state);
	snprintf(server, sizeof(server), "type=unixio,path=%s", sock);
	snprintf(ctrl_arg, sizeof(ctrl_arg), "type=unixio,path=%s", ctrl);
	snprintf(log_arg, sizeof(log_arg), "file=%s", log);
	mkdir(state, 0700);
	if (banks) {
		snprintf(setup, sizeof(setup), "swtpm_setup --tpm2 --tpmstate %s --pcr-banks %s --overwrite "
			 "--config /dev/null >%s/setup.log 2>&1", state, banks, t->dir);
		if (system(setup) != 0)
			return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		execlp("swtpm", "swtpm", "socket", "--tpm2", "--tpmstate", state_arg, "--server", server, "--ctrl",
		       ctrl_arg, "--flags", "not-need-init,startup-clear", "--log", log_arg, (char *)NULL);
		_exit(127);
	}
	t->pid = pid;
	/*
	 * Wait up to 5 s until swtpm accepts a connection: the socket file exists
	 * from bind() on, but a connection before listen() is refused.
	 */
	for (int i = 0; i < 100; i++) {
		struct sockaddr_un addr = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		int up;

		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
		up = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
		if (fd >= 0)
			close(fd);
		if (up) {
			snprintf(t->tcti, sizeof(t->tcti), "swtpm:path=%s", sock);
			return 0;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			t->pid = 0;
			return -1;
		}
		usleep(50000);
	}
	return -1;
}

/* Starts swtpm with all PCR banks active (see test_swtpm_start_banks). */
static inline int test_swtpm_start(test_swtpm *t)
{
	return test_swtpm_start_banks(t, NULL);
}

/* Whether pid still runs; a zombie (an ended child not yet waited for) counts as gone. */
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
		/* Reaps swtpm if it is a child of this process; otherwise waitpid() just fails. */
		waitpid(t->pid, NULL, WNOHANG);
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
