/*
 * The floor under the bus benchmark's latency, without a JVM: one thread that reads the bench's `send` lines from
 * socket A, rewrites each head into a `deliver` and writes them to socket B. No framework, no decoding, no policy, no
 * garbage collector, no JIT. It answers each client's hello with a bare welcome, so MessagingBench's own clients,
 * pacing and receiver measure it exactly as they measure the platform. RelayFloor.java is the same in a JVM, with a
 * reader and a writer thread.
 *
 * Build: gcc -O2 -Wall -Wextra -o relay relay.c      Run (by MessagingBench): relay ROOT
 * Listens on ROOT/bench-a/bus.sock and ROOT/bench-b/bus.sock, prints "ready", serves one pair of connections after
 * another, and ends when its standard input does.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char SEND_HEAD[] = "{\"type\":\"send\",\"to\":\"bench-b\",\"payload\":";
static const char DELIVER_HEAD[] = "{\"type\":\"deliver\",\"from\":\"bench-a\",\"payload\":";
static const char WELCOME[] = "{\"type\":\"welcome\"}\n";

static int listen_on(const char *root, const char *name) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", root, name);
  mkdir(addr.sun_path, 0700);
  size_t used = strlen(addr.sun_path);
  if (snprintf(addr.sun_path + used, sizeof addr.sun_path - used, "/bus.sock") >= (int)(sizeof addr.sun_path - used)) {
    fprintf(stderr, "socket path too long under %s\n", root);
    exit(1);
  }
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 4) < 0) {
    perror(addr.sun_path);
    exit(1);
  }
  return fd;
}

/* Accepts one client, reads its hello line and answers it; -1 if it went away first. */
static int welcome(int server) {
  int fd = accept(server, NULL, NULL);
  char c = 0;
  while (fd >= 0 && c != '\n') {
    if (read(fd, &c, 1) != 1) {
      close(fd);
      return -1;
    }
  }
  if (fd >= 0 && write(fd, WELCOME, sizeof WELCOME - 1) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) {
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void relay(int from, int to) {
  static char in[1 << 20];
  static char out[2 << 20];
  size_t filled = 0;
  ssize_t n;
  while ((n = read(from, in + filled, sizeof in - filled)) > 0) {
    filled += (size_t)n;
    size_t start = 0;
    size_t used = 0;
    for (size_t i = 0; i < filled; i++) {
      if (in[i] != '\n') {
        continue;
      }
      size_t len = i + 1 - start;
      if (len > sizeof SEND_HEAD - 1 && memcmp(in + start, SEND_HEAD, sizeof SEND_HEAD - 1) == 0) {
        memcpy(out + used, DELIVER_HEAD, sizeof DELIVER_HEAD - 1);
        used += sizeof DELIVER_HEAD - 1;
        memcpy(out + used, in + start + sizeof SEND_HEAD - 1, len - (sizeof SEND_HEAD - 1));
        used += len - (sizeof SEND_HEAD - 1);
      }
      start = i + 1;
    }
    memmove(in, in + start, filled - start);
    filled -= start;
    if (write_all(to, out, used) < 0) {
      return;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: relay ROOT\n");
    return 2;
  }
  int a = listen_on(argv[1], "bench-a");
  int b = listen_on(argv[1], "bench-b");
  printf("ready\n");
  fflush(stdout);
  if (fork() == 0) {
    /* The watcher: ends the relay (its parent) when the bench closes our input. */
    char c;
    while (read(0, &c, 1) > 0) {
    }
    kill(getppid(), SIGTERM);
    return 0;
  }
  while (1) {
    int from = welcome(a);
    int to = from < 0 ? -1 : welcome(b);
    if (from >= 0 && to >= 0) {
      relay(from, to);
    }
    if (from >= 0) close(from);
    if (to >= 0) close(to);
  }
}
