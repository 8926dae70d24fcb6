package io.exobroker.testing.entra;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** What the emulator has seen and done, kept for test assertions. Lock-free so it never serialises requests. */
final class Observations {

    private final AtomicInteger tokenCalls = new AtomicInteger();
    private final AtomicInteger successfulTokenCalls = new AtomicInteger();
    private final Map<String, AtomicInteger> tokenCallsByClient = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> issuedTokens = new ConcurrentLinkedQueue<>();
    private final Map<String, TokenGrant> grantsByToken = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> unexpectedRequests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<TokenGrant> grants = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> outboundRequests = new ConcurrentLinkedQueue<>();

    void request(RecordedRequest request) {
        requests.add(request);
    }

    void unexpected(RecordedRequest request) {
        unexpectedRequests.add(request.requestLine());
    }

    /** @param clientId as sent; {@code null} when the request named no client */
    void tokenCall(String tenantId, String clientId) {
        tokenCalls.incrementAndGet();
        String client = clientId == null ? "" : clientId;
        tokenCallsByClient.computeIfAbsent(Directory.key(tenantId, client), key -> new AtomicInteger())
                .incrementAndGet();
    }

    void tokenIssued(String accessToken, TokenGrant grant) {
        successfulTokenCalls.incrementAndGet();
        issuedTokens.add(accessToken);
        grants.add(grant);
        grantsByToken.put(accessToken, grant);
    }

    /** {@code GET url} of a request the emulator itself made (issuer metadata of federated credentials). */
    void outboundRequest(String requestLine) {
        outboundRequests.add(requestLine);
    }

    Optional<TokenGrant> grantOf(String accessToken) {
        return Optional.ofNullable(grantsByToken.get(accessToken));
    }

    List<TokenGrant> grants() {
        return List.copyOf(grants);
    }

    List<String> outboundRequests() {
        return List.copyOf(outboundRequests);
    }

    int tokenCalls() {
        return tokenCalls.get();
    }

    int tokenCalls(String tenantId, String clientId) {
        AtomicInteger calls = tokenCallsByClient.get(Directory.key(tenantId, clientId));
        return calls == null ? 0 : calls.get();
    }

    int successfulTokenCalls() {
        return successfulTokenCalls.get();
    }

    List<String> issuedTokens() {
        return List.copyOf(issuedTokens);
    }

    List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    List<String> unexpectedRequests() {
        return List.copyOf(unexpectedRequests);
    }

    void reset() {
        tokenCalls.set(0);
        successfulTokenCalls.set(0);
        tokenCallsByClient.clear();
        issuedTokens.clear();
        grantsByToken.clear();
        requests.clear();
        unexpectedRequests.clear();
        grants.clear();
        outboundRequests.clear();
    }
}
