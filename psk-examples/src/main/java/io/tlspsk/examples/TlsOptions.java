package io.tlspsk.examples;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.TlsVersion;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The TLS settings that servers and clients share. Each list option takes comma-separated values; an absent
 * option leaves the library's default.
 */
final class TlsOptions {

    @Option(names = "--tls", split = ",", paramLabel = "VERSION",
            description = {"Versions to speak: 1.2, 1.3 or both (default: both, or those --ciphers has suites "
                    + "for). TLS 1.3 wins when both sides have it."})
    List<TlsVersion> protocols;

    @Option(names = "--modes", split = ",", paramLabel = "MODE",
            description = {"TLS 1.3 key exchange modes: psk_dhe_ke (forward secrecy), psk_ke (no public-key "
                    + "operation). Default: psk_dhe_ke."})
    List<PskKeyExchangeMode> modes;

    @Option(names = "--groups", split = ",", paramLabel = "GROUP",
            description = {"Groups for psk_dhe_ke, TLS 1.2 ECDHE_PSK and DHE_PSK: x25519, secp256r1, secp384r1, "
                    + "ffdhe2048, ffdhe3072, ffdhe4096 (default: the first five, in that order; a client sends a key "
                    + "share for the first only)."})
    List<NamedGroup> groups;

    @Option(names = "--ciphers", split = ",", paramLabel = "SUITE",
            description = {"Cipher suites by IANA name, TLS 1.3 and TLS 1.2 mixed (default: all, listed below)."})
    List<CipherSuite> ciphers;

    @Option(names = "--alpn", split = ",", paramLabel = "PROTOCOL",
            description = {"ALPN protocol names, in preference order."})
    List<String> alpn;

    @Option(names = "--require-ems",
            description = {"TLS 1.2: refuse peers without extended_master_secret (RFC 7627)."})
    boolean requireEms;

    /** Registers the converters for this group's value types, with messages that name the bad value. */
    static void registerConverters(CommandLine cl) {
        cl.registerConverter(TlsVersion.class, byName(TlsVersion::byName));
        cl.registerConverter(PskKeyExchangeMode.class, byName(PskKeyExchangeMode::byName));
        cl.registerConverter(NamedGroup.class, byName(NamedGroup::byName));
        cl.registerConverter(CipherSuite.class, byName(CipherSuite::byName));
    }

    private static <T> ITypeConverter<T> byName(Function<String, T> parser) {
        return value -> {
            String name = value.trim();
            if (name.isEmpty()) {
                throw new TypeConversionException("an empty item in the list");
            }
            try {
                return parser.apply(name);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(HandshakeLines.message(e));
            }
        };
    }

    /** Checks what picocli cannot: no list names an item twice, no ALPN name is empty. */
    void validate() throws UsageException {
        noRepeats("--tls", protocols);
        noRepeats("--modes", modes);
        noRepeats("--groups", groups);
        noRepeats("--ciphers", ciphers);
        noRepeats("--alpn", alpn);
        if (alpn != null && alpn.stream().anyMatch(String::isBlank)) {
            throw new UsageException("--alpn has an empty item");
        }
    }

    private static void noRepeats(String name, List<?> items) throws UsageException {
        if (items == null) {
            return;
        }
        Set<Object> seen = new HashSet<>();
        for (Object item : items) {
            if (!seen.add(item)) {
                throw new UsageException(name + " lists " + item + " twice");
            }
        }
    }

    /** Applies every option given to {@code b}; the rest keep the library's defaults. */
    void applyTo(PskTlsContext.Builder b) {
        if (protocols != null) {
            b.protocols(protocols.toArray(new TlsVersion[0]));
        }
        b.requireExtendedMasterSecret(requireEms);
        if (ciphers != null) {
            b.cipherSuites(ciphers.toArray(new CipherSuite[0]));
        }
        if (modes != null) {
            b.keyExchangeModes(modes.toArray(new PskKeyExchangeMode[0]));
        }
        if (groups != null) {
            b.groups(groups.toArray(new NamedGroup[0]));
        }
        if (alpn != null) {
            b.applicationProtocols(alpn.stream().map(String::trim).toArray(String[]::new));
        }
    }

    /** Builds {@code b}, turning the library's refusal of a combination into a usage error. */
    static PskTlsContext build(PskTlsContext.Builder b) throws UsageException {
        try {
            return b.build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
