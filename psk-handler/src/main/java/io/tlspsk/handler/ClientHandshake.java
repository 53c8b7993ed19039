package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.ClientHelloEncoder;
import io.tlspsk.codec.handshake.EncryptedExtensions;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.ServerHello;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The client side of a TLS 1.3 external-PSK handshake: ClientHello with every configured PSK and its binder ->
 * [HelloRetryRequest -> second ClientHello] -> ServerHello, EncryptedExtensions, Finished -> Finished.
 */
final class ClientHandshake extends Tls13Handshake {

    private enum Phase { WAIT_SERVER_HELLO, WAIT_ENCRYPTED_EXTENSIONS, WAIT_FINISHED }

    private Phase phase = Phase.WAIT_SERVER_HELLO;
    private final byte[] clientRandom = random(32);
    private final byte[] sessionId;
    /** The PSKs offered in the latest ClientHello, in wire order, and their key schedules. */
    private List<ExternalPsk> offered;
    private List<Tls13KeySchedule> schedules;
    private NamedGroup sharedGroup;
    private boolean retried;
    private boolean changeCipherSpecSent;
    private CipherSuite retrySuite;
    private String alpn;
    private PskKeyExchangeMode mode;
    private ExternalPsk chosen;

    ClientHandshake(PskHandshakeHandler handler) {
        super(handler);
        // RFC 8446 appendix D.4: compatibility mode uses a random 32-byte legacy_session_id.
        this.sessionId = config.middleboxCompatibility && config.tls13 ? random(32) : new byte[0];
    }

    @Override
    boolean acceptsChangeCipherSpec() {
        return true; // from the ClientHello until the server's Finished, which ends this state
    }

    private boolean offersMode(PskKeyExchangeMode mode) {
        return config.modes.contains(mode);
    }

