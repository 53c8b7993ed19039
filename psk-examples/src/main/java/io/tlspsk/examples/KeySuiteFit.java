package io.tlspsk.examples;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.TlsVersion;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds a server's keys that none of its enabled cipher suites can use, so that the tool can say so at start
 * rather than leave every handshake with those keys to fail. TLS 1.3 uses a PSK only with suites of its own hash
 * (RFC 8446 section 4.2.11): a sha384 key needs TLS_AES_256_GCM_SHA384. A TLS 1.2 PSK has no hash of its own, so
 * with TLS 1.2 enabled every key fits.
 */
final class KeySuiteFit {

    /** At most this many identities are named in a warning. */
    static final int MAX_NAMED = 5;

    private KeySuiteFit() {
    }

    /** The warnings for {@code keys} under {@code tls}'s versions and suites; empty when every key fits. */
    static List<String> warnings(List<ExternalPsk> keys, PskTlsContext tls) {
        if (tls.protocols().contains(TlsVersion.TLS_1_2)) {
            return List.of();
        }
        Set<HashAlgorithm> usable = EnumSet.noneOf(HashAlgorithm.class);
        for (CipherSuite s : tls.cipherSuites()) {
            if (s.isTls13()) {
                usable.add(s.hash());
            }
        }
        List<ExternalPsk> unfit = new ArrayList<>();
        Set<HashAlgorithm> unfitHashes = new LinkedHashSet<>();
        for (ExternalPsk k : keys) {
            if (!usable.contains(k.hash())) {
                unfit.add(k);
                unfitHashes.add(k.hash());
            }
        }
        if (unfit.isEmpty()) {
            return List.of();
        }
        String which = unfit.size() == keys.size()
                ? (keys.size() == 1 ? "the server's only key fits" : "none of the server's " + keys.size() + " keys fits")
                        + " an enabled cipher suite, so every handshake will fail"
                : unfit.size() + " of the server's " + keys.size() + " keys (" + identities(unfit)
                        + ") fit no enabled cipher suite; handshakes with them will fail";
        List<String> lines = new ArrayList<>();
        lines.add("warning: " + which + ".");
        for (HashAlgorithm h : unfitHashes) {
            lines.add("warning: TLS 1.3 uses a " + hashName(h) + " key only with a " + h.digestName() + " suite ("
                    + suitesOf(h) + "); enabled: " + tls13Suites(tls) + ". Add one with --ciphers, or enable TLS 1.2.");
        }
        return lines;
    }

    private static String identities(List<ExternalPsk> keys) {
        String named = keys.stream().limit(MAX_NAMED).map(k -> HandshakeLines.printable(k.identityAsString()))
                .collect(Collectors.joining(", "));
        return keys.size() > MAX_NAMED ? named + ", ..." : named;
    }

    private static String hashName(HashAlgorithm h) {
        return h.name().toLowerCase(Locale.ROOT);
    }

    private static String suitesOf(HashAlgorithm h) {
        return java.util.Arrays.stream(CipherSuite.values()).filter(s -> s.isTls13() && s.hash() == h)
                .map(CipherSuite::name).collect(Collectors.joining(", "));
    }

    private static String tls13Suites(PskTlsContext tls) {
        return tls.cipherSuites().stream().filter(CipherSuite::isTls13).map(CipherSuite::name)
                .collect(Collectors.joining(", "));
    }
}
