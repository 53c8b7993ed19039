package io.tlspsk.examples;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * The standard streams of one {@code psk-tool} run: the process's own, or a test's. Report lines are printed whole
 * and flushed one by one, so that a reader of a pipe sees each line at once and lines from several threads never
 * interleave.
 */
final class ToolIo {

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    ToolIo(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** Standard input: what the interactive client sends. */
    InputStream in() {
        return in;
    }

    /** Standard output as bytes: what the interactive client received. */
    PrintStream outStream() {
        return out;
    }

    PrintStream errStream() {
        return err;
    }

    /** Prints whole lines to standard output. */
    Consumer<String> out() {
        return lines(out);
    }

    /** Prints whole lines to standard error. */
    Consumer<String> err() {
        return lines(err);
    }

    private static Consumer<String> lines(PrintStream stream) {
        return line -> {
            synchronized (stream) {
                stream.println(line);
                stream.flush();
            }
        };
    }
}
