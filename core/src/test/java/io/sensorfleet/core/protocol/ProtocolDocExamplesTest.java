package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The examples of docs/protocol.md are real: every line of a {@code jsonl} block is what the encoder writes. */
class ProtocolDocExamplesTest {

  private static final Path SPEC = Path.of("..", "docs", "protocol.md");

  static List<String> examples() throws IOException {
    List<String> lines = new ArrayList<>();
    boolean inBlock = false;
    for (String line : Files.readAllLines(SPEC, StandardCharsets.UTF_8)) {
      if (line.startsWith("```")) {
        inBlock = line.equals("```jsonl");
      } else if (inBlock && !line.isBlank()) {
        lines.add(line);
      }
    }
    return lines;
  }

  @ParameterizedTest
  @MethodSource("examples")
  void every_example_frame_decodes_and_encodes_back_to_the_same_bytes(String line) {
    var decoded = assertInstanceOf(DecodeResult.Decoded.class,
        FrameCodec.standard().decode(line.getBytes(StandardCharsets.UTF_8)), line);
    assertEquals(line + "\n", new String(FrameCodec.standard().encode(decoded.frame()), StandardCharsets.UTF_8));
  }

  @Test
  void the_examples_show_every_frame_type() throws IOException {
    Set<FrameType> shown = EnumSet.noneOf(FrameType.class);
    for (String line : examples()) {
      shown.add(((DecodeResult.Decoded) FrameCodec.standard().decode(line.getBytes(StandardCharsets.UTF_8)))
          .frame().type());
    }
    assertEquals(EnumSet.allOf(FrameType.class), shown);
  }

  @Test
  void the_error_code_table_lists_every_code() throws IOException {
    String spec = Files.readString(SPEC, StandardCharsets.UTF_8);
    for (ErrorCode code : ErrorCode.values()) {
      assertTrue(spec.contains("| `" + code.wireName() + "` | " + (code.fatal() ? "**yes**" : "no") + " |"),
          code.wireName());
    }
  }
}
