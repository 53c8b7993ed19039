package io.tlspsk.interop;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keys and the command lines of the external peers, as verified in /work/shared/PEERS.md. Every peer runs on
 * 127.0.0.1 (gnutls-serv has no bind option and listens on all interfaces; we only ever connect to 127.0.0.1).
 */
final class Peers {

    static final String ID = "device-7";
    static final String KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String WRONG_KEY = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String KEY_384 = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
            + "404142434445464748494a4b4c4d4e4f";

    /** Our usual gnutls-serv priority (PEERS.md). */
    static final String GNUTLS_SERVER_PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+PSK:+DHE-PSK"
            + ":+ECDHE-PSK:+AES-128-CCM:+AES-128-CCM-8:+SHA256:+SHA384";
    /** gnutls-cli, TLS 1.3 PSK offering psk_dhe_ke and psk_ke. */
    static final String GNUTLS_CLIENT_PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-PSK:+DHE-PSK:+PSK";
    /** gnutls-cli, TLS 1.3 psk_ke only. */
    static final String GNUTLS_CLIENT_PSK_KE_PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK";

    /** gnutls-serv for the TLS 1.2 tests: TLS 1.2 only, every PSK key exchange, CCM, CCM_8 and CBC-SHA256 too. */
    static final String GNUTLS_TLS12_SERVER_PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.2:+PSK:+DHE-PSK:+ECDHE-PSK"
            + ":+AES-128-CCM:+AES-128-CCM-8:+AES-128-CBC:+SHA256:+SHA384";

    /**
     * gnutls-cli as a TLS 1.2 plain-PSK client offering one cipher ({@code +AES-128-GCM}; for CBC
     * {@code +AES-128-CBC:-MAC-ALL:+SHA256}). Not (EC)DHE-PSK: gnutls-cli 3.7.9 crashes as a TLS 1.2 (EC)DHE-PSK
     * client right after a successful handshake (PEERS.md).
     */
    static String gnutlsTls12PskClientPriority(String cipher) {
        return "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:" + cipher;
    }

    private Peers() {
    }

    static byte[] bytes(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static ExternalPsk psk(String id, String hex) {
        return ExternalPsk.of(id, bytes(hex), HashAlgorithm.SHA256);
    }

    static ExternalPsk psk384(String id, String hex) {
        return ExternalPsk.of(id, bytes(hex), HashAlgorithm.SHA384);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code openssl s_server}, TLS 1.3 PSK only, no certificate; prints {@code ACCEPT} when listening. */
    static List<String> openSslServer(int port, String id, String key, String... extra) {
        return with(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-nocert", "-psk", key,
                "-psk_identity", id, "-tls1_3"), extra);
    }

    /** {@code openssl s_client}, TLS 1.3 PSK (psk_dhe_ke; add -allow_no_dhe_kex for psk_ke too). */
    static List<String> openSslClient(int port, String id, String key, String... extra) {
        return with(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-psk", key,
                "-psk_identity", id, "-tls1_3"), extra);
    }

    /**
     * {@code openssl s_server}, TLS 1.3, with the PSK of a {@code -psk_session} file ({@link OpenSslPskSession}) for
     * {@code id}: the way to give OpenSSL a PSK bound to SHA-384.
     */
    static List<String> openSslServerWithPskSession(int port, String id, Path session, String... extra) {
        return with(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-nocert", "-psk_session",
                session.toString(), "-psk_identity", id, "-tls1_3"), extra);
    }

    /** {@code openssl s_client}, TLS 1.3, offering the PSK of a {@code -psk_session} file under {@code id}. */
    static List<String> openSslClientWithPskSession(int port, String id, Path session, String... extra) {
        return with(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-psk_session",
                session.toString(), "-psk_identity", id, "-tls1_3"), extra);
    }

    /**
     * {@code openssl s_server}, TLS 1.2 only, PSK, no certificate, accepting the suites of {@code cipher} (an OpenSSL
     * cipher string such as {@code PSK-AES128-GCM-SHA256} or {@code PSK}); prints {@code ACCEPT} when listening. Its
     * PSK callback accepts any identity (it only warns when it is not {@code id}).
     */
    static List<String> openSslServerTls12(int port, String id, String key, String cipher, String... extra) {
        return with(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-nocert", "-psk", key,
                "-psk_identity", id, "-tls1_2", "-cipher", cipher), extra);
    }

    /** {@code openssl s_client}, TLS 1.2 only, offering the suites of {@code cipher}. */
    static List<String> openSslClientTls12(int port, String id, String key, String cipher, String... extra) {
        return with(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-psk", key,
                "-psk_identity", id, "-tls1_2", "-cipher", cipher), extra);
    }

    /**
     * Writes the RFC 7919 ffdhe2048 group as a DH parameter file for {@code s_server -dhparam}. OpenSSL 3.0 does not
     * negotiate FFDHE groups in TLS 1.2: without this it picks an RFC 3526 MODP group by the suite's strength (on
     * Debian, 2048 bits for AES-128, 3072 for ChaCha20), which our client accepts too; with it the group is fixed.
     */
    static Path ffdhe2048Params(Path dir) throws Exception {
        Path file = dir.resolve("ffdhe2048.pem");
        try (PeerProcess p = PeerProcess.start("openssl", "genpkey", "-genparam", "-algorithm", "DH",
                "-pkeyopt", "group:ffdhe2048", "-out", file.toString())) {
            int exit = p.awaitExit(java.time.Duration.ofSeconds(10));
            if (exit != 0 || !Files.isRegularFile(file)) {
                throw new AssertionError("openssl genpkey failed (" + exit + "): " + p.output());
            }
        }
        return file;
    }

    /** Writes a gnutls-serv PSK file ({@code ID:HEXKEY} lines) into {@code dir}. */
    static Path gnutlsPskFile(Path dir, String id, String key) throws java.io.IOException {
        Path file = dir.resolve("keys.psk");
        Files.writeString(file, id + ":" + key + "\n");
        return file;
    }

    /** {@code gnutls-serv --echo}; prints {@code Echo Server listening on IPv4 0.0.0.0 port N...done}. */
    static List<String> gnutlsServer(int port, Path pskFile, String priority) {
        return List.of("gnutls-serv", "-p", Integer.toString(port), "--echo", "--pskpasswd=" + pskFile,
                "--priority=" + priority);
    }

    /** {@code gnutls-cli} to 127.0.0.1; prints {@code - Handshake was completed}, then what it receives. */
    static List<String> gnutlsClient(int port, String id, String key, String priority) {
        return List.of("gnutls-cli", "-p", Integer.toString(port), "127.0.0.1", "--pskusername=" + id,
                "--pskkey=" + key, "--priority=" + priority);
    }

    private static List<String> with(List<String> base, String... extra) {
        List<String> out = new ArrayList<>(base);
        out.addAll(Arrays.asList(extra));
        return out;
    }
}
