package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** The registry's and the Instrument's refusals, as they word them, become the right status. */
class GuardianFleetTest {

  private static Throwable refused(String message) {
    return GuardianFleet.classify(new CompletionException(StatusReply.error(message).getError()));
  }

  @Test
  void an_id_the_registry_does_not_know_is_404() {
    assertInstanceOf(ApiException.NotFound.class, refused("unknown instrument ids"));
  }

  @Test
  void an_instrument_that_is_not_installed_is_404() {
    assertInstanceOf(ApiException.NotFound.class, refused("ids: not installed"));
  }

  @Test
  void a_missing_configuration_version_is_404() {
    assertInstanceOf(ApiException.NotFound.class, refused("ids: no configuration version 7"));
  }

  @Test
  void refusals_by_state_are_409_with_the_actors_message() {
    Throwable e = refused("ids is already installed");
    assertInstanceOf(ApiException.Conflict.class, e);
    assertEquals("ids is already installed", e.getMessage());
    assertInstanceOf(ApiException.Conflict.class, refused("ids: bridge br-lan is not allowed on this sensor"));
  }

  @Test
  void timeouts_pass_through_for_the_503() {
    var timeout = new TimeoutException("ask timed out");
    assertSame(timeout, GuardianFleet.classify(timeout));
  }
}
