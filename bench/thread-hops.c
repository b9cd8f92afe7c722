// thread-hops: what a thread hand-off costs on this machine, as a floor for the bus and proxy latencies.
//
//   gcc -O2 -pthread -o /tmp/thread-hops bench/thread-hops.c && /tmp/thread-hops RATE HOPS
//
// The main thread writes a timestamp into a pipe RATE times per second (sleeping until each is due) for 3 s; HOPS
// threads pass it on, each reading from its pipe and writing into the next; the last one records the one-way
// time. Prints p50/p99/p999/max in microseconds. Compare with `time` for the CPU the wake-ups cost
// (docs/benchmarks.md, issues 5 and 6).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_HOPS 16

static int hops;
static int pipes[MAX_HOPS][2];
static long *latencies;
static int recorded;

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *relay(void *arg) {
  long i = (long)arg, stamp;
  while (read(pipes[i][0], &stamp, sizeof stamp) == sizeof stamp) {
    if (i == hops - 1) {
      if (stamp < 0) break;
      latencies[recorded++] = now_ns() - stamp;
    } else {
      if (write(pipes[i + 1][1], &stamp, sizeof stamp) != sizeof stamp) break;
      if (stamp < 0) break;
    }
  }
  return NULL;
}

static int by_value(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: thread-hops RATE HOPS\n"); return 2; }
  int rate = atoi(argv[1]);
  hops = atoi(argv[2]);
  if (rate < 1 || hops < 1 || hops > MAX_HOPS) { fprintf(stderr, "RATE >= 1, 1 <= HOPS <= %d\n", MAX_HOPS); return 2; }
  int count = rate * 3;
  latencies = calloc(count, sizeof *latencies);
  pthread_t threads[MAX_HOPS];
  for (long i = 0; i < hops; i++) {
    if (pipe(pipes[i]) != 0) { perror("pipe"); return 1; }
  }
  for (long i = 0; i < hops; i++) pthread_create(&threads[i], NULL, relay, (void *)i);
  long interval = 1000000000L / rate, start = now_ns();
  for (int i = 0; i < count; i++) {
    long wait = start + i * interval - now_ns();
    if (wait > 0) {
      struct timespec ts = {wait / 1000000000L, wait % 1000000000L};
      nanosleep(&ts, NULL);
    }
    long stamp = now_ns();
    if (write(pipes[0][1], &stamp, sizeof stamp) != sizeof stamp) { perror("write"); return 1; }
  }
  long end = -1;
  if (write(pipes[0][1], &end, sizeof end) != sizeof end) { perror("write"); return 1; }
  for (int i = 0; i < hops; i++) pthread_join(threads[i], NULL);
  qsort(latencies, recorded, sizeof *latencies, by_value);
  printf("rate=%d hops=%d n=%d p50=%ld p99=%ld p999=%ld max=%ld us\n", rate, hops, recorded,
         latencies[recorded / 2] / 1000, latencies[(long)recorded * 99 / 100] / 1000,
         latencies[(long)recorded * 999 / 1000] / 1000, latencies[recorded - 1] / 1000);
  return 0;
}
