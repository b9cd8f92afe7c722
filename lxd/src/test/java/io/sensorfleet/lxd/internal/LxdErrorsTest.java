package io.sensorfleet.lxd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.runtime.ContainerRuntimeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The messages are LXD 5.0.2's, as measured (docs/lxd.md and the ITs). */
class LxdErrorsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "404 | Instance not found                                   | NotFound",
      "404 | Image alias not found                                | NotFound",
      "404 | Storage pool volume not found                        | NotFound",
      "409 | Volume by that name already exists                   | AlreadyExists",
      "412 | ETag doesn't match: abc vs bogus                     | Conflict",
      "400 | Instance is running                                  | Conflict",
      "400 | Instance is not running                              | Conflict",
      "400 | The storage volume is still in use                   | Conflict",
      "400 | Failed creating instance record: Invalid value for a boolean \"sometimes\" | InvalidRequest",
      "500 | Invalid devices: Device validation failed for \"d1\": Missing device type in config | InvalidRequest",
      "500 | Failed add validation for device \"d2\": Missing source path | InvalidRequest",
      "500 | Failed to create file backed pool                    | OperationFailed",
  })
  void maps_a_synchronous_error(int status, String message, String expected) {
    ContainerRuntimeException e = LxdErrors.ofResponse("act", status, message);
    assertEquals(expected, e.getClass().getSimpleName());
    assertEquals(status, e.status());
    assertEquals(message, e.managerMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Failed creating instance record: Add instance info to the database: This \"instances\" entry already exists | AlreadyExists",
      "The instance is already running                                                     | Conflict",
      "The instance is already stopped                                                     | Conflict",
      "Failed shutting down instance, status is \"Running\": shutting down the container failed | OperationFailed",
      "Failed to start device \"sft-pv\": Failed mounting volume: Idmaps of container \"a\" and storage volume \"v\" are not identical | OperationFailed",
      "Failed creating instance record: Failed initialising instance: Failed getting root disk: No root device could be found | OperationFailed",
      "Failed creating instance record: Invalid value for a boolean \"sometimes\"           | InvalidRequest",
      "Failed to mount \"/x\": invalid argument                                            | OperationFailed",
  })
  void maps_a_failed_operation(String err, String expected) {
    ContainerRuntimeException e = LxdErrors.ofOperation("act", 400, err);
    assertEquals(expected, e.getClass().getSimpleName());
    assertEquals(err, e.managerMessage());
  }
}
