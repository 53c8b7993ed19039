package io.tlspsk.codec.handshake;

import static io.tlspsk.codec.handshake.ClientHelloTest.ALLOC;
import static io.tlspsk.codec.handshake.ClientHelloTest.X25519;
import static io.tlspsk.codec.handshake.ClientHelloTest.ascii;
import static io.tlspsk.codec.handshake.ClientHelloTest.pattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link FirstClientHello#checkSecond} (RFC 8446 section 4.1.2) on hellos from {@link ClientHelloEncoder}: the second
 * may change its key share, binders and the PSKs that do not fit the retry's suite; anything else is
 * illegal_parameter naming what changed.
 */
class FirstClientHelloTest {

    /** The first hello: SNI, ALPN, two PSKs (SHA-256, then SHA-384), an x25519 share. */
    private static ClientHelloEncoder.Params first() {
        ClientHelloEncoder.Params p = ClientHelloTest.fullParams();
        p.cookie = null;
        return p;
    }

    /** Encodes both, keeps the first and checks the second against it with a SHA-256 retry suite. */
    private static void check(Consumer<ClientHelloEncoder.Params> change) throws TlsAlertException {
        ClientHelloEncoder.Params second = first();
        change.accept(second);
        ByteBuf one = ClientHelloEncoder.encode(ALLOC, first()).message();
        ByteBuf two = ClientHelloEncoder.encode(ALLOC, second).message();
        try {
            ByteBuf body1 = one.slice(4, one.readableBytes() - 4);
            ByteBuf body2 = two.slice(4, two.readableBytes() - 4);
            FirstClientHello kept = FirstClientHello.keep(ClientHello.parse(body1, 64), body1);
            kept.checkSecond(ClientHello.parse(body2, 64), body2, HashAlgorithm.SHA256);
        } finally {
            one.release();
            two.release();
        }
    }

    private static void refused(String reason, Consumer<ClientHelloEncoder.Params> change) {
        TlsAlertException e = assertThrows(TlsAlertException.class, () -> check(change));
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, e.description());
        assertEquals(reason, e.detail());
    }

    @Test
    void acceptsANewKeyShareAndTheSha384PskDropped() throws TlsAlertException {
        check(p -> {
            p.keyShares = List.of(new KeyShareEntry(X25519, pattern(32, 9)));
            p.identities = List.of(ascii("device-1"));
            p.binderLengths = new int[] {32};
        });
    }

    @Test
    void refusesDroppingAPskThatFitsTheRetrysSuite() {
        refused("second ClientHello drops PSK identity 0, which fits the cipher suite of the HelloRetryRequest", p -> {
            p.identities = List.of(ascii("backup-device"));
            p.binderLengths = new int[] {48};
        });
    }

    @Test
    void refusesAnAddedCookieByName() {
        refused("second ClientHello adds cookie", p -> p.cookie = pattern(8, 1));
    }

    @Test
    void refusesADroppedExtensionByName() {
        refused("second ClientHello drops server_name", p -> p.serverName = null);
    }

    @Test
    void refusesChangedExtensionData() {
        refused("second ClientHello changes the data of an extension other than key_share, pre_shared_key and "
                + "padding", p -> p.applicationProtocols = List.of("h2"));
    }

    @Test
    void refusesAChangedRandomSessionIdAndSuites() {
        refused("second ClientHello changes random", p -> p.random = pattern(32, 5));
        refused("second ClientHello changes legacy_session_id", p -> p.legacySessionId = new byte[32]);
        refused("second ClientHello changes cipher_suites", p -> p.cipherSuites = new int[] {0x1301});
    }
}
