package io.sensorfleet.http;

/** The sensor's version, from the jar manifest when packaged, else the development marker. */
final class Version {

  private Version() {}

  static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }
}
