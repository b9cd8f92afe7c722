package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * The local LXD image alias an Instrument's container is created from, e.g. {@code sensorfleet/base} or
 * {@code sensorfleet/jvm}. Only local aliases: no {@code remote:} prefix, because a manifest must not make the
 * sensor download images; the operator imports them. Lower-case letters, digits, {@code .}, {@code _} and
 * {@code -} in segments separated by {@code /}, each segment starting with a letter or digit (so no
 * {@code ..}), at most 128 characters.
 */
public record ImageAlias(String value) {

  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*");

  public ImageAlias {
    if (value == null) {
      throw new IllegalArgumentException("image alias is missing");
    }
    if (value.length() > 128 || !VALID.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid image alias " + Text.quoted(value) + ": use a local LXD alias such "
          + "as sensorfleet/base (lower-case letters, digits, '.', '_', '-', segments separated by '/', no remote:)");
    }
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)  // see InstrumentId: Pekko's parameter-names module
  public static ImageAlias of(String value) {
    return new ImageAlias(value);
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
