package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.CipherSuite.KeyExchange;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.KeyShare;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.handshake.Transcript;
import io.tlspsk.codec.tls12.PskPremaster;
import io.tlspsk.codec.tls12.Tls12KeyBlock;
import io.tlspsk.codec.tls12.Tls12Messages;
import io.tlspsk.codec.tls12.Tls12Prf;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The client side of a TLS 1.2 PSK handshake, taking over from {@link ClientHandshake} once a TLS 1.2 ServerHello
 * arrived: [ServerKeyExchange], ServerHelloDone -> ClientKeyExchange, ChangeCipherSpec, Finished ->
 * ChangeCipherSpec, Finished. The PSK is chosen by the context's {@link PskHintCallback} once the identity hint
 * (if any) is known, as OpenSSL's client callback does.
 */
final class Tls12ClientHandshake extends Handshake {

    private enum Phase { WAIT_KEY_EXCHANGE_OR_DONE, WAIT_SERVER_HELLO_DONE, WAIT_CHANGE_CIPHER_SPEC, WAIT_FINISHED }

    private Phase phase = Phase.WAIT_KEY_EXCHANGE_OR_DONE;
    private final byte[] clientRandom;
    private final byte[] offeredSessionId;
    private final boolean offeredTls13;
    private CipherSuite suite;
    private NamedGroup group;
    private Tls12Prf prf;
    private byte[] serverRandom;
    private boolean extendedMasterSecret;
    private boolean encryptThenMac;
    private String alpn;
    private byte[] hint;
    private byte[] serverPublic;
    private ExternalPsk chosen;
    private byte[] masterSecret;
    private Tls12KeyBlock keyBlock;

    Tls12ClientHandshake(PskHandshakeHandler handler, Transcript transcript, byte[] clientRandom,
                         byte[] offeredSessionId, boolean offeredTls13) {
        super(handler, transcript);
        this.clientRandom = clientRandom;
        this.offeredSessionId = offeredSessionId;
        this.offeredTls13 = offeredTls13;
    }

    @Override
    void start() {
        // The ClientHello was sent by ClientHandshake.
    }

    @Override
    boolean acceptsChangeCipherSpec() {
        return phase == Phase.WAIT_CHANGE_CIPHER_SPEC;
    }

