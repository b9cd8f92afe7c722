/*
 * The bus benchmark's paced latency client without a JVM: one sender thread and one receiver thread that do what
 * MessagingBench's Java clients do at a paced rate, and nothing else. With the Java clients, their JVM (its threads,
 * its compiler, its collections) shares the VM's two cores with the path it measures and adds its own tail to every
 * path's. This client has no collector, compiler or threads beside its two, so what remains of a tail is the path's
 * (it keeps about as much of a core busy: sending and receiving are mostly system calls).
 *
 * Build: gcc -O2 -Wall -Wextra -pthread -o paced paced.c    Run (by MessagingBench, -Dbench.native-client):
 *   paced bus  SOCKET_A SOCKET_B HELLO_A HELLO_B SEND_HEAD DELIVER_HEAD SIZE RATE WARM_UP_S RECORD_S [DUMP]
 *   paced nats HOST PORT CONNECT_PUB CONNECT_SUB SUBJECT SIZE RATE WARM_UP_S RECORD_S [DUMP]
 * HELLO_* and CONNECT_* are the first line each connection sends (without its line end); SEND_HEAD is what comes
 * before a payload in a `send` line, DELIVER_HEAD before it in a `deliver` line.
 *
 * The method is MessagingBench's: payloads {"t":"<19 digits>","p":"xx…"} of exactly SIZE bytes, stamped with
 * CLOCK_MONOTONIC when written and arrived when the read that brought them returned; everything due is written in
 * one write(2), then the sender sleeps until the next message is due; WARM_UP_S seconds at the rate unrecorded (their
 * padding starts with 'w'), then RECORD_S seconds recorded; a message that never arrives (none for a second) ranks
 * after every one that did.
 * Prints one line: "p50_us p99_us lost_percent client_cores" (p99 "Infinity" when lost messages reach it); DUMP, if
 * given, gets the recorded latencies in arrival order, one per line, in nanoseconds. PACED_DEBUG=1 prints the
 * monotonic time its recorded part starts at on standard error (to line a dump up with `perf sched -k mono`).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define STAMP_AT 6     /* {"t":" */
#define MARK_AT 32     /* {"t":"<19 digits>","p":" */
#define BUFFER (4 << 20)

static int nats;                 /* the NATS protocol instead of ours */
static const char *deliver_head; /* ours: what precedes a payload in a deliver line */
static int sender_fd, receiver_fd;
static long recorded_total;
static int64_t *latencies;
static atomic_long warm_received, recorded_received;

static void fail(const char *what) {
  fprintf(stderr, "paced: %s: %s\n", what, errno ? strerror(errno) : "unexpected answer");
  exit(1);
}

static int64_t now_nanos(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) {
      fail("write");
    }
    p += w;
    n -= (size_t)w;
  }
}

/*
 * Reads one line (up to and without its \n, a \r before it dropped) into line; byte by byte, only while connecting.
 * 0 if the connection ended first.
 */
static int read_line_or_end(int fd, char *line, size_t size) {
  size_t n = 0;
  char c;
  while (read(fd, &c, 1) == 1) {
    if (c == '\n') {
      if (n > 0 && line[n - 1] == '\r') {
        n--;
      }
      line[n] = 0;
      return 1;
    }
    if (n + 1 < size) {
      line[n++] = c;
    }
  }
  line[n] = 0;
  return 0;
}

static void read_line(int fd, char *line, size_t size) {
  if (!read_line_or_end(fd, line, size)) {
    fail("connection closed while connecting");
  }
}

/*
 * Connects and says hello; tries again for up to 30 s while the socket is missing or its channel answers with anything
 * but a welcome (the platform refuses a connection while it still holds the previous run's).
 */
static int connect_unix(const char *path, const char *hello) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  char line[4096] = "";
  for (int attempt = 0; attempt < 3000; attempt++) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
      fail("socket");
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
      write_all(fd, hello, strlen(hello));
      write_all(fd, "\n", 1);
      if (read_line_or_end(fd, line, sizeof line) && strstr(line, "\"type\":\"welcome\"")) {
        return fd;
      }
    }
    close(fd);
    struct timespec pause = {.tv_nsec = 10000000};
    nanosleep(&pause, NULL);
  }
  fprintf(stderr, "paced: no welcome on %s; last answer: %s\n", path, line);
  exit(1);
}

