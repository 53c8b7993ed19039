package io.tlspsk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * What a test annotated with {@link RequiresPeer} is reported as, run through the JUnit Platform launcher as Surefire
 * runs it: skipped by name with the reason when a program is missing, failed when peers are required, run when all
 * programs are there. The peers' directory is a temporary one, set through {@value InteropPeer#PATH_PROPERTY}.
 */
class RequiresPeerConditionTest {

    @TempDir
    Path bin;

    private final String savedPath = System.getProperty(InteropPeer.PATH_PROPERTY);
    private final String savedRequired = System.getProperty(RequiresPeerCondition.REQUIRED_PROPERTY);
    /** What the last fixture run printed. */
    private String printed = "";

    @AfterEach
    void restoreProperties() {
        restore(InteropPeer.PATH_PROPERTY, savedPath);
        restore(RequiresPeerCondition.REQUIRED_PROPERTY, savedRequired);
    }

    @Test
    void missingPeerSkipsEachTestByNameWithTheReason() {
        Map<String, Outcome> outcomes = run(NeedsGnuTls.class, false);
        assertEquals(2, outcomes.size(), outcomes.toString());
        for (String test : new String[] {"first", "second"}) {
            Outcome o = outcomes.get(test + "()");
            assertEquals("skipped", o.kind, test + ": " + o);
            assertTrue(o.detail.contains("gnutls-cli, gnutls-serv (Debian package gnutls-bin)"), o.detail);
            assertTrue(o.detail.contains(bin.toString()), o.detail);
            // Surefire's console only counts skips: the condition names each on a line of its own.
            assertTrue(printed.contains("[interop] SKIPPED " + NeedsGnuTls.class.getName() + "." + test + ": "
                    + o.detail + System.lineSeparator()), printed);
        }
    }

    @Test
    void missingPeerFailsEachTestWhenPeersAreRequired() {
        Map<String, Outcome> outcomes = run(NeedsGnuTls.class, true);
        assertEquals(2, outcomes.size(), outcomes.toString());
        for (Outcome o : outcomes.values()) {
            assertEquals("FAILED", o.kind, o.toString());
            assertTrue(o.detail.contains("gnutls-bin") && o.detail.contains("interop.required=true"), o.detail);
        }
    }

    @Test
    void onePresentProgramOfTwoIsNotEnough() throws Exception {
        executable("gnutls-cli");
        Outcome o = run(NeedsGnuTls.class, false).get("first()");
        assertEquals("skipped", o.kind, o.toString());
        assertTrue(o.detail.contains("gnutls-serv (Debian") && !o.detail.contains("gnutls-cli"), o.detail);
    }

    @Test
    void testsRunWhenTheirPeersAreThere() throws Exception {
        executable("gnutls-cli");
        executable("gnutls-serv");
        Map<String, Outcome> outcomes = run(NeedsGnuTls.class, true);
        assertEquals(Map.of("first()", Outcome.PASSED, "second()", Outcome.PASSED), outcomes);
        assertEquals("", printed);
    }

    @Test
    void onlyTheAnnotatedMethodIsSkipped() {
        Map<String, Outcome> outcomes = run(OneNeedsAPeer.class, false);
        assertEquals(Outcome.PASSED, outcomes.get("needsNothing()"), outcomes.toString());
        assertEquals("skipped", outcomes.get("needsTshark()").kind, outcomes.toString());
    }

    @Test
    void methodAnnotationsAddToTheClassOnes() throws Exception {
        executable("openssl");
        Map<String, Outcome> outcomes = run(MixedPeers.class, false);
        assertEquals(Outcome.PASSED, outcomes.get("needsOpenSsl()"), outcomes.toString());
        Outcome mosquitto = outcomes.get("needsOpenSslAndMosquitto()");
        assertEquals("skipped", mosquitto.kind, outcomes.toString());
        assertTrue(mosquitto.detail.contains("mosquitto (Debian package mosquitto)")
                && !mosquitto.detail.contains("openssl"), mosquitto.detail);
    }

    @Test
    void nonExecutableFileIsNotAPeer() throws Exception {
        Files.createFile(bin.resolve("openssl"));
        System.setProperty(InteropPeer.PATH_PROPERTY, bin.toString());
        assertTrue(InteropPeer.locate("openssl").isEmpty());
        assertEquals(List.of("openssl"), InteropPeer.OPENSSL.missingPrograms());
    }

    // ---------------------------------------------------------------- fixtures (run only through run(...))

    @RequiresPeer(InteropPeer.GNUTLS)
    static class NeedsGnuTls {
        @Test
        void first() {
        }

        @Test
        void second() {
        }
    }

    static class OneNeedsAPeer {
        @Test
        void needsNothing() {
        }

        @Test
        @RequiresPeer(InteropPeer.TSHARK)
        void needsTshark() {
        }
    }

    @RequiresPeer(InteropPeer.OPENSSL)
    static class MixedPeers {
        @Test
        void needsOpenSsl() {
        }

        @Test
        @RequiresPeer(InteropPeer.MOSQUITTO)
        void needsOpenSslAndMosquitto() {
        }
    }

    // ---------------------------------------------------------------- helpers

    private void executable(String name) throws Exception {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * Runs {@code fixture} with peers looked up in {@link #bin} only; each test's display name to its outcome. What
     * the fixture run prints goes to {@link #printed}, not to the build's output (where these skips would look like
     * real ones).
     */
    private Map<String, Outcome> run(Class<?> fixture, boolean required) {
        System.setProperty(InteropPeer.PATH_PROPERTY, bin.toString());
        System.setProperty(RequiresPeerCondition.REQUIRED_PROPERTY, Boolean.toString(required));
        Map<String, Outcome> outcomes = new TreeMap<>();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
                .build();
        Launcher launcher = LauncherFactory.create();
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            execute(launcher, request, outcomes);
        } finally {
            System.setOut(out);
            printed = captured.toString(StandardCharsets.UTF_8);
        }
        return outcomes;
    }

    private static void execute(Launcher launcher, LauncherDiscoveryRequest request, Map<String, Outcome> outcomes) {
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) {
                    outcomes.put(id.getDisplayName(), new Outcome("skipped", reason));
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    outcomes.put(id.getDisplayName(), result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
                            ? Outcome.PASSED
                            : new Outcome(result.getStatus().toString(), result.getThrowable()
                                    .map(t -> assertInstanceOf(AssertionError.class, t).getMessage()).orElse("")));
                }
            }
        });
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private record Outcome(String kind, String detail) {
        static final Outcome PASSED = new Outcome("passed", "");
    }
}
