package io.tlspsk.examples;

/** A bad command line: the tool prints the message and its usage text and exits with {@link PskTool#EXIT_USAGE}. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
