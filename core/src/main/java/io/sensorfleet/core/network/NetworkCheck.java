package io.sensorfleet.core.network;

import io.sensorfleet.core.InstrumentId;
import java.util.Objects;
import java.util.Optional;

/** The outcome of {@link NetworkAllowlist#check}: allowed, with the claim to record, or refused with a reason. */
public sealed interface NetworkCheck {

  /** The mode may be granted; {@code claim} is what the Instrument then holds (none for mode {@code none}). */
  record Allowed(Optional<NetworkClaim> claim) implements NetworkCheck {
    public Allowed {
      Objects.requireNonNull(claim, "claim");
    }
  }

  /** The mode may not be granted; {@code reason} says why, in words an operator can act on. */
  record Refused(String reason) implements NetworkCheck {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }

  default boolean isAllowed() {
    return this instanceof Allowed;
  }

  /**
   * The claim of an allowed check.
   *
   * @throws NetworkException.Refused if the check refused
   */
  default Optional<NetworkClaim> claimOrThrow(InstrumentId instrument) {
    return switch (this) {
      case Allowed allowed -> allowed.claim();
      case Refused refused -> throw new NetworkException.Refused(instrument, refused.reason());
    };
  }
}
