package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.KeyShare;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.handshake.SimpleMessages;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * What the TLS 1.3 client and server handshakes share: the key schedule of the chosen PSK, the traffic secrets,
 * and the Finished computation (RFC 8446 sections 4.4.4 and 7.1). Secrets are zeroed as soon as they are
 * installed in the record layer, and all of them in {@link #destroy()}.
 */
abstract class Tls13Handshake extends Handshake {

    Tls13KeySchedule schedule;
    CipherSuite suite;
    KeyShare ownShare;
    byte[] clientHandshakeSecret;
    byte[] serverHandshakeSecret;
    byte[] clientApplicationSecret;
    byte[] serverApplicationSecret;

    Tls13Handshake(PskHandshakeHandler handler) {
        super(handler);
    }

    /** (EC)DHE: our share with the peer's key; a bad peer key is illegal_parameter (RFC 8446 section 4.2.8). */
    byte[] agree(byte[] peerKey) throws TlsAlertException {
        try {
            return ownShare.agree(peerKey);
        } catch (GeneralSecurityException e) {
            throw new TlsAlertException(AlertDescription.ILLEGAL_PARAMETER, "invalid key share from the peer", e);
        } finally {
            ownShare.destroy();
            ownShare = null;
        }
    }

    /** After ServerHello: Handshake Secret and both handshake traffic secrets (RFC 8446 section 7.1). */
    void deriveHandshakeSecrets(byte[] sharedSecret) {
        schedule.deriveHandshakeSecret(sharedSecret);
        if (sharedSecret != null) {
            Arrays.fill(sharedSecret, (byte) 0);
        }
        byte[] th = transcript.currentHash();
        clientHandshakeSecret = schedule.clientHandshakeTrafficSecret(th);
        serverHandshakeSecret = schedule.serverHandshakeTrafficSecret(th);
    }

    /** After the server's Finished: Master Secret and both application traffic secrets. */
    void deriveApplicationSecrets() {
        byte[] th = transcript.currentHash();
        schedule.deriveMasterSecret();
        clientApplicationSecret = schedule.clientApplicationTrafficSecret(th);
        serverApplicationSecret = schedule.serverApplicationTrafficSecret(th);
    }

    /** Reads under {@code secret} from now on; the secret is zeroed here (the record layer keeps a copy). */
    void readWith(byte[] secret) throws TlsAlertException {
        try {
            handler.installTls13Secret(true, suite, schedule.hkdf(), secret, config.keyUpdateAfterRecords);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Writes under {@code secret} from now on; the secret is zeroed here (the record layer keeps a copy). */
    void writeWith(byte[] secret) throws TlsAlertException {
        try {
            handler.installTls13Secret(false, suite, schedule.hkdf(), secret, config.keyUpdateAfterRecords);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** A Finished message over the current transcript (RFC 8446 section 4.4.4). */
    ByteBuf finished(byte[] baseKey) {
        byte[] verifyData = schedule.verifyData(baseKey, transcript.currentHash());
        return SimpleMessages.finished(handler.ctx().alloc(), verifyData);
    }

    /** Checks the peer's Finished in constant time; a mismatch is decrypt_error (RFC 8446 section 4.4.4). */
    void verifyFinished(ByteBuf message, byte[] baseKey) throws TlsAlertException {
        ByteBuf body = body(message);
        if (body.readableBytes() != suite.hash().length()) {
            throw TlsAlertException.decodeError("Finished of " + body.readableBytes() + " bytes");
        }
        byte[] received = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), received);
        byte[] expected = schedule.verifyData(baseKey, transcript.currentHash());
        if (!MessageDigest.isEqual(expected, received)) {
            throw new TlsAlertException(AlertDescription.DECRYPT_ERROR, "Finished does not verify");
        }
    }

    @Override
    void destroy() {
        for (byte[] s : new byte[][] {clientHandshakeSecret, serverHandshakeSecret,
                clientApplicationSecret, serverApplicationSecret}) {
            if (s != null) {
                Arrays.fill(s, (byte) 0);
            }
        }
        if (schedule != null) {
            schedule.destroy();
        }
        if (ownShare != null) {
            ownShare.destroy();
            ownShare = null;
        }
    }
}
