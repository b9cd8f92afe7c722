/*
 * A client for the bind-mounted socket directory IT: connects to the unix socket argv[1], sends argv[2] and a
 * newline, half-closes, and copies the reply to stdout. Static, so it runs in the busybox image (whose nc has no
 * unix sockets).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bus-client SOCKET MESSAGE\n");
    return 2;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  strncpy(address.sun_path, argv[1], sizeof address.sun_path - 1);
  if (fd < 0 || connect(fd, (struct sockaddr *) &address, sizeof address) < 0) {
    perror("connect");
    return 1;
  }
  if (dprintf(fd, "%s\n", argv[2]) < 0 || shutdown(fd, SHUT_WR) < 0) {
    perror("write");
    return 1;
  }
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) {
    fwrite(buffer, 1, (size_t) n, stdout);
  }
  return n < 0 ? 1 : 0;
}
