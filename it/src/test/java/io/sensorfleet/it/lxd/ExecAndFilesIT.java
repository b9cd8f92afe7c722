package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static io.sensorfleet.it.lxd.LxdTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.runtime.ExecResult;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExecAndFilesIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();
  static String container;

  @BeforeAll
  static void connect() {
    container = kit.running("exec");
  }

  @Test
  void exec_returns_the_exit_code_and_both_outputs() {
    ExecResult result = await(kit.lxd.exec(container, "sh", "-c", "echo out; echo err >&2; exit 3"));
    assertEquals(new ExecResult(3, "out\n", "err\n"), result);
  }

  @Test
  void exec_runs_with_the_given_environment_user_and_directory() {
    var request = ExecRequest.of("sh", "-c", "echo $GREETING $(id -u):$(id -g) $(pwd)")
        .withEnvironment("GREETING", "hello")
        .withWorkingDirectory("/tmp")
        .asUser(1000, 1001);
    assertEquals("hello 1000:1001 /tmp\n", await(kit.lxd.exec(container, request)).stdout());
  }

  @Test
  void pushed_file_comes_back_with_its_bytes_owner_and_mode() {
    byte[] content = new byte[200_000];
    new Random(7).nextBytes(content);
    await(kit.lxd.pushFile(container, "/tmp/blob", new ContainerFile(content, 1000, 1001, 0640)));

    ContainerFile pulled = await(kit.lxd.pullFile(container, "/tmp/blob"));
    assertArrayEquals(content, pulled.content());
    assertEquals(new ContainerFile(content, 1000, 1001, 0640), pulled);
    assertEquals("1000 1001 640 200000\n", kit.sh(container, "stat -c '%u %g %a %s' /tmp/blob"));
  }

  @Test
  void pushing_again_replaces_the_file() {
    await(kit.lxd.pushFile(container, "/tmp/config", ContainerFile.of("one\n".getBytes(StandardCharsets.UTF_8))));
    await(kit.lxd.pushFile(container, "/tmp/config", ContainerFile.of("two\n".getBytes(StandardCharsets.UTF_8))));
    assertEquals("two\n", kit.sh(container, "cat /tmp/config"));
  }

  @Test
  void a_path_with_spaces_and_symbols_arrives_intact() {
    String path = "/tmp/a b&c=d+e%f?g#h";
    await(kit.lxd.pushFile(container, path, ContainerFile.of("odd\n".getBytes(StandardCharsets.UTF_8))));
    assertEquals("odd\n", kit.sh(container, "cat '" + path + "'"));
    assertEquals("odd\n", new String(await(kit.lxd.pullFile(container, path)).content(), StandardCharsets.UTF_8));
  }

  @Test
  void pulling_a_missing_file_fails_with_not_found() {
    var notFound = failure(ContainerRuntimeException.NotFound.class, kit.lxd.pullFile(container, "/tmp/none"));
    assertEquals(404, notFound.status());
  }

  @Test
  void pulling_a_directory_is_refused() {
    failure(ContainerRuntimeException.InvalidRequest.class, kit.lxd.pullFile(container, "/tmp"));
  }
}
