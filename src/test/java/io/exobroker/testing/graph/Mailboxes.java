package io.exobroker.testing.graph;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tenant's users as Exchange Online sees them, and the Exchange role assignments of applications. A user either
 * has a mailbox (with some messages) or does not (a directory user without an Exchange licence). Users are found by
 * address (user principal name or primary SMTP address, case-insensitively) or by object id.
 */
final class Mailboxes {

    /** @param messageIds empty for a user without mailbox, or a mailbox with no message */
    record User(String id, String address, boolean hasMailbox, List<String> messageIds) {
        User {
            messageIds = List.copyOf(messageIds);
        }
    }

    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final List<ExchangeRoleAssignment> assignments = new CopyOnWriteArrayList<>();

    User addMailbox(String address, int messages) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            ids.add(messageId());
        }
        return add(new User(UUID.randomUUID().toString(), address, true, ids));
    }

    User addUserWithoutMailbox(String address) {
        return add(new User(UUID.randomUUID().toString(), address, false, List.of()));
    }

    Optional<User> find(String addressOrId) {
        String key = addressOrId.toLowerCase(Locale.ROOT);
        User byAddress = users.get(key);
        if (byAddress != null) {
            return Optional.of(byAddress);
        }
        return users.values().stream().filter(user -> user.id().equalsIgnoreCase(addressOrId)).findFirst();
    }

    void assign(ExchangeRoleAssignment assignment) {
        assignments.add(assignment);
    }

    void removeAssignments(String appId) {
        assignments.removeIf(assignment -> assignment.appId().equalsIgnoreCase(appId));
    }

    List<ExchangeRoleAssignment> assignments() {
        return List.copyOf(assignments);
    }

    private User add(User user) {
        users.put(user.address().toLowerCase(Locale.ROOT), user);
        return user;
    }

    /** Shaped like an Exchange item id (base64 of an opaque entry id), unique per message. */
    private static String messageId() {
        byte[] entry = ("AAMkAD" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
        return "AAMk" + Base64.getUrlEncoder().withoutPadding().encodeToString(entry);
    }
}
