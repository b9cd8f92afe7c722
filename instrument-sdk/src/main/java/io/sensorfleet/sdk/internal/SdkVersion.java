package io.sensorfleet.sdk.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This SDK's version, from {@code sdk.properties} (filled in by the build), for the {@code hello} frame. */
public final class SdkVersion {

  private static final String VERSION = load();

  private SdkVersion() {}

  /** E.g. {@code sensorfleet-sdk-java/0.1.0}. */
  public static String software() {
    return "sensorfleet-sdk-java/" + VERSION;
  }

  private static String load() {
    try (InputStream in = SdkVersion.class.getResourceAsStream("/io/sensorfleet/sdk/sdk.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "unknown");
      return v.matches("[A-Za-z0-9._+-]{1,40}") ? v : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
