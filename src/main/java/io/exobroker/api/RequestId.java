package io.exobroker.api;

import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids: the broker's own id for every API request, in its audit line and its {@code X-Request-Id} response
 * header, and the check applied to an id a client sends in that header.
 *
 * <p>An id is 32 hex digits, shaped like a W3C trace id: 64 random bits drawn once per process (so two pods never
 * share an id) followed by a 64-bit counter passed through a bijective mix (so ids are unique within the process
 * and do not tell a caller how many requests the broker has served). No random draw per request: this runs on the
 * event loop for every request.
 *
 * <p>A client's own {@code X-Request-Id} is never used as the broker's id: a caller could otherwise make its lines
 * share an id with someone else's, and the id is what an investigator joins on. It is recorded next to it, as
 * {@code client_request_id}, when it is 1 to 64 characters of {@code A-Z a-z 0-9 - _ . :} (UUIDs, ingress-nginx and
 * Envoy ids, W3C trace ids), so a runtime's or an ingress's own logs can be joined to the audit trail; anything else
 * is recorded as {@code (invalid)}.
 *
 * <p>One per process, shared by every code path that answers API requests.
 */
@Singleton
final class RequestId {

    static final String HEADER = "X-Request-Id";
    static final String INVALID = "(invalid)";
    static final int MAX_CLIENT_ID = 64;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final long process;
    private final AtomicLong counter = new AtomicLong();

    RequestId() {
        this(new SecureRandom().nextLong());
    }

    RequestId(long process) {
        this.process = process;
    }

    String next() {
        char[] id = new char[32];
        hex(process, id, 0);
        hex(mix(counter.incrementAndGet()), id, 16);
        return new String(id);
    }

    /** A client's id as it is recorded: null when it sent none, itself when plausible, {@code (invalid)} otherwise. */
    static String fromClient(String header) {
        if (header == null) {
            return null;
        }
        if (header.isEmpty() || header.length() > MAX_CLIENT_ID) {
            return INVALID;
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!allowed) {
                return INVALID;
            }
        }
        return header;
    }

    /** SplitMix64's finaliser: a bijection on 64-bit values, so distinct counters give distinct ids. */
    static long mix(long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static void hex(long value, char[] into, int at) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