    /** A ServerHello without supported_versions: the server chose TLS 1.2. */
    void onServerHello(ServerHello sh, ByteBuf message) throws TlsAlertException {
        handler.negotiatedTls12();
        if (sh.legacyVersion() != ClientHello.TLS12) {
            throw new TlsAlertException(AlertDescription.PROTOCOL_VERSION, "server chose a version below TLS 1.2");
        }
        serverRandom = sh.random();
        if (offeredTls13 && (endsWith(serverRandom, ServerHello.DOWNGRADE_TLS12)
                || endsWith(serverRandom, ServerHello.DOWNGRADE_TLS11))) {
            // RFC 8446 section 4.1.3: a TLS 1.3 server would only pick TLS 1.2 if someone removed TLS 1.3 from
            // our ClientHello.
            throw TlsAlertException.illegalParameter("downgrade sentinel in a TLS 1.2 ServerHello");
        }
        CipherSuite s = CipherSuite.byId(sh.cipherSuite());
        if (s == null || !config.tls12CipherSuites.contains(s)) {
            throw TlsAlertException.illegalParameter("server selected a cipher suite that was not offered");
        }
        suite = s;
        if (sh.compressionMethod() != 0) {
            throw TlsAlertException.illegalParameter("non-null compression method");
        }
        if (offeredSessionId.length > 0 && Arrays.equals(sh.legacySessionIdEcho(), offeredSessionId)) {
            // An echoed session id means resumption (RFC 5246 section 7.4.1.3) of a session we never had.
            throw TlsAlertException.illegalParameter("server resumes a session that does not exist");
        }
        byte[] renegotiation = sh.renegotiationInfo();
        if (renegotiation != null && renegotiation.length != 0) {
            // RFC 5746 section 3.4.
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "non-empty renegotiation_info");
        }
        // RFC 5246 section 7.4.1.4: an extension the client did not offer is unsupported_extension.
        if (sh.serverNameAcknowledged() && config.serverName == null) {
            throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION, "unsolicited server_name");
        }
        if (sh.applicationProtocol() != null && config.applicationProtocols.isEmpty()) {
            throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION, "unsolicited ALPN");
        }
        if (sh.ecPointFormats() != null && config.tls12CipherSuites.stream()
                .noneMatch(cs -> cs.keyExchange() == KeyExchange.ECDHE_PSK)) {
            throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION, "unsolicited ec_point_formats");
        }
        extendedMasterSecret = sh.extendedMasterSecret();
        if (!extendedMasterSecret && config.requireExtendedMasterSecret) {
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "server does not use extended_master_secret");
        }
        encryptThenMac = sh.encryptThenMac();
        if (encryptThenMac && !suite.isCbc()) {
            // RFC 7366 section 3: never with an AEAD suite.
            throw TlsAlertException.illegalParameter("encrypt_then_mac with an AEAD cipher suite");
        }
        alpn = sh.applicationProtocol();
        if (alpn != null && !config.applicationProtocols.contains(alpn)) {
            throw TlsAlertException.illegalParameter("server selected an ALPN protocol that was not offered");
        }
        prf = new Tls12Prf(suite.hash());
        transcript.selectHash(suite.hash());
        transcript.add(message);
    }

    private static boolean endsWith(byte[] random, byte[] tail) {
        return Arrays.equals(random, random.length - tail.length, random.length, tail, 0, tail.length);
    }

    @Override
    void onMessage(int type, ByteBuf message) throws TlsAlertException {
        if (type == Tls12Messages.HELLO_REQUEST) {
            // RFC 5246 section 7.4.1.1: ignored during a handshake, and not part of the transcript.
            Tls12Messages.parseHelloRequest(body(message));
            return;
        }
        switch (phase) {
            case WAIT_KEY_EXCHANGE_OR_DONE:
                if (type == Tls12Messages.SERVER_KEY_EXCHANGE) {
                    onServerKeyExchange(message);
                    return;
                }
                if (type == Tls12Messages.SERVER_HELLO_DONE && suite.keyExchange() == KeyExchange.PSK) {
                    onServerHelloDone(message); // RFC 4279 section 2: no hint, no ServerKeyExchange
                    return;
                }
                throw unexpected(type, "ServerKeyExchange");
            case WAIT_SERVER_HELLO_DONE:
                if (type != Tls12Messages.SERVER_HELLO_DONE) {
                    throw unexpected(type, "ServerHelloDone");
                }
                onServerHelloDone(message);
                return;
            case WAIT_FINISHED:
                if (type != HandshakeType.FINISHED) {
                    throw unexpected(type, "Finished");
                }
                onFinished(message);
                return;
            default:
                throw unexpected(type, "change_cipher_spec");
        }
    }

    private void onServerKeyExchange(ByteBuf message) throws TlsAlertException {
        Tls12Messages.ServerKeyExchange ske = Tls12Messages.parseServerKeyExchange(body(message), suite.keyExchange());
        hint = ske.identityHint();
        if (suite.keyExchange() == KeyExchange.ECDHE_PSK) {
            group = ske.group();
            if (group == null || !config.groups.contains(group)) {
                // RFC 8422 section 5.4: only a curve the client listed.
                throw TlsAlertException.illegalParameter("server chose a curve that was not offered");
            }
        } else if (suite.keyExchange() == KeyExchange.DHE_PSK) {
            group = ske.group();
            if (group == null) {
                // RFC 7919 section 3: a group the client does not know may be refused with insufficient_security.
                // Only the RFC 7919 and RFC 3526 safe-prime groups of 2048 to 4096 bits are accepted, whether or not
                // we listed them: a server that ignores supported_groups (OpenSSL, Mosquitto) sends RFC 3526 ones.
                // Why any other prime is refused rather than tested: FfdheKeyShare.groupOf.
                throw new TlsAlertException(AlertDescription.INSUFFICIENT_SECURITY, "server's DH group ("
                        + describeDhGroup(ske.dhP(), ske.dhG()) + ") is none of the accepted ones: RFC 7919 "
                        + "ffdhe2048/3072/4096, RFC 3526 MODP 2048/3072/4096");
            }
        }
        serverPublic = ske.publicValue();
        transcript.add(message);
        phase = Phase.WAIT_SERVER_HELLO_DONE;
    }

    /** "2047-bit p, g=5": what an unknown group looks like, for the error message (public values only). */
    private static String describeDhGroup(byte[] p, byte[] g) {
        String generator = g.length <= 8 ? new BigInteger(1, g).toString() : "a " + new BigInteger(1, g).bitLength()
                + "-bit value";
        return new BigInteger(1, p).bitLength() + "-bit p, g=" + generator;
    }

    private void onServerHelloDone(ByteBuf message) throws TlsAlertException {
        Tls12Messages.parseServerHelloDone(body(message));
        transcript.add(message);
        String hintText = hint == null || hint.length == 0 ? null : new String(hint, StandardCharsets.UTF_8);
        chosen = config.hintCallback.choose(hintText);
        if (chosen == null || chosen.isDestroyed()) {
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "no PSK for the server's identity hint");
        }
        byte[] otherSecret = null;
        byte[] ownPublic = null;
        if (suite.keyExchange() != KeyExchange.PSK) {
            KeyShare share = CryptoBackend.generateKeyShare(group);
            ownPublic = share.publicKey();
            otherSecret = Tls12OtherSecret.agree(share, serverPublic, suite.keyExchange(), "server");
        }
        ByteBuf cke = Tls12Messages.encodeClientKeyExchange(handler.ctx().alloc(), suite.keyExchange(),
                chosen.identityBytes(), ownPublic);
        transcript.add(cke);
        handler.sendHandshakeMessage(cke);

        byte[] secret = chosen.secretForKeySchedule();
        byte[] premaster = otherSecret == null ? PskPremaster.plain(secret)
                : PskPremaster.withOtherSecret(otherSecret, secret);
        if (otherSecret != null) {
            Arrays.fill(otherSecret, (byte) 0);
        }
        masterSecret = extendedMasterSecret ? prf.extendedMasterSecret(premaster, transcript.currentHash())
                : prf.masterSecret(premaster, clientRandom, serverRandom);
        Arrays.fill(premaster, (byte) 0);
        byte[] block = prf.keyBlock(masterSecret, serverRandom, clientRandom, Tls12KeyBlock.length(suite));
        keyBlock = Tls12KeyBlock.split(suite, block);
        Arrays.fill(block, (byte) 0);

        handler.sendChangeCipherSpec();
        handler.installWriteProtection(keyBlock.forWriting(true, encryptThenMac));
        ByteBuf finished = Tls12Messages.encodeFinished(handler.ctx().alloc(),
                prf.verifyData(masterSecret, true, transcript.currentHash()));
        transcript.add(finished);
        handler.sendHandshakeMessage(finished);
        handler.flush();
        phase = Phase.WAIT_CHANGE_CIPHER_SPEC;
    }

    @Override
    void onChangeCipherSpec() throws TlsAlertException {
        handler.installReadProtection(keyBlock.forReading(true, encryptThenMac));
        phase = Phase.WAIT_FINISHED;
    }

    private void onFinished(ByteBuf message) throws TlsAlertException {
        Tls12Messages.checkFinished(prf.verifyData(masterSecret, false, transcript.currentHash()),
                Tls12Messages.parseFinished(body(message)));
        handler.complete(new PskTlsSession(chosen, TlsVersion.TLS_1_2.javaName(), suite, null,
                suite.keyExchange() == KeyExchange.PSK ? null : group, alpn, config.serverName));
    }

    @Override
    void destroy() {
        if (masterSecret != null) {
            Arrays.fill(masterSecret, (byte) 0);
            masterSecret = null;
        }
        if (keyBlock != null) {
            keyBlock.destroy();
            keyBlock = null;
        }
    }
}
