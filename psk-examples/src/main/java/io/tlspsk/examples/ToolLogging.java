package io.tlspsk.examples;

/**
 * One line per log record. The library logs through Netty's logger, which in psk-tool.jar (no SLF4J, no Log4j)
 * is java.util.logging; its default {@code SimpleFormatter} format takes two lines (time and class, then level
 * and message), which breaks up a report read line by line.
 */
final class ToolLogging {

    static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
    /** {@code 2026-12-04 10:15:30.123 INFO io.tlspsk.codec.crypto.CryptoBackend: message}, then any stack trace. */
    static final String ONE_LINE_FORMAT = "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n";

    private ToolLogging() {
    }

    /**
     * Sets the one-line format unless the user chose one ({@code -Djava.util.logging.SimpleFormatter.format}, or a
     * logging configuration file, which takes precedence anyway). Call before anything logs: the formatter reads
     * the format once, when it is made.
     */
    static void useOneLineFormat() {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, ONE_LINE_FORMAT);
        }
    }
}
