package io.sensorfleet.core.permission;

import io.sensorfleet.core.InstrumentId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which Instrument may do what on the bus: a set of operator {@link Grant}s and a pure, default-deny decision
 * over them. Anything no grant covers is denied, including an Instrument sending to itself.
 *
 * <p>Immutable: {@link #withGrant} and {@link #withoutGrant} return new policies, so the actor holding the
 * current policy can swap it atomically and the journal can record each version. Grants are kept sorted and
 * without duplicates, so two policies with the same grants are equal and serialize to the same JSON
 * ({@code {"grants":[{"subject":"ids","action":"publish","object":"alerts"}]}}).
 *
 * <p>{@link #decide} is meant for untrusted input (names an Instrument put on the bus): it never throws for a
 * malformed name, it denies.
 */
public record PermissionPolicy(List<Grant> grants) {

  private static final PermissionPolicy EMPTY = new PermissionPolicy(List.of());

  public PermissionPolicy {
    Objects.requireNonNull(grants, "grants");
    grants = List.copyOf(new TreeSet<>(grants));
  }

  /** The policy that denies everything. */
  public static PermissionPolicy empty() {
    return EMPTY;
  }

  /** A policy with exactly {@code grants} (duplicates collapse). */
  public static PermissionPolicy of(Collection<Grant> grants) {
    return new PermissionPolicy(List.copyOf(grants));
  }

  /** A policy with exactly {@code grants} (duplicates collapse). */
  public static PermissionPolicy of(Grant... grants) {
    return new PermissionPolicy(List.of(grants));
  }

  /**
   * Decides whether {@code from} may perform {@code kind} on {@code to}: an Instrument id for
   * {@link Action#SEND}, a topic name for {@link Action#PUBLISH}/{@link Action#SUBSCRIBE}, a resource name for
   * {@link Action#RECEIVE_RESOURCE}. A malformed {@code to} is denied, never matched by a wildcard.
   */
  public Decision decide(InstrumentId from, String to, Action kind) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(kind, "kind");
    var problem = kind.objectProblem(to);
    if (problem.isPresent()) {
      return Decision.deny("denied: " + problem.get());
    }
    Grant wildcard = null;
    for (Grant grant : grants) {
      if (grant.covers(from, to, kind)) {
        if (!grant.isWildcard()) {
          return Decision.allow(grant);
        }
        wildcard = grant;
      }
    }
    if (wildcard != null) {
      return Decision.allow(wildcard);
    }
    String self = kind == Action.SEND && to.equals(from.value()) ? "; sending to itself needs its own grant" : "";
    return Decision.deny("no grant lets " + from + " " + kind.describe(to) + " (default deny" + self + ")");
  }

  /**
   * {@code decide(from, to, kind).allowed()} without putting the decision into words: the bus's check of every
   * message, which calls {@link #decide} only to explain a denial.
   */
  public boolean allows(InstrumentId from, String to, Action kind) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(kind, "kind");
    if (kind.objectProblem(to).isPresent()) {
      return false;
    }
    for (Grant grant : grants) {
      if (grant.covers(from, to, kind)) {
        return true;
      }
    }
    return false;
  }

  /** {@link #decide} for a direct message to {@code to}. */
  public Decision decideSend(InstrumentId from, InstrumentId to) {
    return decide(from, to.value(), Action.SEND);
  }

  /** This policy plus {@code grant} (the same policy if it is already there). */
  public PermissionPolicy withGrant(Grant grant) {
    Objects.requireNonNull(grant, "grant");
    if (grants.contains(grant)) {
      return this;
    }
    var more = new ArrayList<>(grants);
    more.add(grant);
    return new PermissionPolicy(more);
  }

  /**
   * This policy without {@code grant} (the same policy if it was not there). Removing a wildcard grant does not
   * remove concrete grants it overlapped, and vice versa: each grant is revoked on its own.
   */
  public PermissionPolicy withoutGrant(Grant grant) {
    Objects.requireNonNull(grant, "grant");
    if (!grants.contains(grant)) {
      return this;
    }
    var fewer = new ArrayList<>(grants);
    fewer.remove(grant);
    return new PermissionPolicy(fewer);
  }

  /**
   * This policy without any grant for or to {@code instrument}: its own grants and every {@code send} to it. Used
   * when an Instrument is removed, so that a new Instrument installed later under the same id inherits nothing.
   */
  public PermissionPolicy withoutInstrument(InstrumentId instrument) {
    Objects.requireNonNull(instrument, "instrument");
    return new PermissionPolicy(grants.stream()
        .filter(g -> !g.subject().equals(instrument))
        .filter(g -> !(g.action() == Action.SEND && g.object().equals(instrument.value())))
        .toList());
  }

  /** The grants whose subject is {@code subject}, sorted. */
  public List<Grant> grantsFor(InstrumentId subject) {
    return grants.stream().filter(g -> g.subject().equals(subject)).toList();
  }
}