    @Override
    void start() throws TlsAlertException {
        offered = new ArrayList<>(config.clientPsks.size());
        for (ExternalPsk psk : config.clientPsks) {
            if (!psk.isDestroyed()) {
                offered.add(psk);
            }
        }
        if (offered.isEmpty()) {
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "every configured PSK was destroyed");
        }
        if (config.tls13 && offersMode(PskKeyExchangeMode.PSK_DHE_KE)) {
            sharedGroup = config.groups.get(0);
            ownShare = CryptoBackend.generateKeyShare(sharedGroup);
        }
        sendClientHello(null, config.cipherSuites);
    }

    private void sendClientHello(byte[] cookie, List<CipherSuite> suites) {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = clientRandom;
        p.legacySessionId = sessionId;
        p.cipherSuites = config.tls13 ? suites.stream().mapToInt(CipherSuite::id).toArray() : new int[0];
        p.offerTls13 = config.tls13;
        // After a HelloRetryRequest TLS 1.2 is still offered: RFC 8446 section 4.1.2 wants the second ClientHello
        // to repeat the first but for the fields a retry changes.
        p.offerTls12 = config.tls12;
        p.tls12CipherSuites = config.tls12CipherSuites.stream().mapToInt(CipherSuite::id).toArray();
        boolean tls12Ecdhe = p.offerTls12 && config.tls12CipherSuites.stream()
                .anyMatch(s -> s.keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK);
        boolean tls12Dhe = p.offerTls12 && config.tls12CipherSuites.stream()
                .anyMatch(s -> s.keyExchange() == CipherSuite.KeyExchange.DHE_PSK);
        // Every configured group that something we offer can use: all of them for psk_dhe_ke (the server may ask for
        // any with a HelloRetryRequest), the curves for TLS 1.2 ECDHE_PSK, the RFC 7919 groups for DHE_PSK (RFC 7919
        // section 3: a client listing them should offer a DHE suite, and a compatible server then picks one of them).
        boolean tls13Dhe = ownShare != null;
        int[] groups = config.groups.stream()
                .filter(g -> tls13Dhe || (g.isFiniteField() ? tls12Dhe : tls12Ecdhe))
                .mapToInt(NamedGroup::id).toArray();
        if (groups.length > 0) {
            p.supportedGroups = groups;
        }
        if (ownShare != null) {
            p.keyShares = List.of(new KeyShareEntry(sharedGroup.id(), ownShare.publicKey()));
        } else if (config.tls13 && p.supportedGroups != null) {
            // RFC 8446 section 9.2: supported_groups and key_share go together; psk_ke sends an empty share list.
            p.keyShares = List.of();
        }
        p.pskKeyExchangeModes = config.modes.stream().mapToInt(PskKeyExchangeMode::id).toArray();
        p.serverName = config.serverName;
        p.applicationProtocols = config.applicationProtocols;
        p.cookie = cookie;
        p.identities = new ArrayList<>(offered.size());
        p.binderLengths = new int[offered.size()];
        for (int i = 0; i < offered.size(); i++) {
            p.identities.add(offered.get(i).identityBytes());
            p.binderLengths[i] = offered.get(i).hash().length();
        }
        ClientHelloEncoder.Encoded hello = ClientHelloEncoder.encode(handler.ctx().alloc(), p);
        ByteBuf message = hello.message();
        // RFC 8446 section 4.2.11.2: each binder covers the transcript up to the truncated ClientHello.
        destroySchedules();
        schedules = new ArrayList<>(offered.size());
        for (int i = 0; p.offerTls13 && i < offered.size(); i++) {
            ExternalPsk psk = offered.get(i);
            Tls13KeySchedule ks = new Tls13KeySchedule(psk.hash(), psk.secretForKeySchedule());
            schedules.add(ks);
            byte[] binderKey = ks.binderKey();
            hello.setBinder(i, ks.verifyData(binderKey,
                    transcript.hashWith(psk.hash(), message, hello.truncatedLength())));
            Arrays.fill(binderKey, (byte) 0);
        }
        transcript.add(message);
        handler.sendHandshakeMessage(message);
        handler.flush();
    }

    @Override
    void onMessage(int type, ByteBuf message) throws TlsAlertException {
        switch (phase) {
            case WAIT_SERVER_HELLO:
                if (type != HandshakeType.SERVER_HELLO) {
                    throw unexpected(type, "ServerHello");
                }
                onServerHello(message);
                break;
            case WAIT_ENCRYPTED_EXTENSIONS:
                if (type != HandshakeType.ENCRYPTED_EXTENSIONS) {
                    // A PSK server sends no Certificate or CertificateRequest (RFC 8446 section 4.3.2).
                    throw unexpected(type, "EncryptedExtensions");
                }
                EncryptedExtensions ee = EncryptedExtensions.parse(body(message), config.serverName != null,
                        !config.applicationProtocols.isEmpty());
                if (ee.applicationProtocol() != null && !config.applicationProtocols.contains(ee.applicationProtocol())) {
                    throw TlsAlertException.illegalParameter("server selected an ALPN protocol that was not offered");
                }
                alpn = ee.applicationProtocol();
                transcript.add(message);
                phase = Phase.WAIT_FINISHED;
                break;
            default:
                if (type != HandshakeType.FINISHED) {
                    throw unexpected(type, "Finished");
                }
                onServerFinished(message);
        }
    }

    private void onServerHello(ByteBuf message) throws TlsAlertException {
        ServerHello sh = ServerHello.parse(body(message), config.tls12);
        if (sh.selectedVersion() < 0 && config.tls12) {
            if (retried) {
                throw TlsAlertException.illegalParameter("TLS 1.2 ServerHello after a HelloRetryRequest");
            }
            Tls12ClientHandshake next = new Tls12ClientHandshake(handler, transcript, clientRandom, sessionId,
                    config.tls13);
            destroy(); // the TLS 1.3 key schedules and key share are of no further use
            handler.replaceHandshake(next);
            next.onServerHello(sh, message);
            return;
        }
        checkServerHello(sh);
        if (sh.isHelloRetryRequest()) {
            onHelloRetryRequest(sh, message);
            return;
        }
        if (retried && sh.cipherSuite() != retrySuite.id()) {
            // RFC 8446 section 4.1.4.
            throw TlsAlertException.illegalParameter("ServerHello suite differs from the HelloRetryRequest's");
        }
        int index = sh.selectedIdentity();
        if (index < 0) {
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE,
                    "server accepted none of the offered PSKs");
        }
        if (index >= offered.size()) {
            // RFC 8446 section 4.2.11.
            throw TlsAlertException.illegalParameter("selected_identity " + index + " was not offered");
        }
        ExternalPsk psk = offered.get(index);
        if (psk.hash() != suite.hash()) {
            throw TlsAlertException.illegalParameter("server chose a suite whose hash does not match the PSK's");
        }
        byte[] shared = null;
        PskKeyExchangeMode mode;
        if (sh.keyShare() != null) {
            if (sharedGroup == null) {
                // RFC 8446 section 4.2: an extension the client did not send is unsupported_extension.
                throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION,
                        "key_share in ServerHello, but the client offered psk_ke only");
            }
            if (sh.keyShare().group() != sharedGroup.id()) {
                throw TlsAlertException.illegalParameter("server key share for a group we sent no share for");
            }
            if (sh.keyShare().keyExchange().length != sharedGroup.publicKeyLength()) {
                // RFC 8446 section 4.2.8.1: a finite-field share is padded to the length of p (the curves' shares
                // have one length too, section 4.2.8.2).
                throw TlsAlertException.illegalParameter("server key share of the wrong length for "
                        + sharedGroup.tlsName());
            }
            mode = PskKeyExchangeMode.PSK_DHE_KE;
            shared = agree(sh.keyShare().keyExchange());
        } else {
            if (!offersMode(PskKeyExchangeMode.PSK_KE)) {
                throw new TlsAlertException(AlertDescription.MISSING_EXTENSION,
                        "server chose psk_ke, which was not offered (no key_share)");
            }
            mode = PskKeyExchangeMode.PSK_KE;
        }
        schedule = schedules.remove(index);
        destroySchedules();
        transcript.selectHash(suite.hash());
        transcript.add(message);
        deriveHandshakeSecrets(shared);
        readWith(serverHandshakeSecret.clone());
        sendCompatibilityChangeCipherSpec();
        writeWith(clientHandshakeSecret.clone());
        this.mode = mode;
        chosen = psk;
        phase = Phase.WAIT_ENCRYPTED_EXTENSIONS;
    }

    /** Checks common to ServerHello and HelloRetryRequest (RFC 8446 sections 4.1.3, 4.1.4, 4.2.1). */
    private void checkServerHello(ServerHello sh) throws TlsAlertException {
        if (sh.selectedVersion() < 0) {
            throw new TlsAlertException(AlertDescription.PROTOCOL_VERSION,
                    "server did not negotiate TLS 1.3 (no supported_versions)");
        }
        if (sh.selectedVersion() != ClientHello.TLS13) {
            throw TlsAlertException.illegalParameter("server selected a version that was not offered");
        }
        if (sh.legacyVersion() != ClientHello.TLS12) {
            throw TlsAlertException.illegalParameter("ServerHello legacy_version is not 0x0303");
        }
        if (!Arrays.equals(sh.legacySessionIdEcho(), sessionId)) {
            throw TlsAlertException.illegalParameter("legacy_session_id_echo does not match");
        }
        if (sh.compressionMethod() != 0) {
            throw TlsAlertException.illegalParameter("non-null compression method");
        }
        CipherSuite s = CipherSuite.byId(sh.cipherSuite());
        if (s == null || !config.cipherSuites.contains(s)) {
            throw TlsAlertException.illegalParameter("server selected a cipher suite that was not offered");
        }
        suite = s;
    }

    private void onHelloRetryRequest(ServerHello hrr, ByteBuf message) throws TlsAlertException {
        if (retried) {
            // RFC 8446 section 4.1.4: a second HelloRetryRequest is unexpected_message.
            throw TlsAlertException.unexpectedMessage("second HelloRetryRequest");
        }
        retried = true;
        retrySuite = suite;
        NamedGroup requested = NamedGroup.byId(hrr.selectedGroup());
        if (hrr.selectedGroup() >= 0) {
            if (ownShare == null) {
                throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION,
                        "key_share in HelloRetryRequest, but the client offered psk_ke only");
            }
            if (requested == null || !config.groups.contains(requested)
                    || requested == sharedGroup) {
                // RFC 8446 section 4.2.8.
                throw TlsAlertException.illegalParameter("HelloRetryRequest asks for an unusable group");
            }
        } else if (hrr.cookie() == null) {
            throw TlsAlertException.illegalParameter("HelloRetryRequest that would not change the ClientHello");
        }
        // Drop the PSKs whose hash no longer fits the chosen suite (RFC 8446 section 4.1.4).
        List<ExternalPsk> kept = new ArrayList<>(offered.size());
        for (ExternalPsk psk : offered) {
            if (psk.hash() == suite.hash()) {
                kept.add(psk);
            }
        }
        if (kept.isEmpty()) {
            throw TlsAlertException.illegalParameter("HelloRetryRequest suite fits none of the offered PSKs");
        }
        offered = kept;
        transcript.selectHash(suite.hash());
        transcript.replaceWithMessageHash();
        transcript.add(message);
        if (requested != null) {
            ownShare.destroy();
            sharedGroup = requested;
            ownShare = CryptoBackend.generateKeyShare(requested);
        }
        sendCompatibilityChangeCipherSpec();
        sendClientHello(hrr.cookie(), config.cipherSuites);
    }

    private void sendCompatibilityChangeCipherSpec() {
        // RFC 8446 appendix D.4: once, before the client's second flight.
        if (config.middleboxCompatibility && !changeCipherSpecSent) {
            changeCipherSpecSent = true;
            handler.sendChangeCipherSpec();
        }
    }

    private void onServerFinished(ByteBuf message) throws TlsAlertException {
        verifyFinished(message, serverHandshakeSecret);
        transcript.add(message);
        deriveApplicationSecrets();
        readWith(serverApplicationSecret);
        serverApplicationSecret = null;
        handler.sendHandshakeMessage(finished(clientHandshakeSecret));
        writeWith(clientApplicationSecret);
        clientApplicationSecret = null;
        handler.complete(new PskTlsSession(chosen, "TLSv1.3", suite, mode,
                mode == PskKeyExchangeMode.PSK_DHE_KE ? sharedGroup : null, alpn, config.serverName));
    }

    private void destroySchedules() {
        if (schedules != null) {
            for (Tls13KeySchedule ks : schedules) {
                ks.destroy();
            }
            schedules = null;
        }
    }

    @Override
    void destroy() {
        super.destroy();
        destroySchedules();
    }
}
