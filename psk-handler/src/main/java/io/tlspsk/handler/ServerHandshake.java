package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.EncryptedExtensions;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.FirstClientHello;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.PskOffer;
import io.tlspsk.codec.handshake.ServerHello;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The server side of a TLS 1.3 external-PSK handshake (RFC 8446 section 2, figure 1 without certificates):
 * ClientHello -> (asynchronous PSK selection) -> binder check -> [HelloRetryRequest -> ClientHello] ->
 * ServerHello, EncryptedExtensions, Finished -> client Finished.
 */
final class ServerHandshake extends Tls13Handshake {

    private enum Phase { WAIT_CLIENT_HELLO, SELECTING, WAIT_SECOND_CLIENT_HELLO, WAIT_FINISHED }

    private Phase phase = Phase.WAIT_CLIENT_HELLO;
    private ClientHello firstHello; // until the HelloRetryRequest, if any
    private ByteBuf firstHelloMessage; // retained while the selection is pending
    private FirstClientHello keptFirstHello; // from the HelloRetryRequest to the second ClientHello
    private PskKeyExchangeMode mode;
    private NamedGroup group;
    private NamedGroup retryGroup;
    private boolean compatibilityMode;
    private boolean changeCipherSpecSent;
    private ExternalPsk chosenKey;
    private PskSelectionRequest selectionRequest; // for PskSelector.authenticated once the handshake completed
    private byte[] chosenIdentity;
    private String sessionServerName;
    private String sessionAlpn;

    ServerHandshake(PskHandshakeHandler handler) {
        super(handler);
    }

    @Override
    void start() {
        // The client speaks first.
    }

    @Override
    boolean acceptsChangeCipherSpec() {
        return phase != Phase.WAIT_CLIENT_HELLO;
    }

    @Override
    void onMessage(int type, ByteBuf message) throws TlsAlertException {
        switch (phase) {
            case WAIT_CLIENT_HELLO:
                if (type != HandshakeType.CLIENT_HELLO) {
                    throw unexpected(type, "ClientHello");
                }
                onFirstClientHello(message);
                break;
            case WAIT_SECOND_CLIENT_HELLO:
                if (type != HandshakeType.CLIENT_HELLO) {
                    throw unexpected(type, "the ClientHello answering HelloRetryRequest");
                }
                onSecondClientHello(message);
                break;
            case WAIT_FINISHED:
                if (type != HandshakeType.FINISHED) {
                    throw unexpected(type, "Finished");
                }
                onFinished(message);
                break;
            default:
                throw unexpected(type, "nothing (the ClientHello is being answered)");
        }
    }

    // ---- first ClientHello ----

    private void onFirstClientHello(ByteBuf message) throws TlsAlertException {
        ClientHello hello = ClientHello.parse(body(message), config.maxOfferedIdentities, config.maxIdentityLength);
        if (!(config.tls13 && hello.offersVersion(ClientHello.TLS13))) {
            negotiateTls12(hello, message);
            return;
        }
        checkClientHello(hello);
        compatibilityMode = hello.legacySessionId().length > 0;
        if (hello.keyShares() == null && !usableModes(hello).contains(PskKeyExchangeMode.PSK_KE)) {
            // RFC 8446 section 9.2: psk_dhe_ke needs key_share.
            throw new TlsAlertException(AlertDescription.MISSING_EXTENSION, "psk_dhe_ke offered without key_share");
        }
        for (byte[] id : hello.pskOffer().identities()) {
            if (config.rejectsIdentity(id)) {
                // RFC 9257 (Selfie): this is our own client's identity, most likely our ClientHello
                // reflected back at us. Refused before the selector sees it.
                throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE,
                        "ClientHello offers an identity this endpoint uses as a client");
            }
        }
        firstHello = hello;
        firstHelloMessage = message.retain();
        phase = Phase.SELECTING;

