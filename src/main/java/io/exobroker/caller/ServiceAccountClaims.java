package io.exobroker.caller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which caller each Kubernetes service account authenticates as. An account claimed by two or more caller records is
 * contested and authenticates as none of them: picking one would hand a caller's tokens to whoever wrote the other
 * record, and which one wins would depend on store order. The stores report contested accounts as record problems.
 */
public final class ServiceAccountClaims {

    private final Map<ServiceAccount, Caller> owners;
    private final Map<ServiceAccount, List<String>> contested;

    private ServiceAccountClaims(Map<ServiceAccount, Caller> owners, Map<ServiceAccount, List<String>> contested) {
        this.owners = owners;
        this.contested = contested;
    }

    public static ServiceAccountClaims of(Collection<Caller> callers) {
        Map<ServiceAccount, List<Caller>> claims = new HashMap<>();
        for (Caller caller : callers) {
            for (ServiceAccount account : caller.serviceAccounts()) {
                claims.computeIfAbsent(account, key -> new ArrayList<>()).add(caller);
            }
        }
        Map<ServiceAccount, Caller> owners = new HashMap<>();
        Map<ServiceAccount, List<String>> contested = new TreeMap<>(
                (a, b) -> a.toString().compareTo(b.toString()));
        claims.forEach((account, claimants) -> {
            if (claimants.size() == 1) {
                owners.put(account, claimants.get(0));
            } else {
                contested.put(account, claimants.stream().map(Caller::id).sorted().toList());
            }
        });
        return new ServiceAccountClaims(Map.copyOf(owners), contested);
    }

    /** The one caller that claims the account; empty when none does or several do. */
    public Optional<Caller> owner(ServiceAccount account) {
        return Optional.ofNullable(owners.get(account));
    }

    public boolean isContested(ServiceAccount account) {
        return contested.containsKey(account);
    }

    /** Accounts claimed by more than one caller, with the ids of the callers claiming each, sorted. */
    public Map<ServiceAccount, List<String>> contested() {
        return Collections.unmodifiableMap(contested);
    }
}
