package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.UiSignature;
import io.sensorfleet.sdk.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UiIdentityVerifierTest {

  static final InstrumentId SELF = InstrumentId.of("pdns");
  static final Instant NOW = Instant.parse("2026-12-04T15:00:00Z");
  static final byte[] KEY = key(7);

  final MutableClock clock = new MutableClock(NOW);
  final UiIdentityVerifier verifier = UiIdentityVerifier.of(KEY, SELF, Duration.ofSeconds(60), clock);

  static byte[] key(int fill) {
    byte[] key = new byte[UiSignature.KEY_BYTES];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  /** The headers the platform's proxy sets for this request. */
  static Map<String, String> signed(byte[] key, InstrumentId instrument, String method, String target, Instant at) {
    var identity = new UiSignature("olga", "operator", instrument, method, target, at);
    Map<String, String> headers = new HashMap<>();
    headers.put(UiSignature.USER_HEADER, "olga");
    headers.put(UiSignature.ROLE_HEADER, "operator");
    headers.put(UiSignature.INSTRUMENT_HEADER, instrument.value());
    headers.put(UiSignature.TIMESTAMP_HEADER, Long.toString(at.getEpochSecond()));
    headers.put(UiSignature.SIGNATURE_HEADER, identity.sign(key));
    return headers;
  }

  UiIdentityVerifier.Result verify(String method, String target, Map<String, String> headers) {
    return verifier.verify(method, target, name -> Optional.ofNullable(headers.get(name)));
  }

  @Test
  void accepts_the_platforms_signature_and_names_the_user_and_role() {
    var result = verify("GET", "/api/search?q=a", signed(KEY, SELF, "GET", "/api/search?q=a", NOW));
    assertEquals(new UiIdentityVerifier.Verified("olga", "operator"), result);
  }

  @Test
  void refuses_a_request_without_the_identity_headers() {
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", Map.of()));
  }

  @Test
  void refuses_a_changed_user_role_path_or_method() {
    var headers = signed(KEY, SELF, "GET", "/", NOW);
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("POST", "/", headers));
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/admin", headers));
    var promoted = new HashMap<>(headers);
    promoted.put(UiSignature.ROLE_HEADER, "admin");
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", promoted));
    var other = new HashMap<>(headers);
    other.put(UiSignature.USER_HEADER, "admin");
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", other));
  }

  @Test
  void refuses_a_signature_made_with_another_instruments_key() {
    var result = verify("GET", "/", signed(key(8), SELF, "GET", "/", NOW));
    assertEquals(new UiIdentityVerifier.Refused("bad signature"), result);
  }

  @Test
  void refuses_a_request_signed_for_another_instrument() {
    var result = verify("GET", "/", signed(KEY, InstrumentId.of("other"), "GET", "/", NOW));
    assertEquals(new UiIdentityVerifier.Refused("signed for another Instrument"), result);
  }

  @Test
  void refuses_stale_and_future_timestamps() {
    var headers = signed(KEY, SELF, "GET", "/", NOW);
    clock.advance(Duration.ofSeconds(61));
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", headers));
    var future = signed(KEY, SELF, "GET", "/", NOW.plusSeconds(200));
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", future));
  }

  @Test
  void refuses_garbage_in_the_signature_and_timestamp() {
    var headers = signed(KEY, SELF, "GET", "/", NOW);
    headers.put(UiSignature.SIGNATURE_HEADER, "v1=!!!not-base64");
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", headers));
    headers.put(UiSignature.SIGNATURE_HEADER, "v2=abc");
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", headers));
    var badTime = signed(KEY, SELF, "GET", "/", NOW);
    badTime.put(UiSignature.TIMESTAMP_HEADER, "yesterday");
    assertInstanceOf(UiIdentityVerifier.Refused.class, verify("GET", "/", badTime));
  }

  @Test
  void reads_its_key_beside_the_bus_socket_and_is_absent_without_one(@TempDir Path dir) throws Exception {
    var env = Map.of(InstrumentClient.ENV_BUS, dir.resolve("bus.sock").toString(),
        InstrumentClient.ENV_INSTRUMENT, SELF.value());
    assertEquals(Optional.empty(), UiIdentityVerifier.fromEnvironment(env));
    Files.write(dir.resolve(UiSignature.KEY_FILE), KEY);
    var fromFile = UiIdentityVerifier.fromEnvironment(env).orElseThrow();
    var headers = signed(KEY, SELF, "GET", "/", Instant.now());
    assertInstanceOf(UiIdentityVerifier.Verified.class,
        fromFile.verify("GET", "/", name -> Optional.ofNullable(headers.get(name))));
  }
}
