package io.sensorfleet.capture;

import static io.sensorfleet.capture.internal.Tpacket.SLL_FAMILY;
import static io.sensorfleet.capture.internal.Tpacket.SLL_IFINDEX;
import static io.sensorfleet.capture.internal.Tpacket.SLL_PROTOCOL;
import static io.sensorfleet.capture.internal.Tpacket.SLL_SIZE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.sensorfleet.capture.internal.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private veth topology for one test class, like the production one: the capture interface ({@link #wire})
 * and the mirror ports ({@link #port}) are root-namespace ends of veths whose peers sit in namespaces of this
 * run. A generator socket writes frames into the wire from namespace {@code src}; a receiver socket in each
 * consumer namespace sees what its port delivered. No addresses, no routes, IPv6 off: nothing leaves these
 * links. Needs root; fails loudly (never skips) otherwise. All names carry {@code sfc<run>}.
 */
public final class NetLab implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  final String run;
  final int ports;
  private final List<String> namespaces = new ArrayList<>();

  private NetLab(String run, int ports) {
    this.run = run;
    this.ports = ports;
  }

  public static NetLab create(int ports) {
    String run = Integer.toString(RANDOM.nextInt(36 * 36 * 36 * 36), 36);
    NetLab lab = new NetLab(run, ports);
    try {
      lab.ns("src");
      ip("link", "add", lab.wire(), "type", "veth", "peer", "name", lab.gen(), "netns", lab.nsName("src"));
      quiet(lab.wire());
      inNs(lab.nsName("src"), "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
      ip("-n", lab.nsName("src"), "link", "set", lab.gen(), "up");
      for (int i = 1; i <= ports; i++) {
        lab.ns("c" + i);
        ip("link", "add", lab.port(i), "type", "veth", "peer", "name", lab.peer(i), "netns", lab.nsName("c" + i));
        quiet(lab.port(i));
        inNs(lab.nsName("c" + i), "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        ip("-n", lab.nsName("c" + i), "link", "set", lab.peer(i), "up");
      }
      return lab;
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  /** The capture interface (root namespace). */
  public String wire() {
    return "sfc" + run + "w";
  }

  String gen() {
    return "sfc" + run + "g";
  }

  /** Mirror port {@code i} (root namespace), 1-based. */
  public String port(int i) {
    return "sfc" + run + "m" + i;
  }

  String peer(int i) {
    return "sfc" + run + "r" + i;
  }

  String nsName(String suffix) {
    return "sfc-" + run + "-" + suffix;
  }

  private void ns(String suffix) {
    ip("netns", "add", nsName(suffix));
    namespaces.add(nsName(suffix));
    ip("-n", nsName(suffix), "link", "set", "lo", "up");
  }

  private static void quiet(String dev) {
    run("sysctl", "-q", "-w", "net.ipv6.conf." + dev + ".disable_ipv6=1");
    ip("link", "set", dev, "up");
  }

  /** A raw socket writing into the wire from the generator's namespace. */
  RawSocket generator() {
    return RawSocket.open(nsName("src"), gen());
  }

  /** A TPACKET_V3 ring opened inside namespace {@code sfc-<run>-<suffix>} on {@code iface} (as the engine reads). */
  PacketRing ringIn(String suffix, String iface, CaptureSettings settings) {
    CompletableFuture<PacketRing> ring = new CompletableFuture<>();
    Thread.ofPlatform().name("netns-" + suffix).start(() -> {
      try (Arena tmp = Arena.ofConfined()) {
        Libc.Errno e = new Libc.Errno(tmp);
        int nsfd = Libc.open(e, "/run/netns/" + nsName(suffix), Libc.O_RDONLY);
        RawSocket.check(nsfd, "open netns " + nsName(suffix), e);
        RawSocket.check(Libc.setns(e, nsfd, Libc.CLONE_NEWNET), "setns " + nsName(suffix), e);
        Libc.close(e, nsfd);
        ring.complete(PacketRing.open(iface, settings));
      } catch (Throwable t) {
        ring.completeExceptionally(t);
      }
    });
    return ring.join();
  }

  /** A raw socket in consumer {@code i}'s namespace that sees what port {@code i} delivers. */
  RawSocket receiver(int i) {
    return RawSocket.open(nsName("c" + i), peer(i));
  }

  @Override
  public void close() {
    for (String ns : namespaces) {
      runQuietly("ip", "netns", "del", ns); // takes the namespace's veth ends, and so their root-side peers
    }
    runQuietly("ip", "link", "del", wire());
    for (int i = 1; i <= ports; i++) {
      runQuietly("ip", "link", "del", port(i));
    }
  }

  static void ip(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "ip";
    System.arraycopy(args, 0, cmd, 1, args.length);
    run(cmd);
  }

  private static void inNs(String ns, String... args) {
    String[] cmd = new String[args.length + 4];
    cmd[0] = "ip";
    cmd[1] = "netns";
    cmd[2] = "exec";
    cmd[3] = ns;
    System.arraycopy(args, 0, cmd, 4, args.length);
    run(cmd);
  }

  static void run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed (these tests need root and iproute2): "
            + out.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void runQuietly(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(20, TimeUnit.SECONDS);
    } catch (IOException e) {
      // best effort: the interface is already gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * An AF_PACKET socket created inside a network namespace (a throw-away platform thread enters it with
   * setns(2); the socket stays in that namespace) and bound to one of its interfaces.
   */
  static final class RawSocket implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final Libc.Errno errno = new Libc.Errno(arena);
    private final MemorySegment buf = arena.allocate(65536, 64);
    final int fd;

    private RawSocket(int fd) {
      this.fd = fd;
    }

    static RawSocket open(String ns, String iface) {
      CompletableFuture<Integer> fd = new CompletableFuture<>();
      Thread.ofPlatform().name("netns-" + ns).start(() -> {
        try (Arena tmp = Arena.ofConfined()) {
          Libc.Errno e = new Libc.Errno(tmp);
          int nsfd = Libc.open(e, "/run/netns/" + ns, Libc.O_RDONLY);
          check(nsfd, "open netns " + ns, e);
          check(Libc.setns(e, nsfd, Libc.CLONE_NEWNET), "setns " + ns, e);
          Libc.close(e, nsfd);
          int ifindex = Libc.ifNameToIndex(iface);
          if (ifindex == 0) {
            throw new IllegalStateException("no " + iface + " in " + ns);
          }
          int s = Libc.socket(e, Libc.AF_PACKET, Libc.SOCK_RAW, Libc.htons(Libc.ETH_P_ALL));
          check(s, "socket", e);
          check(Libc.setsockopt(e, s, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, tmp.allocateFrom(JAVA_INT, 32 << 20), 4),
              "SO_RCVBUFFORCE", e);
          MemorySegment sll = tmp.allocate(SLL_SIZE);
          sll.set(JAVA_SHORT, SLL_FAMILY, (short) Libc.AF_PACKET);
          sll.set(JAVA_SHORT, SLL_PROTOCOL, (short) Libc.htons(Libc.ETH_P_ALL));
          sll.set(JAVA_INT, SLL_IFINDEX, ifindex);
          check(Libc.bind(e, s, sll, SLL_SIZE), "bind " + iface, e);
          fd.complete(s);
        } catch (Throwable t) {
          fd.completeExceptionally(t);
        }
      });
      return new RawSocket(fd.join());
    }

    /** Writes one frame; fails the test if the kernel refuses it. */
    void send(byte[] frame) {
      MemorySegment.copy(frame, 0, buf, JAVA_BYTE, 0, frame.length);
      long n = Libc.send(errno, fd, buf.address(), frame.length, 0);
      if (n != frame.length) {
        throw new IllegalStateException("send failed: " + Libc.strerror(errno.value()));
      }
    }

    /** Every frame waiting now (non-blocking), in arrival order. */
    List<byte[]> drain() {
      List<byte[]> out = new ArrayList<>();
      while (true) {
        long n = Libc.recv(errno, fd, buf.address(), buf.byteSize(), Libc.MSG_DONTWAIT);
        if (n < 0) {
          return out;
        }
        out.add(Arrays.copyOf(buf.asSlice(0, n).toArray(JAVA_BYTE), (int) n));
      }
    }

    @Override
    public void close() {
      Libc.close(errno, fd);
      arena.close();
    }

    private static void check(int rc, String what, Libc.Errno e) {
      if (rc < 0) {
        throw new IllegalStateException(what + ": " + Libc.strerror(e.value()));
      }
    }
  }

  /** Frames a test sends: IPv4/UDP to 198.18.0.0/15 (a benchmarking range) with a run marker and a number. */
  static final class Frames {
    private Frames() {}

    static byte[] udp(String marker, int seq, int dstPort, int size) {
      byte[] f = new byte[Math.max(size, 60)];
      byte[] dst = {0x02, 0x5f, 0x63, 0, 0, 2};
      byte[] src = {0x02, 0x5f, 0x63, 0, 0, 1};
      System.arraycopy(dst, 0, f, 0, 6);
      System.arraycopy(src, 0, f, 6, 6);
      f[12] = 0x08;
      f[13] = 0x00;
      int ip = 14;
      int ipLen = f.length - ip;
      f[ip] = 0x45;
      f[ip + 2] = (byte) (ipLen >> 8);
      f[ip + 3] = (byte) ipLen;
      f[ip + 8] = 64;
      f[ip + 9] = 17;
      byte[] s = {(byte) 198, 18, 0, 1};
      byte[] d = {(byte) 198, 19, 0, 1};
      System.arraycopy(s, 0, f, ip + 12, 4);
      System.arraycopy(d, 0, f, ip + 16, 4);
      int udp = ip + 20;
      f[udp] = 0x13;
      f[udp + 1] = (byte) 0x88;
      f[udp + 2] = (byte) (dstPort >> 8);
      f[udp + 3] = (byte) dstPort;
      int udpLen = f.length - udp;
      f[udp + 4] = (byte) (udpLen >> 8);
      f[udp + 5] = (byte) udpLen;
      int p = udp + 8;
      byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(m, 0, f, p, Math.min(m.length, 8));
      f[p + 8] = (byte) (seq >> 24);
      f[p + 9] = (byte) (seq >> 16);
      f[p + 10] = (byte) (seq >> 8);
      f[p + 11] = (byte) seq;
      for (int i = p + 12; i < f.length; i++) {
        f[i] = (byte) (seq * 31 + i);
      }
      return f;
    }

    static boolean ours(byte[] f, String marker) {
      byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
      return f.length >= 42 + m.length && Arrays.equals(f, 42, 42 + m.length, m, 0, m.length);
    }
  }
}
