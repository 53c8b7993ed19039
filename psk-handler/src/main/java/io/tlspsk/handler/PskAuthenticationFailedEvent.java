package io.tlspsk.handler;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Fired as a user event on a server when a client offered an identity this server knows but did not prove it
 * holds the key: in TLS 1.3 no candidate key verifies the PSK binder (RFC 8446 section 4.2.11.2); in TLS 1.2 the
 * client's Finished cannot be opened with any candidate key (bad_record_mac, RFC 5246 section 7.4.9). A run of
 * these for one identity means someone is guessing its key, or a device holds a stale one.
 *
 * <p>It travels down the pipeline before the {@link PskHandshakeCompletionEvent} reporting the failure. The
 * library keeps no per-identity state (a server may know millions of identities): count per identity, rate-limit
 * or alert in the application from this event; {@link PskTlsContext#stats()} only holds totals.
 *
 * <p>An identity the server does not know fires no such event (there is no key to guess against), whether it is
 * refused at once ({@code rejectUnknownIdentity}) or, by default, answered like a wrong key. Nor does a TLS 1.3
 * binder whose length is not that of the known identity's keys' hash: the client bound the identity to another
 * hash, no key was tried. The event carries no key material.
 */
public final class PskAuthenticationFailedEvent {

    private final byte[] identity;
    private final TlsVersion protocol;
    private final SocketAddress remoteAddress;

    PskAuthenticationFailedEvent(byte[] identity, TlsVersion protocol, SocketAddress remoteAddress) {
        this.identity = identity.clone();
        this.protocol = protocol;
        this.remoteAddress = remoteAddress;
    }

    /** A copy of the identity the client offered. */
    public byte[] identity() {
        return identity.clone();
    }

    /** The identity decoded as UTF-8 (invalid sequences replaced), for logs and display. */
    public String identityAsString() {
        return new String(identity, StandardCharsets.UTF_8);
    }

    /** The protocol version of the failed handshake. */
    public TlsVersion protocolVersion() {
        return protocol;
    }

    /** The client's address, or {@code null} when the channel has none. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "PskAuthenticationFailedEvent(identity=" + identityAsString() + ", " + protocol.javaName()
                + ", remote=" + remoteAddress + ")";
    }
}
