package io.tlspsk.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An independent program an interop test talks to, with the Debian package that brings it (what {@code .ci/run}
 * installs). A test that needs one says so with {@link RequiresPeer}; a new peer is one more constant here and one
 * more package in {@code .ci/run}.
 *
 * <p>Programs are looked up in the directories of the system property {@value #PATH_PROPERTY} when it is set and not
 * empty (Surefire passes it from the Maven property of the same name: {@code -Dinterop.path=/nowhere} simulates a
 * machine without any peer), else in those of the {@code PATH} environment variable and the sbin directories, where
 * Debian puts daemons such as {@code mosquitto} and which a non-root {@code PATH} lacks.
 */
public enum InteropPeer {

    OPENSSL("openssl", "openssl"),
    GNUTLS("gnutls-bin", "gnutls-cli", "gnutls-serv"),
    REDIS("redis-server", "redis-server"),
    MOSQUITTO("mosquitto", "mosquitto"),
    MOSQUITTO_CLIENTS("mosquitto-clients", "mosquitto_pub", "mosquitto_sub"),
    TSHARK("tshark", "tshark");

    /** Directories to look for peer programs in, instead of {@code PATH} (for simulating a missing peer). */
    public static final String PATH_PROPERTY = "interop.path";

    private final String debianPackage;
    private final List<String> programs;

    InteropPeer(String debianPackage, String... programs) {
        this.debianPackage = debianPackage;
        this.programs = List.of(programs);
    }

    public String debianPackage() {
        return debianPackage;
    }

    public List<String> programs() {
        return programs;
    }

    /** The programs of this peer that are not found. */
    public List<String> missingPrograms() {
        List<String> missing = new ArrayList<>();
        for (String program : programs) {
            if (locate(program).isEmpty()) {
                missing.add(program);
            }
        }
        return missing;
    }

    public boolean isInstalled() {
        return missingPrograms().isEmpty();
    }

    /** The executable file {@code program} (a bare name) resolves to, if any. */
    public static Optional<Path> locate(String program) {
        for (String dir : searchPath().split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The directories searched, as a {@code PATH}-style list: {@value #PATH_PROPERTY}, or {@code PATH} and sbin. */
    public static String searchPath() {
        String override = System.getProperty(PATH_PROPERTY, "");
        if (!override.isBlank()) {
            return override;
        }
        String path = System.getenv("PATH");
        return (path == null ? "" : path + File.pathSeparator) + String.join(File.pathSeparator, SBIN);
    }

    private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");
}
