package io.sensorfleet.actors.channel;

import java.io.IOException;
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

  static ConnectedPair open() throws IOException {
    AFUNIXSocketPair<AFUNIXSocketChannel> pair = AFUNIXSocketPair.open();
    return new ConnectedPair(new BusConnection(pair.getSocket1(), new PeerIdentity(1, 0, 0, "", List.of())),
        pair.getSocket2());
  }

  /** Closes the Instrument's end, then the platform's. */
  @Override
  public void close() throws IOException {
    instrument.close();
    connection.close();
  }
}
