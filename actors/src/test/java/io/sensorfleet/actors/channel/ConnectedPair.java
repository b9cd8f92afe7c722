package io.sensorfleet.actors.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;

/**
 * A connected unix socket pair for the channel's io loops' tests: one end is the platform's {@link BusConnection},
 * the other the test playing the Instrument.
 */
final class ConnectedPair implements AutoCloseable {

  final BusConnection connection;
  final AFUNIXSocketChannel instrument;

  private ConnectedPair(BusConnection connection, AFUNIXSocketChannel instrument) {
    this.connection = connection;
    this.instrument = instrument;
  }

  /** Opens a pair; a failure to is the test's error, so it is unchecked (tests open one per test in a field). */
  static ConnectedPair open() {
    try {
      AFUNIXSocketPair<AFUNIXSocketChannel> pair = AFUNIXSocketPair.open();
      return new ConnectedPair(new BusConnection(pair.getSocket1(), new PeerIdentity(1, 0, 0, "", List.of())),
          pair.getSocket2());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a unix socket pair", e);
    }
  }

  /** Closes the Instrument's end, then the platform's. */
  @Override
  public void close() throws IOException {
    instrument.close();
    connection.close();
  }
}
