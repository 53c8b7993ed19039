package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.CipherSuite.KeyExchange;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.FfdheKeyShare;
import io.tlspsk.codec.crypto.KeyShare;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.record.RecordProtection;
import io.tlspsk.codec.tls12.PskPremaster;
import io.tlspsk.codec.tls12.Tls12KeyBlock;
import io.tlspsk.codec.tls12.Tls12Messages;
import io.tlspsk.codec.tls12.Tls12Prf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The server side of a TLS 1.2 PSK handshake (RFC 4279, RFC 5489, RFC 5246): ClientHello -> ServerHello,
 * [ServerKeyExchange], ServerHelloDone -> ClientKeyExchange -> (asynchronous PSK selection) -> ChangeCipherSpec,
 * Finished -> ChangeCipherSpec, Finished.
 *
 * <p>The client's Finished decides between candidate keys (see {@link CandidateReadProtection}). An unknown
 * identity is, by default, answered like a wrong key: the handshake goes on with a random key and fails with
 * bad_record_mac at the client's Finished, so that identities cannot be probed (RFC 4279 section 2).
 */
final class Tls12ServerHandshake extends Handshake {

    private enum Phase { WAIT_CLIENT_KEY_EXCHANGE, SELECTING, WAIT_CHANGE_CIPHER_SPEC, WAIT_FINISHED }

    private Phase phase = Phase.WAIT_CLIENT_KEY_EXCHANGE;
    private CipherSuite suite;
    private NamedGroup group;
    private KeyShare ownShare;
    private Tls12Prf prf;
    private byte[] clientRandom;
    private byte[] serverRandom;
    private boolean extendedMasterSecret;
    private boolean encryptThenMac;
    private String alpn;
    private String serverName;
    private byte[] identity;
    private byte[] otherSecret;
    private byte[] sessionHash;
    private List<ExternalPsk> candidates;
    private PskSelectionRequest selectionRequest; // for PskSelector.authenticated once the handshake completed
    private final List<byte[]> masterSecrets = new ArrayList<>(2);
    private final List<Tls12KeyBlock> keyBlocks = new ArrayList<>(2);
    private RecordProtection readProtection;

    Tls12ServerHandshake(PskHandshakeHandler handler) {
        super(handler);
    }

    @Override
    void start() {
        // Started by onClientHello, handed over from the version-neutral first ClientHello.
    }

    @Override
    boolean acceptsChangeCipherSpec() {
        return phase == Phase.WAIT_CHANGE_CIPHER_SPEC;
    }

