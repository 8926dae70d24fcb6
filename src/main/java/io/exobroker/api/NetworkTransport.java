package io.exobroker.api;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Says once, at start, which transport serves the API: Linux's epoll, which {@code quarkus.vertx.prefer-native-transport}
 * asks for, or Java NIO and why epoll was not available (another OS or CPU, a missing native library). Both serve
 * the same answers; epoll with fewer system calls and copies per request (BENCHMARKS.md).
 */
@ApplicationScoped
class NetworkTransport {

    void onStart(@Observes StartupEvent start, Vertx vertx) {
        Log.info(describe(vertx.isNativeTransportEnabled(), vertx.unavailableNativeTransportCause()));
    }

    static String describe(boolean nativeTransport, Throwable unavailable) {
        if (nativeTransport) {
            return "network transport: epoll";
        }
        return "network transport: Java NIO" + (unavailable == null ? ""
                : " (epoll unavailable: " + unavailable.getClass().getSimpleName() + ": " + unavailable.getMessage()
                        + ")");
    }
}
