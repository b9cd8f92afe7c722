package io.sensorfleet.core.access;

import io.sensorfleet.core.InstrumentId;
import java.util.Objects;

/** Something a user asks Fleet Management to do, as the access rules see it. */
public sealed interface Operation {

  /** An area of the API; each endpoint names one. */
  enum Area implements Operation {
    /** Reading anything: Instruments, health, config, audit, metrics. */
    READ,
    /** Installing, starting, stopping, restarting and removing Instruments. */
    LIFECYCLE,
    /** Setting or rolling back an Instrument's configuration. */
    CONFIG,
    /** Setting an Instrument's retention. */
    RETENTION,
    /** Creating users, changing their roles, grants and passwords. */
    USERS,
    /** Changing the bus permission policy (which Instrument may send, publish, subscribe). */
    PERMISSIONS,
    /** Changing which bridges and dedicated interfaces Instruments may use. */
    NETWORK
  }

  /** Reaching one Instrument's own UI through Fleet Management's proxy. */
  record OpenUi(InstrumentId instrument) implements Operation {
    public OpenUi {
      Objects.requireNonNull(instrument, "instrument");
    }
  }
}
