package io.tlspsk.examples;

import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskTlsSession;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The one-line handshake reports the tool prints, which scripts and tests match on:
 * <pre>
 * handshake ok peer=ADDR identity=ID protocol=TLSv1.3 suite=SUITE mode=psk_ke|psk_dhe_ke group=GROUP|none [alpn=P]
 * handshake failed peer=ADDR alert=NAME(CODE) received
 * handshake failed peer=ADDR alert=NAME(CODE) sent: REASON
 * handshake failed peer=ADDR error=MESSAGE
 * </pre>
 */
final class HandshakeLines {

    private HandshakeLines() {
    }

    static String ok(SocketAddress peer, PskTlsSession s) {
        StringBuilder b = new StringBuilder("handshake ok peer=").append(address(peer))
                .append(" identity=").append(printable(s.identityAsString()))
                .append(" protocol=").append(s.protocol())
                .append(" suite=").append(s.cipherSuite().name())
                .append(" mode=").append(s.keyExchangeMode() != null ? s.keyExchangeMode().rfcName() : "none")
                .append(" group=").append(s.group() != null ? s.group().tlsName() : "none");
        if (s.applicationProtocol() != null) {
            b.append(" alpn=").append(printable(s.applicationProtocol()));
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