/* Connects to nats-server, says CONNECT (and SUB, if any), and waits for the PONG that follows them. */
static int connect_nats(const char *host, int port, const char *connect_line, const char *sub) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, host, &addr.sin_addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    fail("connect to nats-server");
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char line[8192];
  read_line(fd, line, sizeof line); /* INFO {...} */
  char out[8192];
  int n = snprintf(out, sizeof out, "%s\r\n%s%s%sPING\r\n", connect_line, sub ? "SUB " : "", sub ? sub : "",
                   sub ? " 1\r\n" : "");
  write_all(fd, out, (size_t)n);
  do {
    read_line(fd, line, sizeof line);
    if (strncmp(line, "-ERR", 4) == 0) {
      fprintf(stderr, "paced: nats-server answered: %s\n", line);
      exit(1);
    }
  } while (strcmp(line, "PONG") != 0);
  return fd;
}

static int64_t stamp_of(const char *p) {
  int64_t t = 0;
  for (int i = STAMP_AT; i < STAMP_AT + 19; i++) {
    t = t * 10 + (p[i] - '0');
  }
  return t;
}

/* Counts each payload that arrives and records the latency of each recorded one. */
static void *receive(void *unused) {
  (void)unused;
  static char in[BUFFER];
  size_t head = nats ? 0 : strlen(deliver_head);
  size_t filled = 0;
  ssize_t n;
  while ((n = read(receiver_fd, in + filled, sizeof in - filled)) > 0) {
    int64_t now = now_nanos();
    filled += (size_t)n;
    size_t start = 0;
    char *nl;
    while ((nl = memchr(in + start, '\n', filled - start)) != NULL) {
      size_t end = (size_t)(nl - in);
      const char *line = in + start;
      if (end - start > head + MARK_AT && (nats ? line[0] == '{' : memcmp(line, deliver_head, head) == 0)) {
        const char *payload = line + head;
        if (payload[MARK_AT] == 'w') {
          atomic_fetch_add(&warm_received, 1);
        } else {
          long i = atomic_load(&recorded_received);
          if (i < recorded_total) {
            latencies[i] = now - stamp_of(payload);
          }
          atomic_fetch_add(&recorded_received, 1);
        }
      } else if (nats && end - start >= 4 && memcmp(line, "PING", 4) == 0) {
        write_all(receiver_fd, "PONG\r\n", 6);
      }
      start = end + 1;
    }
    memmove(in, in + start, filled - start);
    filled -= start;
  }
  return NULL;
}

/* Sends total messages at rate, their padding marked: everything due in one write, then sleeps until the next. */
static void pace(const char *prefix, const char *template, size_t size, double rate, long total, char mark) {
  static char out[BUFFER];
  size_t prefix_len = strlen(prefix);
  const char *suffix = nats ? "\r\n" : "}\n";
  size_t message = prefix_len + size + strlen(suffix);
  int64_t interval = (int64_t)(1e9 / rate);
  int64_t start = now_nanos();
  long sent = 0;
  while (sent < total) {
    int64_t now = now_nanos();
    size_t used = 0;
    while (sent < total && start + sent * interval <= now && used + message <= sizeof out) {
      memcpy(out + used, prefix, prefix_len);
      char *payload = out + used + prefix_len;
      memcpy(payload, template, size);
      payload[MARK_AT] = mark;
      int64_t t = now_nanos();
      for (int i = STAMP_AT + 18; i >= STAMP_AT; i--, t /= 10) {
        payload[i] = (char)('0' + t % 10);
      }
      memcpy(payload + size, suffix, strlen(suffix));
      used += message;
      sent++;
    }
    write_all(sender_fd, out, used);
    int64_t due = start + sent * interval;
    struct timespec until = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
  }
}

/* Waits until count messages arrived on counter, or none did for a second. */
static void await_received(atomic_long *counter, long count) {
  long last = atomic_load(counter);
  int64_t quiet_since = now_nanos();
  while (atomic_load(counter) < count) {
    long seen = atomic_load(counter);
    if (seen != last) {
      last = seen;
      quiet_since = now_nanos();
    } else if (now_nanos() - quiet_since > 1000000000) {
      return;
    }
    struct timespec pause = {.tv_nsec = 200000};
    nanosleep(&pause, NULL);
  }
}

