package io.tlspsk.examples;

/**
 * A bad command line: the tool prints the message, which names the bad argument (never a key), and exits with
 * {@link ExitCodes#USAGE}.
 */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
