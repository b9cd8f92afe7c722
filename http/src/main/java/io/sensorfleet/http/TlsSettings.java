package io.sensorfleet.http;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * {@code sensor.http.tls}: Fleet Management over HTTPS with the key and certificate chain of a PKCS12 file. Off by
 * default (the API listens on loopback); when on, the session cookie is {@code Secure} too.
 */
public record TlsSettings(boolean enabled, Path keystore, String password) {

  public static TlsSettings from(Config config) {
    Config tls = config.getConfig("sensor.http.tls");
    return new TlsSettings(tls.getBoolean("enabled"), Path.of(tls.getString("keystore")), tls.getString("password"));
  }

  /** The server's TLS context when enabled; a missing or unreadable keystore fails the start with its reason. */
  public Optional<SSLContext> serverContext() {
    if (!enabled) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return Optional.of(context);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("sensor.http.tls: cannot use the PKCS12 keystore " + keystore + ": "
          + e.getMessage(), e);
    }
  }

  /** Never print the keystore password, should settings be logged. */
  @Override
  public String toString() {
    return "TlsSettings[enabled=" + enabled + ", keystore=" + keystore + "]";
  }
}
