package io.tlspsk.examples;

/**
 * psk-tool's exit codes, one meaning each for every command (the help of each command lists those it uses, and the
 * README's command table is generated from those lists). 64 is {@code EX_USAGE} of BSD's sysexits.h.
 */
final class ExitCodes {

    static final int OK = 0;
    /** Something failed that is not a handshake or a timeout (client); any failure (server, load, demo). */
    static final int FAILED = 1;
    static final int HANDSHAKE_FAILED = 2;
    static final int TIMEOUT = 3;
    static final int USAGE = 64;

    // picocli's exitCodeList entries ("code:meaning"); annotation values, hence constants.
    static final String USAGE_ENTRY = "64:a bad command line (the message names the argument); nothing was run";
    static final String HELP_ENTRY = " 0:--help or --version (also: psk-tool help COMMAND)";

    private ExitCodes() {
    }
}
