package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.PermissionRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the sensor needs to run one Instrument with least privilege: which image and command, which
 * network, how much disk, CPU and memory, how to check its health, and which bus permissions it asks for.
 * Usually read from YAML by {@link ManifestParser}; serializes to JSON with Jackson (register
 * {@code Jdk8Module} and {@code JavaTimeModule}, as Pekko's {@code jackson-json} does) for the journal.
 *
 * <p>A manifest is written by whoever packages the Instrument, so nothing in it is trusted: {@code permissions}
 * are only requests, which become {@link io.sensorfleet.core.permission.Grant}s when an operator approves them;
 * bridges and dedicated interfaces must also be offered by the sensor's own configuration.
 *
 * @param id          unique name, see {@link InstrumentId}
 * @param image       local LXD image alias, e.g. {@code sensorfleet/jvm}
 * @param description optional, one line for operators (at most 1000 characters, no control characters)
 * @param command     what runs inside, as an argument vector (at most 64 arguments of at most 4096 characters,
 *                    no NUL); empty (the default) means the image's own init
 * @param network     default {@link NetworkMode.None}
 * @param storage     default {@link Storage#DEFAULT}
 * @param retention   how long data on the persistent volume is kept, 1 minute to 3650 days; default 30 days
 * @param health      default {@link Health#DEFAULT}
 * @param limits      default {@link Limits#DEFAULT}
 * @param ui          optional web UI, reverse-proxied by the platform
 * @param control     default {@link ControlChannel#SOCKET}
 * @param permissions what the Instrument asks to be granted, without duplicates; default none
 * @param config      the initial configuration handed to the Instrument, a JSON object; default {@code {}}.
 *                    Held as a private copy: the accessor returns a copy too, so the manifest stays immutable
 */
public record InstrumentManifest(
    InstrumentId id,
    ImageAlias image,
    Optional<String> description,
    List<String> command,
    NetworkMode network,
    Storage storage,
    @JsonFormat(shape = JsonFormat.Shape.STRING) Duration retention,
    Health health,
    Limits limits,
    Optional<Ui> ui,
    ControlChannel control,
    List<PermissionRequest> permissions,
    JsonNode config) {

  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
  public static final Duration MIN_RETENTION = Duration.ofMinutes(1);
  public static final Duration MAX_RETENTION = Duration.ofDays(3650);
  public static final int MAX_DESCRIPTION_LENGTH = 1000;
  public static final int MAX_COMMAND_ARGUMENTS = 64;
  public static final int MAX_ARGUMENT_LENGTH = 4096;
  public static final int MAX_PERMISSIONS = 256;

  public InstrumentManifest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(description, "description").ifPresent(InstrumentManifest::requireDescription);
    command = requireCommand(List.copyOf(command));
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(storage, "storage");
    requireRetention(retention);
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(ui, "ui");
    Objects.requireNonNull(control, "control");
    permissions = List.copyOf(permissions);
    if (permissions.size() > MAX_PERMISSIONS) {
      throw new IllegalArgumentException("at most " + MAX_PERMISSIONS + " permissions");
    }
    if (new HashSet<>(permissions).size() != permissions.size()) {
      throw new IllegalArgumentException("permissions must not repeat");
    }
    ui.ifPresent(u -> requireUiPortFree(u.port(), control));
    config = requireConfig(config).deepCopy();
  }

  /** A manifest with every default: no network, no persistent storage, no permissions, empty config. */
  /** The same manifest on another image (an upgrade, or a rollback to an earlier image). */
  public InstrumentManifest withImage(ImageAlias newImage) {
    return new InstrumentManifest(id, newImage, description, command, network, storage, retention, health, limits, ui,
        control, permissions, config);
  }

  /** The same manifest with another retention period (set by an operator). */
  public InstrumentManifest withRetention(Duration newRetention) {
    return new InstrumentManifest(id, image, description, command, network, storage, newRetention, health, limits, ui,
        control, permissions, config);
  }

  public static InstrumentManifest withDefaults(InstrumentId id, ImageAlias image) {
    return new InstrumentManifest(id, image, Optional.empty(), List.of(), new NetworkMode.None(), Storage.DEFAULT,
        DEFAULT_RETENTION, Health.DEFAULT, Limits.DEFAULT, Optional.empty(), ControlChannel.SOCKET, List.of(),
        JsonNodeFactory.instance.objectNode());
  }

  /** A copy of the initial configuration (a JSON object). */
  @Override
  public JsonNode config() {
    return config.deepCopy();
  }

  static String requireDescription(String description) {
    if (description.length() > MAX_DESCRIPTION_LENGTH) {
      throw new IllegalArgumentException("must be at most " + MAX_DESCRIPTION_LENGTH + " characters");
    }
    if (description.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("must be one line without control characters");
    }
    return description;
  }

  static List<String> requireCommand(List<String> command) {
    if (command.size() > MAX_COMMAND_ARGUMENTS) {
      throw new IllegalArgumentException("at most " + MAX_COMMAND_ARGUMENTS + " arguments");
    }
    command.forEach(InstrumentManifest::requireArgument);
    return command;
  }

  static String requireArgument(String argument) {
    if (argument.length() > MAX_ARGUMENT_LENGTH) {
      throw new IllegalArgumentException("an argument has at most " + MAX_ARGUMENT_LENGTH + " characters");
    }
    if (argument.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("an argument cannot contain NUL");
    }
    return argument;
  }

  /** The retention period itself, if within bounds; else {@link IllegalArgumentException} saying which. */
  public static Duration requireRetention(Duration retention) {
    Objects.requireNonNull(retention, "retention");
    if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
      throw new IllegalArgumentException("must be between 1m and 3650d, got " + Durations.format(retention));
    }
    return retention;
  }

  static void requireUiPortFree(int port, ControlChannel control) {
    if (control == ControlChannel.TCP && port == ControlChannel.TCP_PORT) {
      throw new IllegalArgumentException("port " + port + " is taken by the tcp control channel");
    }
  }

  static JsonNode requireConfig(JsonNode config) {
    Objects.requireNonNull(config, "config");
    if (!config.isObject()) {
      throw new IllegalArgumentException("must be a mapping (JSON object), got " + Reads.kind(config));
    }
    return config;
  }
}
