package io.sensorfleet.core.access;

import io.sensorfleet.core.InstrumentId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The identity Fleet Management's UI proxy passes to an Instrument's UI, and its signature: HMAC-SHA256, with the
 * Instrument's own UI key, over the user, the role, the Instrument, the method, the request target (path and query as
 * the Instrument receives it) and the time in whole seconds. The platform signs ({@code http.UiProxyRoutes}); the
 * Instrument checks ({@code sdk.UiIdentityVerifier}); both use {@link #canonical} so they cannot disagree on the
 * bytes. Header names are {@link #USER_HEADER} and friends; the signature header's value is {@code v1=<base64url>}.
 *
 * <p>A key verifies one Instrument's requests only: the Instrument id is signed, and each Instrument has its own key,
 * so an Instrument that leaks its key (or is hostile) cannot forge requests to another one.
 *
 * @param user      the Fleet Management user name
 * @param role      the user's role as on the wire ({@code admin}, {@code operator}, {@code viewer})
 * @param target    the request target, path and query ({@code /api/search?q=x})
 * @param timestamp when the proxy signed it (seconds)
 */
public record UiSignature(String user, String role, InstrumentId instrument, String method, String target,
                          Instant timestamp) {

  public static final String USER_HEADER = "X-SensorFleet-User";
  public static final String ROLE_HEADER = "X-SensorFleet-Role";
  public static final String INSTRUMENT_HEADER = "X-SensorFleet-Instrument";
  public static final String TIMESTAMP_HEADER = "X-SensorFleet-Timestamp";
  public static final String SIGNATURE_HEADER = "X-SensorFleet-Signature";
  /** The key file the platform writes beside the bus socket, readable by the Instrument's user only. */
  public static final String KEY_FILE = "ui-identity.key";
  /** Key length in bytes. */
  public static final int KEY_BYTES = 32;
  private static final String VERSION = "v1";
  /** One HMAC engine per thread, keyed anew for each use, instead of a provider look-up for every signature. */
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  });

  public UiSignature {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(timestamp, "timestamp");
    for (String field : new String[] {user, role, method, target}) {
      if (field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("a signed field must not contain a line break");
      }
    }
  }

  /** The signed bytes: one field a line, prefixed with the scheme's version. */
  public byte[] canonical() {
    return String.join("\n", "sensorfleet-ui-" + VERSION, instrument.value(), user, role, method, target,
        Long.toString(timestamp.getEpochSecond())).getBytes(StandardCharsets.UTF_8);
  }

  /** The signature header's value, {@code v1=<base64url HMAC-SHA256>}. */
  public String sign(byte[] key) {
    return VERSION + "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(key));
  }

  /** Whether {@code signature} (a header value) is this identity's, under {@code key}; compares in constant time. */
  public boolean verify(byte[] key, String signature) {
    if (signature == null || !signature.startsWith(VERSION + "=")) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(signature.substring(VERSION.length() + 1));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(mac(key), given);
  }

  private byte[] mac(byte[] key) {
    if (key.length < KEY_BYTES) {
      throw new IllegalArgumentException("a UI key has at least " + KEY_BYTES + " bytes, got " + key.length);
    }
    Mac mac = HMAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("an HmacSHA256 key of " + key.length + " bytes was refused", e);
    }
    return mac.doFinal(canonical());
  }
}
