package io.tlspsk.examples;

/** How one hostile connection of {@code psk-tool load} ended, as seen from the hostile side. */
enum HostileOutcome {
    /** The server sent a fatal alert (and closed): the attempt was refused. */
    REFUSED_WITH_ALERT("refused with alert"),
    /** The server closed or reset the connection without sending an alert. */
    CLOSED_BY_SERVER("closed by server"),
    /** The server answered with handshake records; the hostile side then reset the connection (TCP RST). */
    ANSWERED_THEN_RESET("answered, then reset by us"),
    /** The handshake completed: the server accepted a peer it should have refused. */
    ACCEPTED("ACCEPTED by the server"),
    /** Still open after {@code --timeout-seconds}: the server neither answered nor closed. */
    TIMED_OUT("timed out (server kept it open)"),
    /** Ended some other way, e.g. the client refused what the server sent (the detail says how). */
    FAILED_OTHERWISE("failed otherwise"),
    /** The TCP connection could not be made. */
    CONNECT_FAILED("connect failed"),
    /** Still running when the run ended (the load tool's own time limit). */
    UNFINISHED("unfinished at the end of the run");

    private final String label;

    HostileOutcome(String label) {
        this.label = label;
    }

    /** How the outcome is printed. */
    String label() {
        return label;
    }
}
