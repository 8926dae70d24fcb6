package io.exobroker.api;

/** An error body that knows the broker's error code behind it, whatever protocol it is written in. */
interface AuditedOutcome {

    /** The broker's stable error code ({@code forbidden}, {@code upstream_unavailable}, ...). */
    String auditOutcome();
}
