package io.exobroker.caller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The callers of one store snapshot, indexed the ways they authenticate: by API key digest and by Kubernetes service
 * account. A key digest or an account that two or more records claim is contested and authenticates as none of them:
 * which record "won" would otherwise depend on store order, and one record's author would get the other's tokens.
 * Built once per snapshot; the stores report {@link #contested()} as record problems.
 */
public final class CallerIndex {

    public static final CallerIndex EMPTY = of(List.of());

    /** What two caller records may claim at once. */
    public enum Claim {
        API_KEY, SERVICE_ACCOUNT
    }

    /**
     * One record's share of a contested claim.
     *
     * @param message what is claimed twice and by whom else, never the key or its digest
     */
    public record Contested(String callerId, Claim claim, String message) {
    }

    private final Map<String, Caller> byId;
    private final ServiceAccountClaims serviceAccounts;
    private final List<Contested> contested;

    private CallerIndex(Map<String, Caller> byId, ServiceAccountClaims serviceAccounts, List<Contested> contested) {
        this.byId = byId;
        this.serviceAccounts = serviceAccounts;
        this.contested = contested;
    }

    /** @throws IllegalArgumentException when two callers have one id: a store keeps one record per id */
    public static CallerIndex of(Collection<Caller> callers) {
        Map<String, Caller> byId = new LinkedHashMap<>();
        for (Caller caller : callers) {
            if (byId.putIfAbsent(caller.id(), caller) != null) {
                throw new IllegalArgumentException("two callers with the id " + caller.id());
            }
        }
        ServiceAccountClaims serviceAccounts = ServiceAccountClaims.of(byId.values());
        List<Contested> contested = new ArrayList<>();
        serviceAccounts.contested().forEach((account, callerIds) -> eachClaimant(callerIds, Claim.SERVICE_ACCOUNT,
                others -> "service account " + account + " is also claimed by caller " + others
                        + "; it authenticates as none of them until only one record claims it", contested));
        sharedApiKeys(byId.values()).forEach(callerIds -> eachClaimant(callerIds, Claim.API_KEY,
                others -> "the same API key as caller " + others
                        + "; the key authenticates as none of them until only one record has it", contested));
        return new CallerIndex(Collections.unmodifiableMap(byId), serviceAccounts, List.copyOf(contested));
    }

    public Map<String, Caller> byId() {
        return byId;
    }

    /**
     * The one caller whose key has this digest; empty when none or several do. Compares with every caller's digest in
     * constant time and visits all of them, so neither the comparison nor the number of callers checked tells an
     * attacker anything about the key.
     */
    public Optional<Caller> withKeyDigest(byte[] digest) {
        Caller match = null;
        int matches = 0;
        for (Caller caller : byId.values()) {
            if (caller.hasKeyDigest(digest)) {
                match = caller;
                matches++;
            }
        }
        return matches == 1 ? Optional.of(match) : Optional.empty();
    }

    /**
     * Whether any caller's key has this digest, a key two records share included (which authenticates as neither, but
     * is a key all the same): for keeping a key a caller pasted into the wrong field out of the logs.
     */
    public boolean isKeyDigestOfAnyCaller(byte[] digest) {
        boolean any = false;
        for (Caller caller : byId.values()) {
            any |= caller.hasKeyDigest(digest);
        }
        return any;
    }

    /** Which caller each service account authenticates as. */
    public ServiceAccountClaims serviceAccounts() {
        return serviceAccounts;
    }

    /** One entry per record that claims what another also claims: contested accounts first, then shared keys. */
    public List<Contested> contested() {
        return contested;
    }

    /** One entry per claiming record, naming the other claimants (sorted ids, so an entry reads the same each time). */
    private static void eachClaimant(List<String> callerIds, Claim claim, UnaryOperator<String> message,
                                     List<Contested> contested) {
        for (String callerId : callerIds) {
            String others = String.join(", ", callerIds.stream().filter(id -> !id.equals(callerId)).toList());
            contested.add(new Contested(callerId, claim, message.apply(others)));
        }
    }

    /** The ids (sorted) of the callers sharing each API key digest that more than one caller has, by digest. */
    private static List<List<String>> sharedApiKeys(Collection<Caller> callers) {
        Map<String, List<String>> byDigest = new TreeMap<>();
        for (Caller caller : callers) {
            if (caller.apiKeySha256Hex() != null) {
                byDigest.computeIfAbsent(caller.apiKeySha256Hex(), digest -> new ArrayList<>()).add(caller.id());
            }
        }
        return byDigest.values().stream().filter(ids -> ids.size() > 1).map(ids -> ids.stream().sorted().toList()).toList();
    }
}
