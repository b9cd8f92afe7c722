package io.sensorfleet.capture.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the Capture Engine needs, bound once through the FFM API (no JNI, nothing to build). Every
 * call that can fail captures {@code errno} into a per-caller {@link Errno} segment, so the hot path allocates
 * nothing; pointer arguments on the hot path are passed as raw {@code long} addresses for the same reason.
 */
public final class Libc {

  public static final int AF_PACKET = 17;
  public static final int SOCK_RAW = 3;
  public static final int ETH_P_ALL = 0x0003;
  public static final int SOL_SOCKET = 1;
  public static final int SO_RCVBUFFORCE = 33;
  public static final int SO_SNDBUFFORCE = 32;
  public static final int SO_SNDBUF = 7;
  public static final int SOL_PACKET = 263;
  public static final int PACKET_RX_RING = 5;
  public static final int PACKET_STATISTICS = 6;
  public static final int PACKET_VERSION = 10;
  public static final int PACKET_QDISC_BYPASS = 20;
  public static final int TPACKET_V3 = 2;
  public static final int PROT_READ = 1;
  public static final int PROT_WRITE = 2;
  public static final int MAP_SHARED = 1;
  public static final int POLLIN = 1;
  public static final int POLLERR = 8;
  public static final int MSG_DONTWAIT = 0x40;
  public static final int O_RDONLY = 0;
  public static final int CLONE_NEWNET = 0x40000000;
  public static final int EPERM = 1;
  public static final int EINTR = 4;
  public static final int EAGAIN = 11;
  public static final int ENOBUFS = 105;
  public static final long MAP_FAILED = -1L;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

  private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SETSOCKOPT =
      bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle GETSOCKOPT =
      bind("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle MMAP =
      bind("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
  private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
  private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
  private static final MethodHandle SENDMMSG =
      bind("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
  private static final MethodHandle SEND =
      bind("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
  private static final MethodHandle RECV =
      bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
  private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle IF_NAMETOINDEX =
      LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("if_nametoindex"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle STRERROR =
      LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

  private Libc() {}

  private static MethodHandle bind(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), fd, CAPTURE);
  }

  /** Where one thread's calls leave errno: allocate one per socket owner, reuse it for every call. */
  public static final class Errno {
    final MemorySegment state;

    public Errno(Arena arena) {
      this.state = arena.allocate(CALL_STATE);
    }

    public int value() {
      return (int) ERRNO.get(state, 0L);
    }
  }

  public static int socket(Errno e, int domain, int type, int protocol) {
    try {
      return (int) SOCKET.invokeExact(e.state, domain, type, protocol);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int bind(Errno e, int fd, MemorySegment addr, int len) {
    try {
      return (int) BIND.invokeExact(e.state, fd, addr, len);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int setsockopt(Errno e, int fd, int level, int name, MemorySegment value, int len) {
    try {
      return (int) SETSOCKOPT.invokeExact(e.state, fd, level, name, value, len);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int getsockopt(Errno e, int fd, int level, int name, MemorySegment value, MemorySegment len) {
    try {
      return (int) GETSOCKOPT.invokeExact(e.state, fd, level, name, value, len);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long mmap(Errno e, long length, int prot, int flags, int fd) {
    try {
      return (long) MMAP.invokeExact(e.state, 0L, length, prot, flags, fd, 0L);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int munmap(Errno e, long address, long length) {
    try {
      return (int) MUNMAP.invokeExact(e.state, address, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int poll(Errno e, long pollfds, long count, int timeoutMillis) {
    try {
      return (int) POLL.invokeExact(e.state, pollfds, count, timeoutMillis);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int sendmmsg(Errno e, int fd, long msgvec, int vlen, int flags) {
    try {
      return (int) SENDMMSG.invokeExact(e.state, fd, msgvec, vlen, flags);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long send(Errno e, int fd, long buf, long len, int flags) {
    try {
      return (long) SEND.invokeExact(e.state, fd, buf, len, flags);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static long recv(Errno e, int fd, long buf, long len, int flags) {
    try {
      return (long) RECV.invokeExact(e.state, fd, buf, len, flags);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int close(Errno e, int fd) {
    try {
      return (int) CLOSE.invokeExact(e.state, fd);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static int open(Errno e, String path, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      return (int) OPEN.invokeExact(e.state, arena.allocateFrom(path), flags);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Moves the calling thread (only) into the namespace behind {@code fd}. */
  public static int setns(Errno e, int fd, int nstype) {
    try {
      return (int) SETNS.invokeExact(e.state, fd, nstype);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** The interface's index in the calling thread's network namespace, 0 if it has none by that name. */
  public static int ifNameToIndex(String name) {
    try (Arena arena = Arena.ofConfined()) {
      return (int) IF_NAMETOINDEX.invokeExact(arena.allocateFrom(name));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  public static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
      return s.reinterpret(256).getString(0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** htons for the 16-bit protocol numbers of sockaddr_ll and socket(). */
  public static int htons(int v) {
    return Short.toUnsignedInt(Short.reverseBytes((short) v));
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException(t);
  }
}
