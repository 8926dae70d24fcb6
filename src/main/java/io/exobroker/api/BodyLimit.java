package io.exobroker.api;

import io.exobroker.config.ApiConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes of a request body as they are read, so a chunked body (no Content-Length for the pre-matching
 * filter to check) cannot exceed {@code broker.api.max-body-bytes} either.
 */
@Provider
public class BodyLimit implements ReaderInterceptor {

    /** Resolved on first use: providers are created before configuration mappings are available. */
    private final Instance<ApiConfig> config;
    /** The limit once resolved; -1 before. Looking the mapping up per request created a bean instance each time. */
    private volatile long limit = -1;

    public BodyLimit(Instance<ApiConfig> config) {
        this.config = config;
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        long bytes = limit;
        if (bytes < 0) {
            bytes = config.get().maxBodyBytes();
            limit = bytes;
        }
        context.setInputStream(new Counting(context.getInputStream(), bytes));
        return context.proceed();
    }

    /** Fails once more than {@code limit} bytes have been read. */
    private static final class Counting extends FilterInputStream {
        private final long limit;
        private long read;

        Counting(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > limit) {
                throw new BrokerException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "request body is over the limit of " + limit + " bytes");
            }
        }
    }
}
