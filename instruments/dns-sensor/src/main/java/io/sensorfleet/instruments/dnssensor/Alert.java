package io.sensorfleet.instruments.dnssensor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * An alert published on {@code alerts.dns} for the users' audience when a ruleset matches a name, e.g.
 * {@code {"ts":"...","severity":2,"rule":"*.evil.example","ruleset":"demo","ruleset_version":3,
 * "qname":"malware.evil.example","client":"192.0.2.10","kind":"query"}}.
 *
 * @param rule the pattern that matched
 * @param kind whether the name was seen in a {@code query} or a {@code response}
 */
public record Alert(
    Instant ts,
    int severity,
    String rule,
    String ruleset,
    @JsonProperty("ruleset_version") long rulesetVersion,
    String qname,
    String client,
    String kind) {}