        List<OfferedPsk> offered = new ArrayList<>(hello.pskOffer().identities().size());
        for (byte[] id : hello.pskOffer().identities()) {
            offered.add(new OfferedPsk(offered.size(), id));
        }
        PskSelectionRequest request = new PskSelectionRequest(offered, hello.serverName(),
                handler.ctx().channel().remoteAddress());
        selectionRequest = request;
        selectPsk(request, this::onSelection);
    }

    /**
     * The client does not offer TLS 1.3 (or we do not speak it): hand over to the TLS 1.2 handshake when both
     * sides speak 1.2 (RFC 8446 section 4.2.1; without supported_versions, legacy_version is the client's
     * highest version, RFC 5246 appendix E.1).
     */
    private void negotiateTls12(ClientHello hello, ByteBuf message) throws TlsAlertException {
        boolean offers12 = hello.supportedVersions() != null ? hello.offersVersion(ClientHello.TLS12)
                : hello.legacyVersion() >= ClientHello.TLS12;
        if (!config.tls12 || !offers12) {
            throw new TlsAlertException(AlertDescription.PROTOCOL_VERSION, "no protocol version in common");
        }
        Tls12ServerHandshake next = new Tls12ServerHandshake(handler);
        handler.replaceHandshake(next);
        next.onClientHello(hello, message);
    }

    /** Checks that apply to both ClientHellos. */
    private void checkClientHello(ClientHello hello) throws TlsAlertException {
        if (!hello.offersVersion(ClientHello.TLS13)) {
            // Only reachable for the second ClientHello: a HelloRetryRequest is TLS 1.3 only.
            throw new TlsAlertException(AlertDescription.PROTOCOL_VERSION, "client does not offer TLS 1.3");
        }
        if (!hello.nullCompressionOnly()) {
            // RFC 8446 section 4.1.2.
            throw TlsAlertException.illegalParameter("TLS 1.3 ClientHello with compression methods other than null");
        }
        if (hello.pskOffer() == null && !hasExtension(hello, ExtensionType.SIGNATURE_ALGORITHMS)) {
            // RFC 8446 section 9.2: without pre_shared_key a ClientHello must carry signature_algorithms.
            throw new TlsAlertException(AlertDescription.MISSING_EXTENSION,
                    "neither pre_shared_key nor signature_algorithms");
        }
        if (hello.pskOffer() == null) {
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE,
                    "client offered no PSK and this server has no certificate");
        }
        if (hello.pskKeyExchangeModes() == null) {
            // RFC 8446 sections 4.2.9 and 9.2.
            throw new TlsAlertException(AlertDescription.MISSING_EXTENSION,
                    "pre_shared_key without psk_key_exchange_modes");
        }
        if ((hello.supportedGroups() == null) != (hello.keyShares() == null)) {
            // RFC 8446 section 9.2: supported_groups and key_share come together.
            throw new TlsAlertException(AlertDescription.MISSING_EXTENSION,
                    "supported_groups and key_share must be sent together");
        }
        if (hello.keyShares() != null) {
            for (KeyShareEntry e : hello.keyShares()) {
                if (!contains(hello.supportedGroups(), e.group())) {
                    // RFC 8446 section 4.2.8.
                    throw TlsAlertException.illegalParameter("key share for a group not in supported_groups");
                }
            }
        }
        if (usableModes(hello).isEmpty()) {
            throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE,
                    "no PSK key exchange mode in common with the client");
        }
    }

    private static boolean hasExtension(ClientHello hello, int type) {
        return contains(hello.extensionTypes(), type);
    }

    private List<PskKeyExchangeMode> usableModes(ClientHello hello) {
        List<PskKeyExchangeMode> out = new ArrayList<>(2);
        for (PskKeyExchangeMode m : config.modes) {
            if (contains(hello.pskKeyExchangeModes(), m.id())) {
                out.add(m);
            }
        }
        return out;
    }

    // ---- selection result ----

    private void onSelection(PskSelection selection, Throwable failure) throws TlsAlertException {
        ByteBuf message = firstHelloMessage;
        firstHelloMessage = null;
        try {
            checkedSelection(selection, failure);
            PskOffer offer = firstHello.pskOffer();
            List<ExternalPsk> live = List.of();
            int index = 0;
            if (!selection.isNone()) {
                index = selection.offered().index();
                if (index >= offer.identities().size()
                        || !Arrays.equals(offer.identities().get(index), selection.offered().identityBytes())) {
                    throw new TlsAlertException(AlertDescription.INTERNAL_ERROR,
                            "PSK selector chose an identity that was not offered in this ClientHello");
                }
                live = liveKeys(selection.candidates());
            }
            BinderCheck check = new BinderCheck(offer.binders().get(index), message,
                    message.readableBytes() - offer.bindersLength());
            if (live.isEmpty()) {
                throw refusalOfUnknownIdentity(check);
            }
            chosenIdentity = offer.identities().get(index);
            verifyBinderWithCandidates(live, check);
            transcript.selectHash(suite.hash());
            transcript.add(message);
            chooseModeAndGroup(firstHello);
            if (retryGroup != null) {
                sendHelloRetryRequest(message);
            } else {
                answer(firstHello, index);
            }
        } finally {
            message.release();
        }
        handler.resumeInbound();
    }

    /** The keys not destroyed since the selector answered: a revoked key counts as no key (DESIGN: revocation). */
    private static List<ExternalPsk> liveKeys(List<ExternalPsk> candidates) {
        List<ExternalPsk> out = new ArrayList<>(candidates.size());
        for (ExternalPsk key : candidates) {
            if (!key.isDestroyed()) {
                out.add(key);
            }
        }
        return out;
    }

    /** One offered binder with what it is computed over: the ClientHello truncated before the binders list. */
    private static final class BinderCheck {
        final byte[] binder;
        final ByteBuf message;
        final int truncatedLength;
        /** The hash the binder's length names (RFC 8446 section 4.2.11: a PSK is bound to one hash), or null. */
        final HashAlgorithm hash;

        BinderCheck(byte[] binder, ByteBuf message, int truncatedLength) {
            this.binder = binder;
            this.message = message;
            this.truncatedLength = truncatedLength;
            HashAlgorithm named = null;
            for (HashAlgorithm h : HashAlgorithm.values()) {
                if (h.length() == binder.length) {
                    named = h;
                }
            }
            this.hash = named;
        }
    }

    /**
     * No live key for any offered identity: the selector answered {@link PskSelection#none()}, or only with keys
     * destroyed since. With {@code rejectUnknownIdentity}, handshake_failure at once. By default the client cannot
     * tell this from a wrong key (RFC 8446 section 6.2 allows decrypt_error for an invalid PSK identity): the binder
     * of the selected (or else the first) identity gets the same check as one candidate key, against the context's
     * decoy key of the hash its length names, and is refused whatever it gives.
     * A binder of a length that names no hash costs no check, as for a known identity.
     */
    private TlsAlertException refusalOfUnknownIdentity(BinderCheck check) {
        if (config.rejectUnknownIdentity) {
            return new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "no acceptable PSK offered");
        }
        checkDecoy(check);
        return new TlsAlertException(AlertDescription.DECRYPT_ERROR,
                "unknown PSK identity (answered as a PSK binder that does not verify)");
    }

    /**
     * Tries each live candidate key (main, then backup) of the hash the binder's length names and keeps the first
     * whose binder verifies (RFC 8446 section 4.2.11.2); only then is a cipher suite of that hash looked for, so
     * that nothing but a proven key makes the answer depend on which identities and keys the server has.
     */
    private void verifyBinderWithCandidates(List<ExternalPsk> candidates, BinderCheck check)
            throws TlsAlertException {
        if (check.hash == null) {
            // Not a binder of any hash we know: it cannot verify, whatever the identity (no event: no key was tried).
            throw new TlsAlertException(AlertDescription.DECRYPT_ERROR,
                    "binder of " + check.binder.length + " bytes fits no hash");
        }
        boolean fits = false;
        for (ExternalPsk key : candidates) {
            if (key.hash() != check.hash) {
                continue;
            }
            fits = true;
            Tls13KeySchedule candidate = binderSchedule(key, check);
            if (candidate != null) {
                CipherSuite candidateSuite = suiteFor(firstHello, key.hash());
                if (candidateSuite == null) {
                    candidate.destroy();
                    throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE,
                            "the client offered no cipher suite of the selected PSK's hash");
                }
                schedule = candidate;
                suite = candidateSuite;
                chosenKey = key;
                return;
            }
        }
        if (!fits) {
            // The client bound this identity to another hash than its keys have: nothing to guess against, so no
            // event, and the work of one check, as for an unknown identity.
            checkDecoy(check);
            throw new TlsAlertException(AlertDescription.DECRYPT_ERROR,
                    "binder of " + check.binder.length + " bytes fits the hash of no candidate key");
        }
        // The identity is known but the client did not prove its key (RFC 8446 section 4.2.11.2): report it so that
        // operators can spot key guessing.
        handler.authenticationFailed(TlsVersion.TLS_1_3, chosenIdentity);
        // RFC 8446 section 6.2: a PSK binder that does not validate is decrypt_error.
        throw new TlsAlertException(AlertDescription.DECRYPT_ERROR, "PSK binder does not verify");
    }

    /**
     * The work of one candidate check against the decoy key of the binder's hash, when the binder names one. A
     * binder that verifies under the decoy (whoever could make one) is refused all the same.
     */
    private void checkDecoy(BinderCheck check) {
        if (check.hash != null) {
            Tls13KeySchedule decoy = binderSchedule(config.decoyKey(check.hash), check);
            if (decoy != null) {
                decoy.destroy();
            }
        }
    }

    /**
     * One candidate check: {@code key}'s early secret and binder key, the binder over the truncated ClientHello,
     * compared in constant time. Returns the key schedule when the binder verifies; otherwise destroys it.
     */
    private Tls13KeySchedule binderSchedule(ExternalPsk key, BinderCheck check) {
        Tls13KeySchedule candidate = new Tls13KeySchedule(key.hash(), key.secretForKeySchedule());
        if (binderMatches(candidate, check.binder,
                transcript.hashWith(key.hash(), check.message, check.truncatedLength))) {
            return candidate;
        }
        candidate.destroy();
        return null;
    }

    private static boolean binderMatches(Tls13KeySchedule schedule, byte[] binder, byte[] transcriptHash) {
        byte[] binderKey = schedule.binderKey();
        try {
            return MessageDigest.isEqual(schedule.verifyData(binderKey, transcriptHash), binder);
        } finally {
            Arrays.fill(binderKey, (byte) 0);
        }
    }

    /** The server's most preferred suite that the client offered and that uses the PSK's hash (4.2.11). */
    private CipherSuite suiteFor(ClientHello hello, HashAlgorithm hash) {
        for (CipherSuite s : config.cipherSuites) {
            if (s.hash() == hash && hello.offersCipherSuite(s.id())) {
                return s;
            }
        }
        return null;
    }

    /**
     * Picks the key exchange mode in server preference order. psk_dhe_ke with a share for one of our groups is
     * used directly; psk_dhe_ke without one, but with a group in common, asks for it with a HelloRetryRequest
     * (forward secrecy is worth the round trip); psk_ke needs nothing.
     */
    private void chooseModeAndGroup(ClientHello hello) throws TlsAlertException {
        for (PskKeyExchangeMode m : usableModes(hello)) {
            if (m == PskKeyExchangeMode.PSK_KE) {
                mode = m;
                return;
            }
            if (hello.keyShares() == null) {
                continue;
            }
            for (NamedGroup g : config.groups) {
                for (KeyShareEntry e : hello.keyShares()) {
                    if (e.group() == g.id()) {
                        mode = m;
                        group = g;
                        return;
                    }
                }
            }
            for (NamedGroup g : config.groups) {
                if (contains(hello.supportedGroups(), g.id())) {
                    mode = m;
                    retryGroup = g;
                    return;
                }
            }
        }
        throw new TlsAlertException(AlertDescription.HANDSHAKE_FAILURE, "no key exchange group in common");
    }

    // ---- HelloRetryRequest ----

    private void sendHelloRetryRequest(ByteBuf firstMessage) throws TlsAlertException {
        // Only what the second ClientHello must repeat is kept across the round trip (RFC 8446 section 4.1.2).
        keptFirstHello = FirstClientHello.keep(firstHello, body(firstMessage));
        // RFC 8446 section 4.4.1: the transcript restarts with message_hash(ClientHello1).
        transcript.replaceWithMessageHash();
        ByteBuf hrr = ServerHello.encodeHelloRetryRequest(handler.ctx().alloc(), firstHello.legacySessionId(),
                suite.id(), retryGroup.id());
        transcript.add(hrr);
        handler.sendHandshakeMessage(hrr);
        sendCompatibilityChangeCipherSpec();
        handler.flush();
        if (firstHello.earlyData()) {
            // RFC 8446 section 4.2.10: 0-RTT records sent before the client saw the HelloRetryRequest are skipped by
            // their outer type until the second ClientHello.
            handler.skipEarlyData(EarlyDataSkip.APPLICATION_DATA_RECORDS);
        }
        firstHello = null;
        phase = Phase.WAIT_SECOND_CLIENT_HELLO;
    }

    private void sendCompatibilityChangeCipherSpec() {
        // RFC 8446 appendix D.4: after the first flight message, once, when the client asked for compatibility.
        if (compatibilityMode && !changeCipherSpecSent) {
            changeCipherSpecSent = true;
            handler.sendChangeCipherSpec();
        }
    }

    private void onSecondClientHello(ByteBuf message) throws TlsAlertException {
        ClientHello hello = ClientHello.parse(body(message), config.maxOfferedIdentities, config.maxIdentityLength);
        checkClientHello(hello);
        // RFC 8446 section 4.1.2: the second ClientHello repeats the first except for key_share, early_data,
        // cookie, pre_shared_key and padding.
        keptFirstHello.checkSecond(hello, body(message), suite.hash());
        keptFirstHello = null;
        List<KeyShareEntry> shares = hello.keyShares();
        if (shares == null || shares.size() != 1 || shares.get(0).group() != retryGroup.id()) {
            // RFC 8446 section 4.2.8: exactly the share the HelloRetryRequest asked for.
            throw TlsAlertException.illegalParameter("second ClientHello lacks the requested key share");
        }
        PskOffer offer = hello.pskOffer();
        int index = -1;
        for (int i = 0; i < offer.identities().size() && index < 0; i++) {
            if (Arrays.equals(offer.identities().get(i), chosenIdentity)) {
                index = i;
            }
        }
        if (index < 0) {
            // FirstClientHello refuses dropping an identity whose binder fits the suite, as the chosen one's does.
            throw new IllegalStateException("second ClientHello dropped the selected PSK");
        }
        byte[] binder = offer.binders().get(index);
        if (binder.length != suite.hash().length() || !binderMatches(schedule, binder,
                transcript.hashWith(suite.hash(), message, message.readableBytes() - offer.bindersLength()))) {
            throw new TlsAlertException(AlertDescription.DECRYPT_ERROR, "PSK binder does not verify");
        }
        transcript.add(message);
        group = retryGroup;
        answer(hello, index);
    }

    // ---- ServerHello, EncryptedExtensions, Finished ----

    private void answer(ClientHello hello, int selectedIdentity) throws TlsAlertException {
        byte[] shared = null;
        KeyShareEntry serverShare = null;
        if (mode == PskKeyExchangeMode.PSK_DHE_KE) {
            ownShare = CryptoBackend.generateKeyShare(group);
            serverShare = new KeyShareEntry(group.id(), ownShare.publicKey());
            shared = agree(clientShare(hello, group).keyExchange());
        }
        String alpn = selectApplicationProtocol(hello);

        ByteBuf serverHello = ServerHello.encodeServerHello(handler.ctx().alloc(), random(32),
                hello.legacySessionId(), suite.id(), selectedIdentity, serverShare);
        transcript.add(serverHello);
        handler.sendHandshakeMessage(serverHello);
        sendCompatibilityChangeCipherSpec();

        deriveHandshakeSecrets(shared);
        writeWith(serverHandshakeSecret.clone());
        readWith(clientHandshakeSecret.clone());
        if (hello.earlyData()) {
            // RFC 8446 section 4.2.10: 0-RTT is never accepted; records that do not open under the client's
            // handshake key are its early data, skipped until one opens.
            handler.skipEarlyData(EarlyDataSkip.UNDECRYPTABLE_RECORDS);
        }

        ByteBuf ee = EncryptedExtensions.encode(handler.ctx().alloc(), alpn, hello.serverName() != null);
        transcript.add(ee);
        handler.sendHandshakeMessage(ee);
        ByteBuf finished = finished(serverHandshakeSecret);
        transcript.add(finished);
        handler.sendHandshakeMessage(finished);
        handler.flush();

        deriveApplicationSecrets();
        writeWith(serverApplicationSecret);
        serverApplicationSecret = null;
        phase = Phase.WAIT_FINISHED;
        sessionServerName = hello.serverName();
        sessionAlpn = alpn;
    }

    private static KeyShareEntry clientShare(ClientHello hello, NamedGroup group) throws TlsAlertException {
        for (KeyShareEntry e : hello.keyShares()) {
            if (e.group() == group.id()) {
                if (e.keyExchange().length != group.publicKeyLength()) {
                    throw TlsAlertException.illegalParameter("key share of the wrong length for " + group.tlsName());
                }
                return e;
            }
        }
        throw new IllegalStateException("no share for the chosen group");
    }

    private void onFinished(ByteBuf message) throws TlsAlertException {
        verifyFinished(message, clientHandshakeSecret);
        readWith(clientApplicationSecret);
        clientApplicationSecret = null;
        PskTlsSession session = new PskTlsSession(chosenKey, "TLSv1.3", suite, mode,
                mode == PskKeyExchangeMode.PSK_DHE_KE ? group : null, sessionAlpn, sessionServerName);
        handler.complete(session);
        keyConfirmed(selectionRequest, chosenKey, session);
    }

    @Override
    void destroy() {
        super.destroy();
        endLookup(); // a lookup still pending is abandoned
        if (firstHelloMessage != null) {
            firstHelloMessage.release();
            firstHelloMessage = null;
        }
    }
}
