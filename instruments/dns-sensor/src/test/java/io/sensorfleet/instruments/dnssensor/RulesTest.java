package io.sensorfleet.instruments.dnssensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sensorfleet.instruments.support.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesTest {

  final Rules rules = new Rules();

  static Ruleset parse(String json) {
    return Ruleset.parse(Json.read(io.sensorfleet.core.protocol.RawJson.of(json)));
  }

  @Test
  void a_star_matches_any_subdomain_but_not_the_domain_itself() {
    rules.apply(new Ruleset("demo", 1, List.of("*.evil.example")));

    assertEquals(List.of(new Rules.Match("demo", 1, "*.evil.example")), rules.matches("malware.evil.example"));
    assertEquals(1, rules.matches("c2.beacon.evil.example").size());
    assertEquals(List.of(), rules.matches("evil.example"));
    assertEquals(List.of(), rules.matches("evil.example.org"));
  }

  @Test
  void patterns_are_compared_without_case_or_trailing_dot() {
    rules.apply(parse("{\"ruleset\":\"demo\",\"version\":1,\"patterns\":[\"BAD.Test.\"]}"));

    assertEquals(1, rules.matches("bad.test").size());
  }

  @Test
  void dots_in_patterns_are_literal() {
    rules.apply(new Ruleset("demo", 1, List.of("bad.test")));

    assertEquals(List.of(), rules.matches("badxtest"));
  }

  @Test
  void a_newer_version_replaces_the_ruleset_as_a_whole() {
    rules.apply(new Ruleset("demo", 1, List.of("a.test", "b.test")));
    assertEquals(Rules.Outcome.APPLIED, rules.apply(new Ruleset("demo", 2, List.of("c.test"))));

    assertEquals(List.of(), rules.matches("a.test"));
    assertEquals(1, rules.matches("c.test").size());
    assertEquals(Map.of("demo", 2L), rules.versions());
  }

  @Test
  void an_older_version_is_ignored() {
    rules.apply(new Ruleset("demo", 5, List.of("a.test")));

    assertEquals(Rules.Outcome.STALE, rules.apply(new Ruleset("demo", 4, List.of("b.test"))));
    assertEquals(1, rules.matches("a.test").size());
  }

  @Test
  void the_same_version_again_changes_nothing() {
    rules.apply(new Ruleset("demo", 5, List.of("a.test")));

    assertEquals(Rules.Outcome.UNCHANGED, rules.apply(new Ruleset("demo", 5, List.of("a.test"))));
  }

  @Test
  void an_empty_ruleset_withdraws_it() {
    rules.apply(new Ruleset("demo", 1, List.of("a.test")));

    assertEquals(Rules.Outcome.WITHDRAWN, rules.apply(new Ruleset("demo", 2, List.of())));
    assertEquals(Map.of(), rules.versions());
  }

  @Test
  void each_matching_ruleset_reports_its_first_matching_pattern() {
    rules.apply(new Ruleset("one", 1, List.of("x.test", "*.test")));
    rules.apply(new Ruleset("two", 3, List.of("*")));

    assertEquals(List.of(new Rules.Match("one", 1, "*.test"), new Rules.Match("two", 3, "*")),
        rules.matches("y.test"));
  }

  @Test
  void refuses_malformed_rulesets_with_a_reason() {
    assertEquals("unknown field 'pattern'; known: ruleset, version, patterns",
        assertThrows(IllegalArgumentException.class,
            () -> parse("{\"ruleset\":\"d\",\"version\":1,\"pattern\":[]}")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> parse("{\"ruleset\":\"d\",\"version\":-1,\"patterns\":[]}"));
    assertThrows(IllegalArgumentException.class, () -> parse("{\"ruleset\":\"d\",\"version\":1.5,\"patterns\":[]}"));
    assertThrows(IllegalArgumentException.class, () -> parse("{\"ruleset\":\"\",\"version\":1,\"patterns\":[]}"));
    assertThrows(IllegalArgumentException.class, () -> parse("{\"ruleset\":\"d\",\"version\":1,\"patterns\":[1]}"));
    assertThrows(IllegalArgumentException.class,
        () -> parse("{\"ruleset\":\"d\",\"version\":1,\"patterns\":[\"a b.test\"]}"));
    assertThrows(IllegalArgumentException.class, () -> parse("[1]"));
  }
}
