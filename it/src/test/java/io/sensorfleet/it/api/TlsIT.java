package io.sensorfleet.it.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.http.Main;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sensor.http.tls}: the API over HTTPS from a PKCS12 keystore (made here by the JDK's keytool). */
class TlsIT {

  static final String PASSWORD = "it-keystore-password";

  @TempDir Path dir;

  @Test
  void the_api_answers_over_https_only_and_the_session_cookie_is_secure() throws Exception {
    Path keystore = dir.resolve("sensor.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "sensor", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=sensor",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", PASSWORD).redirectErrorStream(true).start();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
        new String(keytool.getInputStream().readAllBytes()));

    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
            "sensor.data-dir", dir.resolve("data").toString(),
            "sensor.http.port", "0",
            "sensor.http.tls.enabled", "on",
            "sensor.http.tls.keystore", keystore.toString(),
            "sensor.http.tls.password", PASSWORD,
            "sensor.http.auth.admin-password", "it-admin-password-1")));
    Main.Sensor sensor = Main.Sensor.start(config, Clock.systemUTC()).toCompletableFuture().get(60, SECONDS);
    try {
      assertTrue(sensor.url().startsWith("https://127.0.0.1:"), sensor.url());
      HttpClient client = HttpClient.newBuilder().sslContext(trusting(keystore))
          .connectTimeout(Duration.ofSeconds(5)).build();
      var health = client.send(HttpRequest.newBuilder(URI.create(sensor.url() + "api/v1/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());

      var login = client.send(HttpRequest.newBuilder(URI.create(sensor.url() + "api/v1/login"))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"username\":\"admin\",\"password\":\"it-admin-password-1\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, login.statusCode(), login.body());
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.contains("Secure") && cookie.contains("HttpOnly"), cookie);

      String plain = sensor.url().replace("https://", "http://");
      assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(plain + "api/v1/health")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()));
    } finally {
      sensor.system().terminate();
      sensor.system().getWhenTerminated().toCompletableFuture().get(60, SECONDS);
    }
  }

  /** A client context trusting only the sensor's own certificate. */
  private static SSLContext trusting(Path keystore) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("sensor", keys.getCertificate("sensor"));
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
