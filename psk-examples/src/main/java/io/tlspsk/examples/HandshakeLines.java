package io.tlspsk.examples;

import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskTlsSession;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The one-line handshake reports the tool prints, which scripts and tests match on:
 * <pre>
 * handshake ok peer=ADDR identity=ID protocol=TLSv1.3|TLSv1.2 suite=SUITE mode=psk_ke|psk_dhe_ke|none
 *     group=GROUP|none [alpn=P] [hint=TEXT]            (all on one line)
 * handshake failed peer=ADDR alert=NAME(CODE) received
 * handshake failed peer=ADDR alert=NAME(CODE) sent: REASON
 * handshake failed peer=ADDR error=MESSAGE
 * </pre>
 * TLS 1.3 reports the key exchange mode and, for psk_dhe_ke, the group. TLS 1.2 has no mode ({@code mode=none});
 * its group is the ECDHE curve, the finite-field group for a DHE_PSK suite ({@code ffdhe2048}, ..., or
 * {@code modp2048}, ... when the server sent an RFC 3526 group), or {@code none} for plain PSK. Only the
 * client prints {@code hint=}: the TLS 1.2 PSK identity hint the server sent, when it sent a non-empty one. It
 * comes last and runs to the end of the line, since a hint may contain spaces.
 */
final class HandshakeLines {

    private HandshakeLines() {
    }

    static String ok(SocketAddress peer, PskTlsSession s) {
        return ok(peer, s, null);
    }

    /** The {@code handshake ok} line; {@code hint} is the server's TLS 1.2 identity hint, or null for none. */
    static String ok(SocketAddress peer, PskTlsSession s, String hint) {
        StringBuilder b = new StringBuilder("handshake ok peer=").append(address(peer))
                .append(" identity=").append(printable(s.identityAsString()))
                .append(" protocol=").append(s.protocol())
                .append(" suite=").append(s.cipherSuite().name())
                .append(" mode=").append(s.keyExchangeMode() != null ? s.keyExchangeMode().rfcName() : "none")
                .append(" group=").append(s.group() != null ? s.group().tlsName() : "none");
        if (s.applicationProtocol() != null) {
            b.append(" alpn=").append(printable(s.applicationProtocol()));
        }
        if (hint != null && !hint.isEmpty()) {
            b.append(" hint=").append(printable(hint));
        }
        return b.toString();
    }

    static String failed(SocketAddress peer, Throwable cause) {
        StringBuilder b = new StringBuilder("handshake failed peer=").append(address(peer)).append(' ');
        PskAlertException alert = alertIn(cause);
        if (alert != null) {
            String name = alert.description() != null ? alert.description().rfcName() : "unknown";
            b.append("alert=").append(name).append('(').append(alert.code()).append(") ")
                    .append(alert.isReceived() ? "received" : "sent");
            if (alert.reason() != null) {
                b.append(": ").append(printable(alert.reason()));
            }
        } else {
            b.append("error=").append(message(cause));
        }
        return b.toString();
    }

    /** The first {@link PskAlertException} in the cause chain, or {@code null}. */
    static PskAlertException alertIn(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof PskAlertException) {
                return (PskAlertException) t;
            }
        }
        return null;
    }

    static String message(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        String m = t.getMessage();
        return m != null && !m.isBlank() ? printable(m) : t.getClass().getSimpleName();
    }

    /** {@code host:port} without the leading slash of {@link InetSocketAddress#toString()}. */
    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress) {
            InetSocketAddress i = (InetSocketAddress) a;
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            if (i.getAddress() instanceof Inet6Address) {
                host = "[" + host + "]";
            }
            return host + ":" + i.getPort();
        }
        return a == null ? "unknown" : a.toString();
    }

    /** Replaces control characters so that one report stays one line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }
}
