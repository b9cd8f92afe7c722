package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerCheckTest {

  static final PeerCheck IDS = PeerCheck.lxdContainer("sf-ids");

  static PeerIdentity peer(String cgroup) {
    return new PeerIdentity(4242, 1001000, 1001000, cgroup);
  }

  @Test
  void accepts_a_process_in_the_containers_cgroup_v1() {
    assertEquals(Optional.empty(), IDS.refusal(peer("""
        12:memory:/lxc.payload.sf-ids
        11:pids:/lxc.payload.sf-ids
        1:name=systemd:/lxc.payload.sf-ids/init.scope
        0::/lxc.payload.sf-ids
        """)));
  }

  @Test
  void accepts_a_process_in_the_containers_cgroup_v2() {
    assertEquals(Optional.empty(), IDS.refusal(peer("0::/lxc.payload.sf-ids/system.slice/sensor.service\n")));
  }

  @Test
  void refuses_a_container_whose_name_starts_with_the_expected_one() {
    assertTrue(IDS.refusal(peer("0::/lxc.payload.sf-ids2\n")).isPresent());
  }

  @Test
  void refuses_a_process_of_another_container() {
    Optional<String> refusal = IDS.refusal(peer("4:memory:/lxc.payload.sf-dns\n0::/lxc.payload.sf-dns\n"));
    assertTrue(refusal.orElseThrow().contains("lxc.payload.sf-dns"), refusal.orElseThrow());
  }

  @Test
  void refuses_a_process_that_names_two_containers() {
    assertTrue(IDS.refusal(peer("4:memory:/lxc.payload.sf-ids\n0::/lxc.payload.sf-dns\n")).isPresent());
  }

  @Test
  void refuses_a_host_process() {
    assertTrue(IDS.refusal(peer("4:memory:/process_api/902c\n0::/\n")).isPresent());
  }

  @Test
  void refuses_a_process_whose_cgroup_could_not_be_read() {
    assertTrue(IDS.refusal(peer("")).isPresent());
  }

  @Test
  void and_refuses_when_either_check_refuses() {
    PeerCheck both = IDS.and(PeerCheck.uid(1001000));
    assertEquals(Optional.empty(), both.refusal(peer("0::/lxc.payload.sf-ids\n")));
    assertTrue(IDS.and(PeerCheck.uid(0)).refusal(peer("0::/lxc.payload.sf-ids\n")).isPresent());
  }
}
