package io.tlspsk.examples;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.handler.PskTlsContext;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code psk-tool}: a TLS-PSK echo server and client (TLS 1.3 external PSKs and the TLS 1.2 PSK suites) for trying
 * the library against real peers and devices, a load generator, a key generator and a self-contained demo.
 * {@code psk-tool --help} and {@code psk-tool COMMAND --help} describe every option; {@link ExitCodes} lists the
 * exit codes.
 */
@Command(name = "psk-tool", mixinStandardHelpOptions = true, versionProvider = ToolVersion.class,
        usageHelpWidth = PskTool.HELP_WIDTH,
        description = {"TLS-PSK for Netty: an echo server and client for trying the library against real peers "
                + "and devices, a load generator, a key generator and a demo. 'psk-tool COMMAND --help' tells "
                + "more."},
        subcommands = {ServerCommand.class, ClientCommand.class, LoadCommand.class, GenkeyCommand.class,
            DemoCommand.class, HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.HELP_ENTRY, "64:no command, or a bad command line"})
public final class PskTool implements Callable<Integer> {

    /** Columns of the help text (fixed, so that the README's table does not depend on the terminal). */
    static final int HELP_WIDTH = 100;

    /** A run of hex digits this long is taken for a key and never echoed in a usage message. */
    private static final Pattern KEY_LIKE = Pattern.compile("[0-9A-Fa-f]{16,}");

    private final ToolIo io;

    @Spec
    CommandSpec spec;

    private PskTool(ToolIo io) {
        this.io = io;
    }

    public static void main(String[] args) {
        ToolLogging.useOneLineFormat();
        int code = run(args, System.in, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command with no standard input, returning its exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, new ByteArrayInputStream(new byte[0]), out, err);
    }

    /**
     * Runs one command and returns its exit code. {@code server} returns only when its listening channel closes
     * or the calling thread is interrupted (which stops it).
     */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return commandLine(new ToolIo(in, out, err)).execute(args);
    }

    /**
     * Parses {@code args} without running anything: the command object, its options set and checked. For tests,
     * which read the options and build contexts from them.
     */
    static ToolCommand parse(String... args) throws UsageException {
        CommandLine cl = commandLine(new ToolIo(InputStream.nullInputStream(), System.out, System.err));
        ParseResult parsed;
        try {
            parsed = cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new UsageException(usageMessage(e, args));
        }
        if (!parsed.hasSubcommand() || !(parsed.subcommand().commandSpec().userObject() instanceof ToolCommand)) {
            throw new UsageException("no command given");
        }
        ToolCommand command = (ToolCommand) parsed.subcommand().commandSpec().userObject();
        command.validate();
        return command;
    }

    /** The command line model: psk-tool and its commands, with this tool's converters and error handling. */
    static CommandLine commandLine(ToolIo io) {
        CommandLine cl = new CommandLine(new PskTool(io));
        TlsOptions.registerConverters(cl);
        cl.setOut(new PrintWriter(new OutputStreamWriter(io.outStream(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(io.errStream(), StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler((e, args) -> usageError(e.getCommandLine(), usageMessage(e, args)));
        cl.setExecutionExceptionHandler((e, command, parsed) -> e instanceof UsageException
                ? usageError(command, e.getMessage()) : failure(command, e));
        String suites = suitesFooter();
        for (String name : List.of("server", "client", "load")) {
            cl.getSubcommands().get(name).getCommandSpec().usageMessage().footer(suites);
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().width(HELP_WIDTH);
        }
        return cl;
    }

    ToolIo io() {
        return io;
    }

    /** psk-tool with no command: a usage error that lists the commands. */
    @Override
    public Integer call() {
        io.err().accept("psk-tool: no command given; the commands are "
                + String.join(", ", commandNames(spec.commandLine())) + ". Try 'psk-tool --help'.");
        return ExitCodes.USAGE;
    }

    private static List<String> commandNames(CommandLine cl) {
        return cl.getSubcommands().keySet().stream().filter(n -> !n.equals("help")).collect(Collectors.toList());
    }

    private static int usageError(CommandLine command, String message) {
        String name = command.getCommandSpec().qualifiedName();
        PrintWriter err = command.getErr();
        err.println(name + ": " + message);
        err.println("Try '" + name + " --help'.");
        err.flush();
        return ExitCodes.USAGE;
    }

    private static int failure(CommandLine command, Exception e) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + HandshakeLines.message(e));
        err.flush();
        return ExitCodes.FAILED;
    }

    /**
     * What went wrong, naming the bad argument but never echoing a value that might be a key: an unknown option is
     * named without its value, a stray argument by its position, and any long run of hex digits is masked.
     */
    static String usageMessage(ParameterException e, String[] args) {
        String message;
        if (e instanceof UnmatchedArgumentException) {
            UnmatchedArgumentException u = (UnmatchedArgumentException) e;
            String first = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
            boolean topLevel = e.getCommandLine().getParent() == null;
            if (first.startsWith("-")) {
                int eq = first.indexOf('=');
                List<String> suggestions = u.getSuggestions();
                message = "unknown option " + (eq > 0 ? first.substring(0, eq) : first)
                        + (suggestions.isEmpty() ? "" : " (did you mean " + String.join(" or ", suggestions) + "?)");
            } else if (topLevel) {
                message = "unknown command " + first + "; the commands are "
                        + String.join(", ", commandNames(e.getCommandLine()));
            } else {
                message = "argument " + (Arrays.asList(args).indexOf(first) + 1) + " is neither an option nor an "
                        + "option's value";
            }
        } else if (e instanceof MissingParameterException) {
            message = e.getMessage().replace("Missing required option: ", "missing ")
                    .replace("Missing required options: ", "missing ");
        } else {
            message = e.getMessage();
        }
        return KEY_LIKE.matcher(message).replaceAll("<hex>");
    }

    /** Every suite, in the library's default order (which is the default of --ciphers). */
    private static String suitesFooter() {
        List<CipherSuite> all = new ArrayList<>(PskTlsContext.DEFAULT_CIPHER_SUITES);
        Arrays.stream(CipherSuite.values()).filter(s -> !all.contains(s)).forEach(all::add);
        String v13 = all.stream().filter(CipherSuite::isTls13).map(CipherSuite::name).collect(Collectors.joining(" "));
        String v12 = all.stream().filter(s -> !s.isTls13()).map(CipherSuite::name).collect(Collectors.joining(" "));
        return String.join("%n", "", "TLS 1.3 suites: " + v13 + " (a sha384 key needs TLS_AES_256_GCM_SHA384).",
                "TLS 1.2 suites: " + v12 + " (DHE_PSK: ffdhe2048 only).",
                "Default --ciphers: every suite above, in that order.");
    }
}
