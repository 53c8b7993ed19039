package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The README's table of psk-tool commands is generated from the picocli model, the same one {@code --help}
 * prints, so the two cannot drift: this test fails when the README's section differs from what
 * {@link #commandTable()} makes, and rewrites the section when run with {@code -Dreadme.update=true}:
 * <pre>mvn -B -o -pl psk-examples -am verify -Dtest=ReadmeUsageTest -Dsurefire.failIfNoSpecifiedTests=false -Dreadme.update=true</pre>
 */
class ReadmeUsageTest {

    static final Path README = Path.of("..", "README.md");
    static final String BEGIN = "<!-- psk-tool commands: generated from the picocli help by ReadmeUsageTest; edit the "
            + "@Command texts, then run it with -Dreadme.update=true -->";
    static final String END = "<!-- end of the generated psk-tool commands -->";
    static final int UNWRAPPED = 10_000;

    @Test
    void readmeCommandTableIsTheHelpOutput() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md has no generated psk-tool section between " + BEGIN
                + " and " + END);
        String expected = BEGIN + "\n" + commandTable() + END;
        String actual = readme.substring(begin, end + END.length());
        if (!expected.equals(actual) && Boolean.getBoolean("readme.update")) {
            Files.writeString(README, readme.substring(0, begin) + expected + readme.substring(end + END.length()),
                    StandardCharsets.UTF_8);
            return;
        }
        assertEquals(expected, actual, "README.md's psk-tool commands differ from the help; rerun this test with "
                + "-Dreadme.update=true");
    }

    @Test
    void tableHasEveryCommandItsOptionsAndExitCodes() {
        String table = commandTable();
        for (String command : List.of("server", "client", "load", "genkey", "demo")) {
            assertTrue(table.contains("| `psk-tool " + command + " "), command);
        }
        for (String option : List.of("--psk-file=FILE", "--bind=ADDR", "--stats-port=N", "--message=TEXT",
                "--warmup=N\\|Ns", "--json=FILE", "--wait-after-eof=SECONDS")) {
            assertTrue(table.contains(option), option);
        }
        assertTrue(table.contains("64: a bad command line"), table);
        assertTrue(table.contains("2: the handshake failed"), table);
    }

    /** One row per command: its synopsis, its description and its exit codes, as the help prints them. */
    static String commandTable() {
        CommandLine cl = PskTool.commandLine(new ToolIo(InputStream.nullInputStream(), System.out, System.err));
        StringBuilder b = new StringBuilder("| command | what it does | exit codes |\n|---|---|---|\n");
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            CommandLine sub = e.getValue();
            CommandSpec spec = sub.getCommandSpec();
            spec.usageMessage().width(UNWRAPPED); // one line: a table cell must not break inside a token
            String synopsis = sub.getHelp().synopsis(0).replaceFirst("^Usage: ", "").trim();
            String description = String.join(" ", spec.usageMessage().description()).trim();
            List<String> codes = new ArrayList<>();
            spec.usageMessage().exitCodeList().forEach((code, meaning) -> codes.add(code.trim() + ": " + meaning));
            b.append("| `").append(cell(synopsis)).append("` | ").append(cell(description)).append(" | ")
                    .append(cell(String.join("; ", codes))).append(" |\n");
        }
        return b.toString();
    }

    private static String cell(String text) {
        return text.replace("%%", "%").replace("|", "\\|");
    }
}
