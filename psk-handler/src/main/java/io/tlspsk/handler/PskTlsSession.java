package io.tlspsk.handler;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.NamedGroup;
import java.nio.charset.StandardCharsets;

/**
 * What a completed handshake negotiated. Read it from the completion event, from
 * {@link PskHandshakeHandler#session()}, or from the channel with {@link #of(Channel)}.
 */
public final class PskTlsSession {

    static final AttributeKey<PskTlsSession> ATTRIBUTE = AttributeKey.valueOf(PskTlsSession.class, "session");

    private final byte[] identity;
    private final String keyLabel;
    private final String protocol;
    private final CipherSuite cipherSuite;
    private final PskKeyExchangeMode keyExchangeMode;
    private final NamedGroup group;
    private final String applicationProtocol;
    private final String serverName;

    /** {@code key}: the PSK that verified (server) or that was offered and accepted (client). */
    PskTlsSession(ExternalPsk key, String protocol, CipherSuite cipherSuite, PskKeyExchangeMode keyExchangeMode,
                  NamedGroup group, String applicationProtocol, String serverName) {
        this.identity = key.identity();
        this.keyLabel = key.label();
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.keyExchangeMode = keyExchangeMode;
        this.group = group;
        this.applicationProtocol = applicationProtocol;
        this.serverName = serverName;
    }

    /** The session of a channel whose handshake completed, or {@code null}. */
    public static PskTlsSession of(Channel channel) {
        return channel.attr(ATTRIBUTE).get();
    }

    /** A copy of the negotiated PSK identity. */
    public byte[] identity() {
        return identity.clone();
    }

    /** The negotiated PSK identity as UTF-8 text. */
    public String identityAsString() {
        return new String(identity, StandardCharsets.UTF_8);
    }

    /**
     * The label of the key that authenticated this session ({@link ExternalPsk#label()}), or {@code null} for an
     * unlabelled key. On a server whose selector offered several candidates for the identity (a device's main and
     * backup key), this tells which one the client proved: the TLS 1.3 binder or the TLS 1.2 Finished that verified.
     */
    public String keyLabel() {
        return keyLabel;
    }

    /** {@code TLSv1.3} or {@code TLSv1.2}. */
    public String protocol() {
        return protocol;
    }

    public CipherSuite cipherSuite() {
        return cipherSuite;
    }

    /** The TLS 1.3 key exchange mode; {@code null} for TLS 1.2. */
    public PskKeyExchangeMode keyExchangeMode() {
        return keyExchangeMode;
    }

    /**
     * The (EC)DHE group, or {@code null} for a PSK-only key exchange. A TLS 1.2 DHE_PSK session reports the group the
     * server's parameters are: an RFC 7919 group, or one of the RFC 3526 MODP groups (which have no TLS codepoint).
     */
    public NamedGroup group() {
        return group;
    }

    /** The ALPN protocol the server selected, or {@code null}. */
    public String applicationProtocol() {
        return applicationProtocol;
    }

    /** The server_name the client sent, or {@code null}. */
    public String serverName() {
        return serverName;
    }

    @Override
    public String toString() {
        return protocol + " " + cipherSuite + " identity=" + identityAsString()
                + (keyLabel != null ? " key=" + keyLabel : "")
                + (keyExchangeMode != null ? " mode=" + keyExchangeMode.rfcName() : "")
                + (group != null ? " group=" + group.tlsName() : "")
                + (applicationProtocol != null ? " alpn=" + applicationProtocol : "")
                + (serverName != null ? " sni=" + serverName : "");
    }
}
