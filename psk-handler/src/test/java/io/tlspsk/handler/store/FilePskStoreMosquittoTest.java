package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The claim of the file format: a file {@link FilePskStore} wrote, backup keys and all, is still a Mosquitto
 * {@code psk_file}. A real Mosquitto broker loads it and accepts a client with the main key (and not the backup key:
 * Mosquitto knows one key per identity). Skipped where mosquitto is not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilePskStoreMosquittoTest {

    static final String MAIN = "00112233445566778899aabbccddeeff";
    static final String BACKUP = "ffeeddccbbaa99887766554433221100";

    @Test
    void mosquittoReadsTheFileThisStoreWritesWithItsMainKeys() throws Exception {
        assumeTrue(RedisServer.peerAvailable("mosquitto") && RedisServer.peerAvailable("mosquitto_pub"),
                "mosquitto and mosquitto-clients are not installed");
        Path dir = Files.createTempDirectory("psk-mosquitto");
        Process broker = null;
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path file = dir.resolve("psk.txt");
            Files.writeString(file, "");
            try (FilePskStore store = FilePskStore.builder(file).build()) {
                PskIdentity id = PskIdentity.of("dev1");
                PskStoreContract.await(store.add(id, HexFormat.of().parseHex(MAIN), HashAlgorithm.SHA256));
                PskStoreContract.await(store.stageBackup(id, HexFormat.of().parseHex(BACKUP)));
            }
            // Mosquitto drops root for its own user, which must be able to read the file: a readable copy.
            Path readable = dir.resolve("mosquitto-psk.txt");
            Files.copy(file, readable);
            Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, "listener " + port + " 127.0.0.1\npsk_hint gateway\npsk_file " + readable
                    + "\nuse_identity_as_username true\nallow_anonymous true\n");
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
            broker = new ProcessBuilder("mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
            awaitPort(port, broker);
            assertEquals(0, publish(port, MAIN), "the main key is accepted");
            assertNotEquals(0, publish(port, BACKUP), "Mosquitto knows only the main key");
        } finally {
            if (broker != null) {
                broker.destroy();
                if (!broker.waitFor(5, TimeUnit.SECONDS)) {
                    broker.destroyForcibly();
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int publish(int port, String key) throws Exception {
        Process p = new ProcessBuilder(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "--psk", key, "--psk-identity", "dev1", "-t", "t", "-m", "hi"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    private static void awaitPort(int port, Process broker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline || !broker.isAlive()) {
                    throw new AssertionError("mosquitto did not start on port " + port);
                }
                Thread.sleep(50);
            }
        }
    }
}
