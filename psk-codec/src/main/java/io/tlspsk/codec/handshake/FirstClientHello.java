package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * What a server keeps of the first ClientHello across its HelloRetryRequest, and the check of the second ClientHello
 * against it. RFC 8446 section 4.1.2 requires the second to be the first unchanged, except that the client
 * <ul>
 *   <li>replaces key_share with one share of the group asked for (the server checks that share itself),</li>
 *   <li>removes early_data,</li>
 *   <li>adds the HelloRetryRequest's cookie (this library sends none, so a cookie is an added extension),</li>
 *   <li>updates pre_shared_key: new obfuscated ticket ages and binders, and optionally without the PSKs that do not
 *       fit the HelloRetryRequest's cipher suite,</li>
 *   <li>may add, drop or resize padding (RFC 7685).</li>
 * </ul>
 * Any other change is illegal_parameter (as Go's crypto/tls answers it). Extension order is not
 * compared: the section lists what may change, and order carries no meaning in TLS 1.3 except pre_shared_key last,
 * which parsing checks.
 *
 * <p>Kept lean, since it lives for a round trip: the fixed fields as parsed (compression is not kept: TLS 1.3 allows
 * exactly one null method, which the server checks in both hellos), the PSK identities by reference with their
 * binder lengths, and of every other extension only its type plus one SHA-256 digest over all their data together.
 * So a second ClientHello that changes an extension's data is refused without saying which one.
 */
public final class FirstClientHello {

    private final int legacyVersion;
    private final byte[] random;
    private final byte[] legacySessionId;
    private final int[] cipherSuites;
    private final List<byte[]> identities;
    private final int[] binderLengths;
    private final RepeatedExtensions repeated;

    private FirstClientHello(ClientHello hello, RepeatedExtensions repeated) {
        this.legacyVersion = hello.legacyVersion();
        this.random = hello.random();
        this.legacySessionId = hello.legacySessionId();
        this.cipherSuites = hello.cipherSuites();
        PskOffer offer = hello.pskOffer();
        this.identities = offer == null ? null : offer.identities();
        this.binderLengths = offer == null ? null : offer.binders().stream().mapToInt(b -> b.length).toArray();
        this.repeated = repeated;
    }

    /**
     * Keeps what the second ClientHello must repeat of {@code hello}.
     *
     * @param body the ClientHello body (after the handshake header) that {@code hello} was parsed from
     */
    public static FirstClientHello keep(ClientHello hello, ByteBuf body) throws TlsAlertException {
        return new FirstClientHello(hello, RepeatedExtensions.of(hello, body));
    }

    /**
     * Checks the ClientHello that answers the HelloRetryRequest against the first, except for its key_share.
     *
     * @param body the body {@code second} was parsed from
     * @param retryHash the hash of the cipher suite the HelloRetryRequest named: a PSK the second ClientHello drops
     *        must not fit it (its binder in the first ClientHello was of another length)
     * @throws TlsAlertException illegal_parameter, naming what changed
     */
    public void checkSecond(ClientHello second, ByteBuf body, HashAlgorithm retryHash) throws TlsAlertException {
        if (second.legacyVersion() != legacyVersion) {
            throw changed("legacy_version");
        }
        if (!Arrays.equals(second.random(), random)) {
            throw changed("random");
        }
        if (!Arrays.equals(second.legacySessionId(), legacySessionId)) {
            throw changed("legacy_session_id");
        }
        if (!Arrays.equals(second.cipherSuites(), cipherSuites)) {
            throw changed("cipher_suites");
        }
        if (second.earlyData()) {
            // RFC 8446 section 4.1.2: no early data after a HelloRetryRequest.
            throw TlsAlertException.illegalParameter("early_data in the ClientHello after a HelloRetryRequest");
        }
        repeated.checkSame(RepeatedExtensions.of(second, body));
        checkPskIdentities(second.pskOffer(), retryHash);
    }

    /**
     * The second offer's identities must be the first's, in the same order, less some whose binder in the first
     * ClientHello did not have {@code retryHash}'s length: the client may remove only PSKs that do not fit the
     * cipher suite the HelloRetryRequest named. Obfuscated ages and binders may change.
     */
    private void checkPskIdentities(PskOffer offer, HashAlgorithm retryHash) throws TlsAlertException {
        if ((offer == null) != (identities == null)) {
            throw TlsAlertException.illegalParameter("second ClientHello " + (offer == null ? "drops" : "adds")
                    + " pre_shared_key");
        }
        if (offer == null) {
            return;
        }
        int next = 0; // the first identity of the first ClientHello not yet matched or dropped
        for (byte[] identity : offer.identities()) {
            int match = next;
            while (match < identities.size() && !Arrays.equals(identities.get(match), identity)) {
                match++;
            }
            if (match == identities.size()) {
                throw TlsAlertException.illegalParameter(
                        "second ClientHello offers a PSK identity the first did not offer (or reorders them)");
            }
            checkDroppable(next, match, retryHash);
            next = match + 1;
        }
        checkDroppable(next, identities.size(), retryHash);
    }

    /** The first ClientHello's identities {@code from} (inclusive) to {@code to} were dropped: may they be? */
    private void checkDroppable(int from, int to, HashAlgorithm retryHash) throws TlsAlertException {
        for (int i = from; i < to; i++) {
            if (binderLengths[i] == retryHash.length()) {
                throw TlsAlertException.illegalParameter("second ClientHello drops PSK identity " + i
                        + ", which fits the cipher suite of the HelloRetryRequest");
            }
        }
    }

    private static TlsAlertException changed(String field) {
        return TlsAlertException.illegalParameter("second ClientHello changes " + field);
    }

    /** May the second ClientHello change this extension (it is checked elsewhere, or not at all)? */
    private static boolean mayChange(int type) {
        return type == ExtensionType.KEY_SHARE || type == ExtensionType.EARLY_DATA
                || type == ExtensionType.PRE_SHARED_KEY || type == ExtensionType.PADDING;
    }

    /**
     * The extensions a second ClientHello must repeat: their types in ascending order and a SHA-256 digest over
     * each one's type, length and data in that order (types are unique, RFC 8446 section 4.2).
     */
    private static final class RepeatedExtensions {
        private final int[] types;
        private final byte[] digest;

        private RepeatedExtensions(int[] types, byte[] digest) {
            this.types = types;
            this.digest = digest;
        }

        static RepeatedExtensions of(ClientHello hello, ByteBuf body) throws TlsAlertException {
            if (hello.extensionsOffset < 0) {
                return new RepeatedExtensions(new int[0], digest().digest());
            }
            WireReader r = new WireReader(body.slice(body.readerIndex() + hello.extensionsOffset,
                    body.readableBytes() - hello.extensionsOffset));
            ExtensionBlock block = ExtensionBlock.parse(r, "ClientHello");
            // Sorted by type with the wire index in the low bits: O(n log n) however many extensions a peer sends.
            long[] order = new long[block.count];
            int n = 0;
            for (int i = 0; i < block.count; i++) {
                if (!mayChange(block.types[i])) {
                    order[n++] = ((long) block.types[i] << 32) | i;
                }
            }
            Arrays.sort(order, 0, n);
            int[] types = new int[n];
            MessageDigest md = digest();
            for (int k = 0; k < n; k++) {
                int i = (int) order[k];
                ByteBuf data = block.data[i];
                types[k] = block.types[i];
                md.update((byte) (types[k] >>> 8));
                md.update((byte) types[k]);
                md.update((byte) (data.readableBytes() >>> 8));
                md.update((byte) data.readableBytes());
                md.update(data.nioBuffer());
            }
            return new RepeatedExtensions(types, md.digest());
        }

        void checkSame(RepeatedExtensions second) throws TlsAlertException {
            int i = 0;
            int j = 0;
            while (i < types.length || j < second.types.length) {
                if (j == second.types.length || (i < types.length && types[i] < second.types[j])) {
                    throw TlsAlertException.illegalParameter(
                            "second ClientHello drops " + ExtensionType.name(types[i]));
                }
                if (i == types.length || second.types[j] < types[i]) {
                    throw TlsAlertException.illegalParameter(
                            "second ClientHello adds " + ExtensionType.name(second.types[j]));
                }
                i++;
                j++;
            }
            // Not a secret: a plain comparison.
            if (!Arrays.equals(digest, second.digest)) {
                throw TlsAlertException.illegalParameter("second ClientHello changes the data of an extension other "
                        + "than key_share, pre_shared_key and padding");
            }
        }

        private static MessageDigest digest() {
            try {
                return MessageDigest.getInstance(HashAlgorithm.SHA256.digestName());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available", e);
            }
        }
    }
}
