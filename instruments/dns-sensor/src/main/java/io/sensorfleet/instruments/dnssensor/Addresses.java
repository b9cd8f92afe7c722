package io.sensorfleet.instruments.dnssensor;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Addresses as text in their canonical form: dotted quads, and RFC 5952 for IPv6 ({@code 2001:db8::10}). */
final class Addresses {

  private Addresses() {}

  static String text(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    ByteBuffer b = ByteBuffer.wrap(address.getAddress());
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = Short.toUnsignedInt(b.getShort());
    }
    // The longest run of two or more zero groups (the first if tied) becomes "::".
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i, j);
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }
}
