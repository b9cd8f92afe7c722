package io.sensorfleet.capture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The engine on real veths in network namespaces of its own (see {@link NetLab}): three mirror ports, a
 * generator writing into the capture interface, a receiver behind each port.
 */
class MirrorTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static NetLab lab;
  static ActorSystem system;
  static CaptureSettings settings;

  NetLab.RawSocket gen;
  final List<NetLab.RawSocket> rx = new ArrayList<>();
  final List<List<byte[]>> got = new ArrayList<>();
  CaptureEngine engine;
  String marker;
  long sent;

  @BeforeAll
  static void topology() {
    lab = NetLab.create(3);
    system = ActorSystem.create("capture-test", ConfigFactory.parseMap(Map.of(
        "sensor.capture.ring.block-count", 32, "pekko.loglevel", "WARNING")).withFallback(ConfigFactory.load()));
    settings = CaptureSettings.from(system.settings().config());
  }

  @AfterAll
  static void teardown() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (lab != null) {
      lab.close();
    }
  }

  @BeforeEach
  void sockets(TestInfo info) {
    marker = String.format("t%07x", info.getDisplayName().hashCode() & 0xfffffff);
    gen = lab.generator();
    for (int i = 1; i <= 3; i++) {
      rx.add(lab.receiver(i));
      got.add(new ArrayList<>());
    }
  }

  @AfterEach
  void close() throws Exception {
    if (engine != null) {
      engine.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    gen.close();
    rx.forEach(NetLab.RawSocket::close);
  }

  @Test
  void frames_arrive_bit_exact_on_every_port() {
    engine = CaptureEngine.start(lab.wire(), settings, system);
    for (int i = 1; i <= 3; i++) {
      engine.attach(lab.port(i), Optional.empty());
    }
    primed();
    List<byte[]> frames = new ArrayList<>();
    for (int k = 0; k < 600; k++) {
      frames.add(NetLab.Frames.udp(marker, k, 5000 + k % 3, 60 + (k * 37) % 1455));
    }
    send(frames);
    for (int i = 0; i < 3; i++) {
      int port = i;
      await().atMost(WAIT).alias("port " + (port + 1) + " " + engine.stats())
          .until(() -> received(port).size() >= frames.size());
      List<byte[]> r = received(port);
      assertEquals(frames.size(), r.size(), "frames on port " + (port + 1));
      for (int k = 0; k < frames.size(); k++) {
        assertArrayEquals(frames.get(k), r.get(k), "frame " + k + " on port " + (port + 1));
      }
    }
    CaptureStats s = engine.stats();
    s.ports().forEach(p -> {
      assertEquals(0, p.dropped(), p.port());
      assertTrue(p.delivered() >= frames.size(), p.port());
    });
  }

  @Test
  void a_port_gets_only_frames_that_match_its_filter() {
    engine = CaptureEngine.start(lab.wire(), settings, system);
    engine.attach(lab.port(1), Optional.of("udp dst port 5000"));
    engine.attach(lab.port(2), Optional.of("udp dst port 5001 or udp dst port 5002"));
    engine.attach(lab.port(3), Optional.empty());
    primed();
    List<byte[]> frames = new ArrayList<>();
    for (int k = 0; k < 300; k++) {
      frames.add(NetLab.Frames.udp(marker, k, 5000 + k % 3, 100));
    }
    send(frames);
    await().atMost(WAIT).until(() -> received(2).size() >= 300);
    await().atMost(WAIT).until(() -> received(0).size() >= 100 && received(1).size() >= 200);
    assertEquals(frames.stream().filter(f -> port(f) == 5000).toList().size(), received(0).size());
    assertTrue(received(0).stream().allMatch(f -> port(f) == 5000));
    assertEquals(200, received(1).size());
    assertTrue(received(1).stream().allMatch(f -> port(f) != 5000));
    PortStats p1 = engine.stats().ports().get(0);
    assertTrue(p1.filtered() >= 200, "filtered on port 1: " + p1);
  }

  @Test
  void an_invalid_filter_is_refused_with_libpcaps_own_message() {
    engine = CaptureEngine.start(lab.wire(), settings, system);
    InvalidFilterException e = assertThrows(InvalidFilterException.class,
        () -> engine.attach(lab.port(1), Optional.of("udp dst port 5000 and")));
    assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
    assertTrue(engine.stats().ports().isEmpty());
  }

  @Test
  void a_port_detached_mid_stream_does_not_disturb_the_others() throws Exception {
    engine = CaptureEngine.start(lab.wire(), settings, system);
    for (int i = 1; i <= 3; i++) {
      engine.attach(lab.port(i), Optional.empty());
    }
    primed();
    List<byte[]> first = new ArrayList<>();
    List<byte[]> second = new ArrayList<>();
    for (int k = 0; k < 400; k++) {
      (k < 200 ? first : second).add(NetLab.Frames.udp(marker, k, 5000, 200));
    }
    send(first);
    await().atMost(WAIT).until(() -> received(1).size() >= 200);
    PortStats detached = engine.detach(lab.port(2)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(detached.delivered() >= 200, "its counters are final: " + detached); // + unmarked priming frames
    send(second);
    await().atMost(WAIT).until(() -> received(0).size() >= 400 && received(2).size() >= 400);
    assertEquals(400, received(0).size());
    assertEquals(400, received(2).size());
    assertEquals(200, received(1).size(), "the detached port got nothing more");
    assertEquals(List.of(lab.port(1), lab.port(3)), engine.stats().ports().stream().map(PortStats::port).toList());
  }

  @Test
  void a_stalled_port_loses_only_its_own_frames() throws Exception {
    // Port 1's consumer takes ~12 frames of 1000 B per second (tbf); the qdisc must apply, so no bypass here.
    NetLab.run("tc", "qdisc", "add", "dev", lab.port(1), "root", "tbf", "rate", "100kbit", "burst", "1600",
        "limit", "3000");
    try {
      engine = CaptureEngine.start(lab.wire(), settings.withQdiscBypass(false), system);
      for (int i = 1; i <= 3; i++) {
        engine.attach(lab.port(i), Optional.empty());
      }
      primed();
      List<byte[]> frames = new ArrayList<>();
      for (int k = 0; k < 2000; k++) {
        frames.add(NetLab.Frames.udp(marker, k, 5000, 1000));
      }
      send(frames);
      await().atMost(WAIT).until(() -> received(1).size() >= 2000 && received(2).size() >= 2000);
      assertEquals(2000, received(1).size());
      assertEquals(2000, received(2).size());
      await().atMost(WAIT).until(() -> {
        PortStats p = engine.stats().ports().get(0);
        return p.delivered() + p.dropped() >= 2000;
      });
      PortStats stalled = engine.stats().ports().get(0);
      assertTrue(stalled.dropped() > 1000, "the stalled port dropped most: " + stalled);
      assertTrue(received(0).size() < 100, "the stalled port's consumer got little: " + received(0).size());
      engine.stats().ports().subList(1, 3).forEach(p -> assertEquals(0, p.dropped(), p.port()));
    } finally {
      NetLab.run("tc", "qdisc", "del", "dev", lab.port(1), "root");
    }
  }

  @Test
  void vlan_tags_the_kernel_took_out_are_back_in_the_mirrored_frames() throws Exception {
    // This kernel has no 802.1Q module (no VLAN interfaces), so consumer 1 reads with a TPACKET_V3 ring of its own,
    // which reports each frame's tag as the kernel took it out on arrival: it must be the tag that was sent.
    engine = CaptureEngine.start(lab.wire(), settings, system);
    engine.attach(lab.port(1), Optional.empty());
    primed();
    try (PacketRing ring = lab.ringIn("c1", lab.peer(1), settings)) {
      List<byte[]> untagged = new ArrayList<>();
      List<byte[]> tagged = new ArrayList<>();
      for (int k = 0; k < 100; k++) {
        byte[] f = NetLab.Frames.udp(marker, k, 5000, 60 + k * 13);
        untagged.add(f);
        // 802.1Q after the MACs: TPID 0x8100, TCI priority 5, VLAN 10
        byte[] t = new byte[f.length + 4];
        System.arraycopy(f, 0, t, 0, 12);
        t[12] = (byte) 0x81;
        t[14] = (byte) 0xa0;
        t[15] = 10;
        System.arraycopy(f, 12, t, 16, f.length - 12);
        tagged.add(t);
      }
      send(tagged);
      List<byte[]> frames = new ArrayList<>();
      List<Integer> tags = new ArrayList<>();
      await().atMost(WAIT).alias("tagged frames on port 1 " + engine.stats()).until(() -> {
        PacketBatch b = ring.next(10);
        for (int i = 0; b != null && i < b.count(); i++) {
          if (NetLab.Frames.ours(b.frame(i), marker)) {
            frames.add(b.frame(i));
            tags.add(b.vlan(i));
          }
        }
        return frames.size() >= untagged.size();
      });
      for (int k = 0; k < untagged.size(); k++) {
        assertArrayEquals(untagged.get(k), frames.get(k), "frame " + k + " without its tag");
        assertEquals(0x8100a00a, (int) tags.get(k), "frame " + k + "'s tag");
      }
      PortStats p = engine.stats().ports().get(0);
      assertTrue(p.bytes() >= tagged.stream().mapToLong(f -> f.length).sum(), "bytes count the tags: " + p);
    }
  }

  /**
   * A branch joins the hub asynchronously: frames in the first moments after {@code attach} returns may not
   * reach it. Send unmarked frames until every port's branch has seen one (delivered or filtered).
   */
  private void primed() {
    byte[] prime = NetLab.Frames.udp("prime", 0, 9, 60);
    await().atMost(WAIT).until(() -> {
      gen.send(prime);
      sent++;
      return engine.stats().ports().stream().allMatch(p -> p.delivered() + p.filtered() + p.dropped() > 0);
    });
  }

  /** Sends in bursts of 50 and waits until the engine has read each burst: a rate every port can take. */
  private void send(List<byte[]> frames) {
    for (int k = 0; k < frames.size(); k++) {
      gen.send(frames.get(k));
      sent++;
      if (k % 50 == 49 || k == frames.size() - 1) {
        long target = sent;
        await().atMost(WAIT).until(() -> engine.stats().rx() >= target);
      }
    }
  }

  private List<byte[]> received(int i) {
    for (byte[] f : rx.get(i).drain()) {
      if (NetLab.Frames.ours(f, marker)) {
        got.get(i).add(f);
      }
    }
    return got.get(i);
  }

  private static int port(byte[] f) {
    return ((f[36] & 0xff) << 8) | (f[37] & 0xff);
  }
}
