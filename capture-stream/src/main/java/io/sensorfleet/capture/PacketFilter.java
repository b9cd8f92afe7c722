package io.sensorfleet.capture;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * A pcap filter expression compiled by the system's libpcap ({@code pcap_open_dead} + {@code pcap_compile},
 * Debian's libpcap0.8) and run per frame by libpcap's own classic-BPF interpreter ({@code bpf_filter}). No
 * filter language of ours: what tcpdump accepts, a port accepts; what libpcap refuses is refused with its
 * message.
 */
public final class PacketFilter {
  /** Debian's soname; the package is libpcap0.8 (scripts/setup.sh installs it). */
  public static final String LIBRARY = "libpcap.so.0.8";
  private static final int DLT_EN10MB = 1;
  private static final int SNAPLEN = 262144;
  private static final int NETMASK_UNKNOWN = 0xffffffff;
  private static final long BPF_PROGRAM_SIZE = 16; // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }
  private static final long BPF_INSN_SIZE = 8;

  private static volatile Pcap pcap;

  private final String expression;
  private final MemorySegment insns; // our own copy of the program, in an automatic arena
  private final long insnsAddress;

  private PacketFilter(String expression, MemorySegment insns) {
    this.expression = expression;
    this.insns = insns;
    this.insnsAddress = insns.address();
  }

  /**
   * Compiles {@code expression} for Ethernet frames.
   *
   * @throws InvalidFilterException with libpcap's message when libpcap refuses it
   * @throws CaptureException when libpcap is not installed
   */
  public static PacketFilter compile(String expression) {
    Pcap p = pcap();
    synchronized (Pcap.class) { // pcap_compile was not reentrant before libpcap 1.8; cheap to be safe
      try (Arena tmp = Arena.ofConfined()) {
        MemorySegment handle = (MemorySegment) p.openDead.invokeExact(DLT_EN10MB, SNAPLEN);
        if (handle.equals(MemorySegment.NULL)) {
          throw new CaptureException("pcap_open_dead failed");
        }
        try {
          MemorySegment prog = tmp.allocate(BPF_PROGRAM_SIZE, 8);
          int rc = (int) p.compile.invokeExact(handle, prog, tmp.allocateFrom(expression), 1, NETMASK_UNKNOWN);
          if (rc < 0) {
            MemorySegment msg = (MemorySegment) p.geterr.invokeExact(handle);
            throw new InvalidFilterException(expression, msg.reinterpret(1024).getString(0));
          }
          int len = prog.get(JAVA_INT, 0);
          MemorySegment code = prog.get(ADDRESS, 8).reinterpret(len * BPF_INSN_SIZE);
          MemorySegment own = Arena.ofAuto().allocate(len * BPF_INSN_SIZE, 8);
          own.copyFrom(code);
          p.freecode.invokeExact(prog);
          return new PacketFilter(expression, own);
        } finally {
          p.close.invokeExact(handle);
        }
      } catch (CaptureException e) {
        throw e;
      } catch (Throwable t) {
        throw new CaptureException("libpcap call failed: " + t, t);
      }
    }
  }

  public String expression() {
    return expression;
  }

  /** Instructions of the compiled program (classic BPF). */
  public int length() {
    return (int) (insns.byteSize() / BPF_INSN_SIZE);
  }

  /**
   * Whether the frame of {@code caplen} bytes at native address {@code address} (wire length {@code wirelen})
   * passes. Allocation-free: addresses go to libpcap as plain longs.
   */
  public boolean matches(long address, int wirelen, int caplen) {
    try {
      return (int) pcap().bpfFilter.invokeExact(insnsAddress, address, wirelen, caplen) != 0;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    } finally {
      java.lang.ref.Reference.reachabilityFence(insns);
    }
  }

  private static Pcap pcap() {
    Pcap p = pcap;
    if (p == null) {
      synchronized (Pcap.class) {
        if (pcap == null) {
          pcap = new Pcap();
        }
        p = pcap;
      }
    }
    return p;
  }

  /** libpcap's entry points, looked up once. The library stays loaded for the life of the JVM. */
  private static final class Pcap {
    final MethodHandle openDead;
    final MethodHandle compile;
    final MethodHandle geterr;
    final MethodHandle freecode;
    final MethodHandle close;
    final MethodHandle bpfFilter;

    Pcap() {
      SymbolLookup lib;
      try {
        lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
      } catch (IllegalArgumentException e) {
        throw new CaptureException(LIBRARY + " is missing: install Debian's libpcap0.8 (scripts/setup.sh does)", e);
      }
      Linker l = Linker.nativeLinker();
      openDead = l.downcallHandle(lib.findOrThrow("pcap_open_dead"), FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
      compile = l.downcallHandle(lib.findOrThrow("pcap_compile"),
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
      geterr = l.downcallHandle(lib.findOrThrow("pcap_geterr"), FunctionDescriptor.of(ADDRESS, ADDRESS));
      freecode = l.downcallHandle(lib.findOrThrow("pcap_freecode"), FunctionDescriptor.ofVoid(ADDRESS));
      close = l.downcallHandle(lib.findOrThrow("pcap_close"), FunctionDescriptor.ofVoid(ADDRESS));
      // Short, pure computation: a critical call skips the thread-state transition (tens of ns per frame).
      bpfFilter = l.downcallHandle(lib.findOrThrow("bpf_filter"),
          FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), Linker.Option.critical(false));
    }
  }
}
