package io.tlspsk.examples;

import io.tlspsk.handler.ExternalPsk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Where a command's keys come from: {@code --psk} on the command line (seen by every user through {@code ps}), or
 * {@code --psk-file} (Mosquitto's psk_file format, see {@link PskFile}), or both. Other key sources (a key store)
 * are further options of this group.
 */
final class KeyOptions {

    /** How repeated identities are judged. */
    enum Repeats {
        /** A client offers each identity once. */
        ONE_KEY_PER_IDENTITY,
        /** A server (or the load tool) may hold a main and a backup key for one identity, but not one key twice. */
        SEVERAL_KEYS_PER_IDENTITY
    }

    @Option(names = "--psk", paramLabel = "ID:HEXKEY[:sha256|sha384]",
            description = {"A key: its identity, its secret in hex, and the hash it is bound to in TLS 1.3 "
                    + "(default sha256). May repeat. The identity may contain ':'. Visible to every user "
                    + "of this machine through ps: prefer --psk-file."})
    List<String> specs;

    @Option(names = "--psk-file", paramLabel = "FILE",
            description = {"Keys from FILE, one ID:HEXKEY[:sha256|sha384] per line (Mosquitto's psk_file "
                    + "format); blank lines and lines starting with # are skipped. Read once at start."})
    Path file;

    @Option(names = "--allow-short-key",
            description = {"Accept keys shorter than 16 bytes (legacy devices). Refused otherwise: a short key "
                    + "can be guessed offline from one recorded handshake (RFC 9257)."})
    boolean allowShortKey;

    /**
     * Parses every key given, {@code --psk} values first, then the file's, in order.
     *
     * @param command names the command in the error when no key is given
     * @param warn    receives warnings (a key file other users can read)
     * @throws UsageException for a bad key, a repeat {@code repeats} forbids, an unreadable file or no key at
     *         all; no key is left undestroyed then
     */
    List<ExternalPsk> load(String command, Repeats repeats, Consumer<String> warn) throws UsageException {
        List<PskSpec.Parsed> parsed = new ArrayList<>();
        try {
            if (specs != null) {
                for (String spec : specs) {
                    parsed.add(PskSpec.parse(spec, allowShortKey, "--psk"));
                }
            }
            if (file != null) {
                parsed.addAll(PskFile.read(file, allowShortKey, warn));
            }
            if (parsed.isEmpty()) {
                throw new UsageException(command + " needs a key: --psk ID:HEXKEY[:sha256|sha384] or --psk-file FILE");
            }
            checkRepeats(parsed, repeats);
        } catch (UsageException | RuntimeException e) {
            parsed.forEach(p -> p.psk().destroy());
            throw e;
        }
        List<ExternalPsk> keys = new ArrayList<>(parsed.size());
        parsed.forEach(p -> keys.add(p.psk()));
        return keys;
    }

    private static void checkRepeats(List<PskSpec.Parsed> parsed, Repeats repeats) throws UsageException {
        Set<String> seen = new HashSet<>();
        for (PskSpec.Parsed p : parsed) {
            String id = HandshakeLines.printable(p.psk().identityAsString());
            if (repeats == Repeats.ONE_KEY_PER_IDENTITY) {
                if (!seen.add(p.psk().identityAsString())) {
                    throw new UsageException("--psk " + id + " is given twice; a client offers each identity once");
                }
            } else if (!seen.add(p.sameKeyText())) {
                throw new UsageException("--psk " + id + ": the same key is given twice");
            }
        }
    }
}