static int by_value(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The latency at index of the sorted n received, in µs; "Infinity" where only lost messages rank. */
static void rank(long index, long n, char *text, size_t size) {
  if (index < n) {
    snprintf(text, size, "%.1f", (double)latencies[index] / 1e3);
  } else {
    snprintf(text, size, "Infinity");
  }
}

static double cpu_seconds(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 11 || (strcmp(argv[1], "bus") != 0 && strcmp(argv[1], "nats") != 0)) {
    fprintf(stderr, "usage: paced bus  SOCKET_A SOCKET_B HELLO_A HELLO_B SEND_HEAD DELIVER_HEAD SIZE RATE WARM_UP_S"
                    " RECORD_S [DUMP]\n       paced nats HOST PORT CONNECT_PUB CONNECT_SUB SUBJECT SIZE RATE"
                    " WARM_UP_S RECORD_S [DUMP]\n");
    return 2;
  }
  nats = strcmp(argv[1], "nats") == 0;
  size_t size = (size_t)atol(argv[nats ? 7 : 8]);
  double rate = atof(argv[nats ? 8 : 9]);
  double warm_up_seconds = atof(argv[nats ? 9 : 10]);
  double record_seconds = argc > (nats ? 10 : 11) ? atof(argv[nats ? 10 : 11]) : 0;
  const char *dump = argc > (nats ? 11 : 12) ? argv[nats ? 11 : 12] : NULL;
  if (size < MARK_AT + 3 || size > 65536 || rate <= 0 || record_seconds <= 0) {
    fprintf(stderr, "paced: SIZE must be 35..65536 bytes, RATE and RECORD_S positive\n");
    return 2;
  }
  char prefix[256];
  if (nats) {
    int port = atoi(argv[3]);
    receiver_fd = connect_nats(argv[2], port, argv[5], argv[6]);
    sender_fd = connect_nats(argv[2], port, argv[4], NULL);
    snprintf(prefix, sizeof prefix, "PUB %s %zu\r\n", argv[6], size);
  } else {
    sender_fd = connect_unix(argv[2], argv[4]);
    receiver_fd = connect_unix(argv[3], argv[5]);
    snprintf(prefix, sizeof prefix, "%s", argv[6]);
    deliver_head = argv[7];
  }
  char *template = malloc(size);
  memcpy(template, "{\"t\":\"0000000000000000000\",\"p\":\"", MARK_AT);
  memset(template + MARK_AT, 'x', size - MARK_AT - 2);
  memcpy(template + size - 2, "\"}", 2);
  long warm_total = (long)(rate * warm_up_seconds);
  recorded_total = (long)(rate * record_seconds);
  latencies = calloc((size_t)recorded_total, sizeof *latencies);
  pthread_t receiver;
  pthread_create(&receiver, NULL, receive, NULL);

  pace(prefix, template, size, rate, warm_total, 'w');
  await_received(&warm_received, warm_total);
  double cpu0 = cpu_seconds();
  int64_t t0 = now_nanos();
  if (getenv("PACED_DEBUG")) fprintf(stderr, "recorded from %.6f\n", t0 / 1e9);
  pace(prefix, template, size, rate, recorded_total, 'x');
  await_received(&recorded_received, recorded_total);
  double cores = (cpu_seconds() - cpu0) / ((now_nanos() - t0) / 1e9);
  shutdown(receiver_fd, SHUT_RDWR);
  pthread_join(receiver, NULL);

  long n = atomic_load(&recorded_received);
  if (n > recorded_total) {
    n = recorded_total;
  }
  if (dump) {
    FILE *f = fopen(dump, "w");
    for (long i = 0; f && i < n; i++) {
      fprintf(f, "%lld\n", (long long)latencies[i]);
    }
    if (f) fclose(f);
  }
  qsort(latencies, (size_t)n, sizeof *latencies, by_value);
  long p50 = recorded_total / 2;
  long p99 = (long)(recorded_total * 0.99) < recorded_total - 1 ? (long)(recorded_total * 0.99) : recorded_total - 1;
  char p50_text[32], p99_text[32];
  rank(p50, n, p50_text, sizeof p50_text);
  rank(p99, n, p99_text, sizeof p99_text);
  printf("%s %s %.3f %.3f\n", p50_text, p99_text, 100.0 * (double)(recorded_total - n) / (double)recorded_total,
         cores);
  return 0;
}
