/* Times calls into fakessl.c's functions: ns per call, without and with the sensor's uprobes on them (its loader
 * finds "libssl.so.99" in this process's /proc/<pid>/maps). With an argument after N it waits for a line on stdin
 * first, so the loader can be started in between. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int SSL_read(void *, void *, int);
int SSL_write(void *, const void *, int);
int SSL_read_ex(void *, void *, unsigned long, unsigned long *);
int SSL_write_ex(void *, const void *, unsigned long, unsigned long *);
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	char buf[16];
	unsigned long g;
	if (argc > 2) {
		printf("ready\n");
		fflush(stdout);
		if (!fgets(buf, sizeof(buf), stdin))
			return 1;
	}
	double t0 = now();
	for (int i = 0; i < n; i++) SSL_read(0, buf, 16);
	double t1 = now();
	for (int i = 0; i < n; i++) SSL_write(0, buf, 16);
	double t2 = now();
	for (int i = 0; i < n; i++) SSL_read_ex(0, buf, 16, &g);
	double t3 = now();
	for (int i = 0; i < n; i++) SSL_write_ex(0, buf, 16, &g);
	double t4 = now();
	printf("| %.0f | %.0f | %.0f | %.0f |\n", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n, (t4 - t3) / n);
	return 0;
}
