package io.sensorfleet.core.protocol;

import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;

/**
 * The version rule of the handshake, as a pure function both ends and their tests share: the platform answers
 * {@code hello} with the highest version both speak, or with a fatal {@code unsupported-version}.
 */
public final class Handshake {

  /** The protocol version this code implements. */
  public static final int CURRENT_VERSION = 1;
  /** Versions this code speaks, for {@code hello} and for the platform's choice. */
  public static final List<Integer> SUPPORTED_VERSIONS = List.of(CURRENT_VERSION);

  private Handshake() {}

  /** The highest version in both lists, or empty when there is none. */
  public static OptionalInt negotiate(Collection<Integer> offered, Collection<Integer> supported) {
    return offered.stream().filter(supported::contains).mapToInt(Integer::intValue).max();
  }

  /** The platform's answer when {@link #negotiate} found nothing; fatal, so the platform closes after sending it. */
  public static Frame.Error unsupported(Frame.Hello hello, Collection<Integer> supported) {
    return Frame.Error.of(ErrorCode.UNSUPPORTED_VERSION,
        "no common protocol version: you offered " + hello.versions() + ", this platform speaks " + supported,
        hello.correlationId());
  }
}
