package io.exobroker.caller;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Kubernetes service account, {@code <namespace>/<name>}: what a projected service-account token proves and what a
 * caller record's {@code service_accounts} lists. Names follow Kubernetes' own rules (a namespace is a DNS-1123 label,
 * a service account a DNS-1123 subdomain), so a value that passed here is safe in log lines and error details.
 */
public record ServiceAccount(String namespace, String name) {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final String USERNAME_PREFIX = "system:serviceaccount:";

    public ServiceAccount {
        if (namespace == null || !LABEL.matcher(namespace).matches()) {
            throw new IllegalArgumentException("a namespace must be a DNS-1123 label");
        }
        if (name == null || !SUBDOMAIN.matcher(name).matches()) {
            throw new IllegalArgumentException("a service account name must be a DNS-1123 subdomain");
        }
    }

    /** {@code <namespace>/<name>}, as caller records write it; empty when the text is not one. */
    public static Optional<ServiceAccount> parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        return of(text.substring(0, slash), text.substring(slash + 1));
    }

    /** The Kubernetes username of a service account, {@code system:serviceaccount:<namespace>:<name>}. */
    public static Optional<ServiceAccount> fromUsername(String username) {
        if (username == null || !username.startsWith(USERNAME_PREFIX)) {
            return Optional.empty();
        }
        String rest = username.substring(USERNAME_PREFIX.length());
        int colon = rest.indexOf(':');
        return colon < 0 ? Optional.empty() : of(rest.substring(0, colon), rest.substring(colon + 1));
    }

    /** The account with these names, or empty when either breaks Kubernetes' naming rules. */
    public static Optional<ServiceAccount> of(String namespace, String name) {
        if (namespace == null || name == null || !LABEL.matcher(namespace).matches() || !SUBDOMAIN.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of(new ServiceAccount(namespace, name));
    }

    public String username() {
        return USERNAME_PREFIX + namespace + ":" + name;
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