    /** The first ClientHello, already parsed, negotiated TLS 1.2: answer it. */
    void onClientHello(ClientHello hello, ByteBuf message) throws TlsAlertException {
        handler.negotiatedTls12();
        hello.checkTls12Extensions();
        byte[] renegotiation = hello.renegotiationInfo();
        if (renegotiation != null && renegotiation.length != 0) {
            // RFC 5746 section 3.6: an initial handshake carries an empty renegotiated_connection.
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "non-empty renegotiation_info");
        }
        extendedMasterSecret = hello.offersExtendedMasterSecret();
        if (!extendedMasterSecret && config.requireExtendedMasterSecret) {
            // RFC 7627 section 5.2 lets a server insist.
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "client does not offer extended_master_secret");
        }
        chooseSuite(hello);
        int[] pointFormats = hello.ecPointFormats();
        if (suite.keyExchange() == KeyExchange.ECDHE_PSK && pointFormats != null
                && !contains(pointFormats, Tls12Messages.POINT_FORMAT_UNCOMPRESSED)) {
            // RFC 8422 section 5.1.2: a client that lists point formats must include uncompressed.
            throw TlsAlertException.illegalParameter("ec_point_formats without uncompressed");
        }
        encryptThenMac = suite.isCbc() && hello.offersEncryptThenMac();
        alpn = selectApplicationProtocol(hello);
        serverName = hello.serverName();
        clientRandom = hello.random();
        prf = new Tls12Prf(suite.hash());
        transcript.selectHash(suite.hash());
        transcript.add(message);

        serverRandom = random(32);
        if (config.tls13) {
            // RFC 8446 section 4.1.3: a TLS 1.3 server that negotiates TLS 1.2 says so in its random.
            System.arraycopy(ServerHello.DOWNGRADE_TLS12, 0, serverRandom, 24, 8);
        }
        Tls12Messages.ServerHelloParams p = new Tls12Messages.ServerHelloParams();
        p.random = serverRandom;
        p.cipherSuite = suite;
        p.secureRenegotiation = hello.offersRenegotiationInfoScsv() || renegotiation != null;
        p.extendedMasterSecret = extendedMasterSecret;
        p.encryptThenMac = encryptThenMac;
        p.applicationProtocol = alpn;
        p.acknowledgeServerName = serverName != null;
        p.ecPointFormats = suite.keyExchange() == KeyExchange.ECDHE_PSK && hello.ecPointFormats() != null;
        send(Tls12Messages.encodeServerHello(handler.ctx().alloc(), p));

        byte[] hint = config.identityHint == null ? new byte[0] : config.identityHint.getBytes(StandardCharsets.UTF_8);
        switch (suite.keyExchange()) {
            case ECDHE_PSK:
                ownShare = CryptoBackend.generateKeyShare(group);
                send(Tls12Messages.encodeEcdhePskServerKeyExchange(handler.ctx().alloc(), hint, group.id(),
                        ownShare.publicKey()));
                break;
            case DHE_PSK:
                ownShare = CryptoBackend.generateKeyShare(group);
                send(Tls12Messages.encodeDhePskServerKeyExchange(handler.ctx().alloc(), hint,
                        FfdheKeyShare.prime(group), FfdheKeyShare.generator(), ownShare.publicKey()));
                break;
            default:
                if (config.identityHint != null) {
                    // RFC 4279 section 2: without a hint the ServerKeyExchange is omitted.
                    send(Tls12Messages.encodePskServerKeyExchange(handler.ctx().alloc(), hint));
                }
        }
        send(Tls12Messages.encodeServerHelloDone(handler.ctx().alloc()));
        handler.flush();
    }

    private void send(ByteBuf message) {
        transcript.add(message);
        handler.sendHandshakeMessage(message);
    }

    /** The first TLS 1.2 suite of ours that the client offered and whose key exchange we can run with it. */
    private void chooseSuite(ClientHello hello) throws TlsAlertException {
        boolean dheRefusedForGroups = false;
        for (CipherSuite s : config.tls12CipherSuites) {
            if (!hello.offersCipherSuite(s.id())) {
                continue;
            }
            if (s.keyExchange() == KeyExchange.ECDHE_PSK) {
                NamedGroup g = commonCurve(hello);
                if (g == null) {
                    continue;
                }
                group = g;
            } else if (s.keyExchange() == KeyExchange.DHE_PSK) {
                NamedGroup g = finiteFieldGroup(hello);
                if (g == null) {
                    dheRefusedForGroups = true;
                    continue;
                }
                group = g;
            }
            suite = s;
            return;
        }
        if (dheRefusedForGroups) {
            // RFC 7919 section 4: FFDHE groups listed, none of them ours, and no other suite in common.
            throw new TlsAlertException(AlertDescription.INSUFFICIENT_SECURITY, "no TLS 1.2 PSK cipher suite in "
                    + "common: DHE_PSK only, and the client lists none of our finite-field groups");
        }
        throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "no TLS 1.2 PSK cipher suite in common");
    }

    /** RFC 8422 section 4: our first curve in the client's supported_groups; any of ours if it sent none. */
    private NamedGroup commonCurve(ClientHello hello) {
        int[] offered = hello.supportedGroups();
        for (NamedGroup g : config.groups) {
            if (!g.isFiniteField() && (offered == null || contains(offered, g.id()))) {
                return g;
            }
        }
        return null;
    }

    /**
     * The DHE_PSK group: the first finite-field group of {@link PskTlsContext#groups()} (ffdhe2048 when it lists none)
     * that the client accepts. RFC 7919 section 4: a client that lists finite-field groups accepts only those; one that
     * lists none accepts whatever the server sends. {@code null} when the client accepts none of ours.
     */
    private NamedGroup finiteFieldGroup(ClientHello hello) {
        int[] offered = hello.supportedGroups();
        // RFC 7919 section 2: the FFDHE codepoints are 256 to 511, known to us or not.
        boolean listsFfdhe = offered != null && Arrays.stream(offered).anyMatch(g -> (g & 0xff00) == 0x0100);
        List<NamedGroup> ours = new ArrayList<>(3);
        for (NamedGroup g : config.groups) {
            if (g.isFiniteField()) {
                ours.add(g);
            }
        }
        if (ours.isEmpty()) {
            ours.add(NamedGroup.FFDHE2048);
        }
        for (NamedGroup g : ours) {
            if (!listsFfdhe || contains(offered, g.id())) {
                return g;
            }
        }
        return null;
    }

    @Override
    void onMessage(int type, ByteBuf message) throws TlsAlertException {
        if (phase == Phase.WAIT_CLIENT_KEY_EXCHANGE && type == Tls12Messages.CLIENT_KEY_EXCHANGE) {
            onClientKeyExchange(message);
        } else if (phase == Phase.WAIT_FINISHED && type == HandshakeType.FINISHED) {
            onFinished(message);
        } else {
            throw unexpected(type, phase == Phase.WAIT_CLIENT_KEY_EXCHANGE ? "ClientKeyExchange"
                    : phase == Phase.WAIT_FINISHED ? "Finished" : "change_cipher_spec");
        }
    }

    private void onClientKeyExchange(ByteBuf message) throws TlsAlertException {
        Tls12Messages.ClientKeyExchange cke = Tls12Messages.parseClientKeyExchange(body(message), suite.keyExchange());
        identity = cke.identity();
        if (identity.length > config.maxIdentityLength) {
            // RFC 4279 section 2 allows psk_identity<0..2^16-1>; a shorter limit is local policy, for which no RFC
            // names an alert. As for a TLS 1.3 identity (ClientHello.parse): illegal_parameter, before the selector.
            throw new TlsLimitExceededException(AlertDescription.ILLEGAL_PARAMETER,
                    "PSK identity of " + identity.length + " bytes exceeds the limit of " + config.maxIdentityLength,
                    TlsLimitExceededException.Limit.IDENTITY_LENGTH);
        }
        if (config.rejectsIdentity(identity)) {
            // RFC 9257 (Selfie): our own client's identity, refused before the selector sees it.
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE,
                    "ClientKeyExchange offers an identity this endpoint uses as a client");
        }
        if (ownShare != null) {
            KeyShare share = ownShare;
            ownShare = null;
            otherSecret = Tls12OtherSecret.agree(share, cke.publicValue(), suite.keyExchange(), "client");
        }
        transcript.add(message);
        sessionHash = transcript.currentHash(); // RFC 7627 section 3: through ClientKeyExchange
        phase = Phase.SELECTING;
        OfferedPsk offered = new OfferedPsk(0, identity);
        selectionRequest = new PskSelectionRequest(List.of(offered), serverName, handler.ctx().channel().remoteAddress());
        selectPsk(selectionRequest, this::onSelection);
    }

    private void onSelection(PskSelection selection, Throwable failure) throws TlsAlertException {
        checkedSelection(selection, failure);
        candidates = new ArrayList<>(2);
        if (!selection.isNone()) {
            for (ExternalPsk key : selection.candidates()) {
                if (!key.isDestroyed()) {
                    candidates.add(key);
                }
            }
        }
        if (candidates.isEmpty()) {
            if (config.rejectUnknownIdentity) {
                throw new TlsAlertException(AlertDescription.UNKNOWN_PSK_IDENTITY, "unknown PSK identity");
            }
            // Hidden: a random key that can never match, so the failure looks like a wrong key.
            candidates.add(null);
        }
        for (ExternalPsk key : candidates) {
            byte[] secret = key != null ? key.secretForKeySchedule() : random(32);
            byte[] premaster = otherSecret == null ? PskPremaster.plain(secret)
                    : PskPremaster.withOtherSecret(otherSecret, secret);
            if (key == null) {
                Arrays.fill(secret, (byte) 0);
            }
            byte[] master = extendedMasterSecret ? prf.extendedMasterSecret(premaster, sessionHash)
                    : prf.masterSecret(premaster, clientRandom, serverRandom);
            Arrays.fill(premaster, (byte) 0);
            byte[] block = prf.keyBlock(master, serverRandom, clientRandom, Tls12KeyBlock.length(suite));
            keyBlocks.add(Tls12KeyBlock.split(suite, block));
            Arrays.fill(block, (byte) 0);
            masterSecrets.add(master);
        }
        zero(otherSecret);
        otherSecret = null;
        phase = Phase.WAIT_CHANGE_CIPHER_SPEC;
        handler.resumeInbound();
    }

    @Override
    void onChangeCipherSpec() throws TlsAlertException {
        if (keyBlocks.size() == 1) {
            readProtection = keyBlocks.get(0).forReading(false, encryptThenMac);
        } else {
            List<RecordProtection> each = new ArrayList<>(keyBlocks.size());
            for (Tls12KeyBlock kb : keyBlocks) {
                each.add(kb.forReading(false, encryptThenMac));
            }
            readProtection = new CandidateReadProtection(each);
        }
        handler.installReadProtection(readProtection);
        phase = Phase.WAIT_FINISHED;
    }

    private void onFinished(ByteBuf message) throws TlsAlertException {
        int index = readProtection instanceof CandidateReadProtection
                ? ((CandidateReadProtection) readProtection).chosenIndex() : 0;
        ExternalPsk key = index < 0 ? null : candidates.get(index);
        if (key == null) {
            // Only the hidden random key for an unknown identity is null, and it never opens a record.
            throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "record does not authenticate");
        }
        byte[] master = masterSecrets.get(index);
        // RFC 5246 section 7.4.9: verify_data over every handshake message before this one.
        Tls12Messages.checkFinished(prf.verifyData(master, true, transcript.currentHash()),
                Tls12Messages.parseFinished(body(message)));
        transcript.add(message);
        handler.sendChangeCipherSpec();
        handler.installWriteProtection(keyBlocks.get(index).forWriting(false, encryptThenMac));
        handler.sendHandshakeMessage(Tls12Messages.encodeFinished(handler.ctx().alloc(),
                prf.verifyData(master, false, transcript.currentHash())));
        handler.flush();
        PskTlsSession session = new PskTlsSession(key, TlsVersion.TLS_1_2.javaName(), suite, null,
                suite.keyExchange() == KeyExchange.PSK ? null : group, alpn, serverName);
        handler.complete(session);
        keyConfirmed(selectionRequest, key, session);
    }

    /**
     * The first record after the client's change_cipher_spec is its Finished; bad_record_mac there means no
     * candidate key opened it, i.e. the client does not hold the key of the identity it sent (TLS 1.2 has no binder,
     * so this is where a wrong key shows). The random stand-in key of an unknown identity (a null candidate) is
     * not reported: there is no key to guess against.
     */
    @Override
    void onFatal(TlsAlertException e) {
        if (phase == Phase.WAIT_FINISHED && e.description() == AlertDescription.BAD_RECORD_MAC
                && candidates != null && !candidates.contains(null)) {
            handler.authenticationFailed(TlsVersion.TLS_1_2, identity);
        }
    }

    private static void zero(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }

    @Override
    void destroy() {
        endLookup(); // a lookup still pending is abandoned
        for (byte[] m : masterSecrets) {
            zero(m);
        }
        masterSecrets.clear();
        for (Tls12KeyBlock kb : keyBlocks) {
            kb.destroy();
        }
        keyBlocks.clear();
        zero(otherSecret);
        otherSecret = null;
        if (ownShare != null) {
            ownShare.destroy();
            ownShare = null;
        }
    }
}
