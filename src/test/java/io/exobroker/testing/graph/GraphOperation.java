package io.exobroker.testing.graph;

/** The Graph calls the emulator answers, for faults aimed at one of them. */
public enum GraphOperation {
    SEND_MAIL,
    ADD_KEY,
    REMOVE_KEY,
    LIST_MESSAGES;

    /** Directory (Entra ID) operations and mailbox (Exchange Online) ones throttle with different codes. */
    boolean isDirectoryOperation() {
        return this == ADD_KEY || this == REMOVE_KEY;
    }
}
