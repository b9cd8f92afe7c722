package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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

  static final PeerCheck IDS_PROXY = PeerCheck.lxdProxy("sf-ids",
      pid -> pid == 5529 ? "0::/lxc.payload.sf-ids\n" : pid == 6000 ? "0::/lxc.payload.sf-dns\n" : "");

  static PeerIdentity forkproxy(long uid, String... args) {
    return new PeerIdentity(5550, uid, uid, "0::/\n", List.of(args));
  }

  @Test
  void accepts_lxds_forkproxy_listening_in_the_container() {
    assertEquals(Optional.empty(), IDS_PROXY.refusal(forkproxy(0, "/usr/bin/lxd", "forkproxy", "--", "5529", "3",
        "tcp:127.0.0.1:7070", "4072", "4", "unix:/run/sensorfleet/ids/bus.sock")));
  }

  @Test
  void refuses_a_forkproxy_listening_in_another_container() {
    Optional<String> refusal = IDS_PROXY.refusal(forkproxy(0, "/usr/bin/lxd", "forkproxy", "--", "6000", "3",
        "tcp:127.0.0.1:7070"));
    assertTrue(refusal.orElseThrow().contains("lxc.payload.sf-dns"), refusal.orElseThrow());
  }

  @Test
  void refuses_a_process_that_only_names_itself_forkproxy_without_being_root() {
    assertTrue(IDS_PROXY.refusal(forkproxy(1001000, "/usr/bin/lxd", "forkproxy", "--", "5529")).isPresent());
  }

  @Test
  void refuses_a_root_process_that_is_not_a_forkproxy() {
    assertTrue(IDS_PROXY.refusal(forkproxy(0, "/usr/bin/socat", "-", "UNIX-CONNECT:bus.sock")).isPresent());
  }

  @Test
  void either_check_may_accept_and_both_reasons_are_given_when_neither_does() {
    PeerCheck either = IDS.or(IDS_PROXY);
    assertEquals(Optional.empty(), either.refusal(peer("0::/lxc.payload.sf-ids\n")));
    String refusal = either.refusal(peer("0::/lxc.payload.sf-dns\n")).orElseThrow();
    assertTrue(refusal.contains("another container") && refusal.contains("forkproxy"), refusal);
  }
}
