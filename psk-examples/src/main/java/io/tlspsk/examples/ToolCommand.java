package io.tlspsk.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * One psk-tool command. picocli fills its options; {@link #validate()} checks what picocli cannot (ranges,
 * combinations) and {@link #run} does the work with the tool's streams.
 */
abstract class ToolCommand implements Callable<Integer> {

    /** The longest any time option may be. */
    static final int MAX_SECONDS = 3600;

    @ParentCommand
    PskTool tool;

    @Spec
    CommandSpec spec;

    /** Checks the options picocli has set. */
    void validate() throws UsageException {
    }

    /** Runs the command and returns its exit code ({@link ExitCodes}). */
    abstract int run(ToolIo io) throws Exception;

    @Override
    public final Integer call() throws Exception {
        validate();
        return run(tool.io());
    }

    /** The command's name, for messages. */
    String name() {
        return spec.name();
    }

    /** Refuses {@code value} outside {@code [min, max]}, naming the option. */
    static void checkRange(String name, long value, long min, long max) throws UsageException {
        if (value < min || value > max) {
            throw new UsageException(name + " must be between " + min + " and " + max + ": " + value);
        }
    }
}
