package io.sensorfleet.capture;

/** libpcap refused a filter expression; the message is libpcap's own ({@code pcap_geterr}). */
public final class InvalidFilterException extends CaptureException {
  private final String expression;

  public InvalidFilterException(String expression, String pcapMessage) {
    super("invalid filter '" + expression + "': " + pcapMessage);
    this.expression = expression;
  }

  public String expression() {
    return expression;
  }
}
