package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.handshake.ClientHelloEncoder;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.MessageWriter;
import io.tlspsk.codec.handshake.Transcript;
import io.tlspsk.codec.handshake.WireReader;
import io.tlspsk.codec.record.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A ClientHello taken apart into fields so that a test can break exactly one rule. {@link #valid} starts from
 * {@link ClientHelloEncoder} with binders computed as {@link ClientHandshake} does; {@link #message()} puts the
 * (possibly mutated) fields back together and recomputes every binder over the new truncated hello (RFC 8446
 * section 4.2.11.2), so that a rejection is caused by the mutation and not by a stale binder.
 */
final class HostileClientHello {

    static final byte[] KEY = new byte[32];
    static final String IDENTITY = "device-1";
    static final int X25519 = 0x001d;
    static final int SECP256R1 = 0x0017;

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) i;
        }
    }

    /** The PSK every hostile test shares between client and server. */
    static ExternalPsk psk() {
        return ExternalPsk.of(IDENTITY, KEY, HashAlgorithm.SHA256);
    }

    /** One extension as on the wire. */
    record Ext(int type, byte[] data) {
    }

    int legacyVersion;
    byte[] random;
    byte[] sessionId;
    byte[] cipherSuites; // list bytes, without the length
    byte[] compression; // list bytes, without the length
    boolean hasExtensionBlock = true;
    final List<Ext> extensions = new ArrayList<>();
    /** Binder secrets in identity order; a null entry, or a binder whose length is not the hash's, is left alone. */
    List<byte[]> binderSecrets = new ArrayList<>(List.of(KEY));
    HashAlgorithm binderHash = HashAlgorithm.SHA256;
    /**
     * The transcript before this hello, hash selected: message_hash(ClientHello1) and the HelloRetryRequest for a
     * second ClientHello. {@code null} for a first ClientHello.
     */
    Transcript priorTranscript;

    /**
     * The hello a default client sends: suite TLS_AES_128_GCM_SHA256, x25519 with {@code x25519PublicKey},
     * psk_dhe_ke, identity {@link #IDENTITY} bound to {@link #KEY}, a 32-byte session id (compatibility mode).
     */
    static HostileClientHello valid(byte[] x25519PublicKey) {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = HostileWire.pattern(32, 1);
        p.legacySessionId = HostileWire.pattern(32, 2);
        p.cipherSuites = new int[] {0x1301};
        p.supportedGroups = new int[] {X25519};
        p.keyShares = List.of(new KeyShareEntry(X25519, x25519PublicKey));
        p.pskKeyExchangeModes = new int[] {PskKeyExchangeMode.PSK_DHE_KE.id()};
        p.identities = List.of(IDENTITY.getBytes(StandardCharsets.UTF_8));
        p.binderLengths = new int[] {32};
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ByteBufAllocator.DEFAULT, p);
        try {
            // As ClientHandshake: binder = HMAC(finished_key(binder_key), Transcript-Hash(truncated ClientHello)).
            Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA256, KEY);
            byte[] binderKey = ks.binderKey();
            e.setBinder(0, ks.verifyData(binderKey,
                    new Transcript().hashWith(HashAlgorithm.SHA256, e.message(), e.truncatedLength())));
            ks.destroy();
            return from(ByteBufUtil.getBytes(e.message()));
        } finally {
            e.message().release();
        }
    }

    /**
     * A TLS 1.2-only ClientHello as {@link ClientHelloEncoder} writes it with {@code offerTls13 = false}: no
     * supported_versions, the given TLS 1.2 suites and the renegotiation SCSV, extended_master_secret,
     * encrypt_then_mac when a CBC suite is offered, and for an ECDHE_PSK suite supported_groups [x25519] with
     * ec_point_formats. Nothing in it is signed, so mutations need no binder.
     */
    static HostileClientHello tls12Only(CipherSuite... tls12Suites) {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = HostileWire.pattern(32, 1);
        p.offerTls13 = false;
        p.offerTls12 = true;
        p.tls12CipherSuites = Arrays.stream(tls12Suites).mapToInt(CipherSuite::id).toArray();
        if (Arrays.stream(tls12Suites).anyMatch(s -> s.keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK)) {
            p.supportedGroups = new int[] {X25519};
        }
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ByteBufAllocator.DEFAULT, p);
        try {
            byte[] bytes = ByteBufUtil.getBytes(e.message());
            HostileClientHello h = from(bytes);
            h.binderSecrets = null;
            return h;
        } finally {
            e.message().release();
        }
    }

    /** Takes apart a ClientHello message (handshake header included). */
    static HostileClientHello from(byte[] message) {
        try {
            WireReader r = new WireReader(Unpooled.wrappedBuffer(message, 4, message.length - 4));
            HostileClientHello h = new HostileClientHello();
            h.legacyVersion = r.u16("legacy_version");
            h.random = r.fixed(32, "random");
            h.sessionId = r.bytes8("legacy_session_id", 0, 255);
            h.cipherSuites = r.bytes16("cipher_suites", 0, 0xffff);
            h.compression = r.bytes8("legacy_compression_methods", 0, 255);
            h.hasExtensionBlock = r.hasRemaining();
            if (h.hasExtensionBlock) {
                WireReader ext = new WireReader(r.vector16("extensions", 0, 0xffff));
                while (ext.hasRemaining()) {
                    h.extensions.add(new Ext(ext.u16("type"), ext.bytes16("extension_data", 0, 0xffff)));
                }
            }
            r.expectEnd("ClientHello");
            return h;
        } catch (TlsAlertException e) {
            throw new AssertionError("not a ClientHello", e);
        }
    }

    // ---- mutations ----

    int indexOf(int type) {
        for (int i = 0; i < extensions.size(); i++) {
            if (extensions.get(i).type() == type) {
                return i;
            }
        }
        return -1;
    }

    byte[] data(int type) {
        int i = indexOf(type);
        if (i < 0) {
            throw new AssertionError("no extension " + type);
        }
        return extensions.get(i).data();
    }

    HostileClientHello remove(int type) {
        int i = indexOf(type);
        if (i < 0) {
            throw new AssertionError("no extension " + type);
        }
        extensions.remove(i);
        return this;
    }

    HostileClientHello replace(int type, byte[] data) {
        extensions.set(indexOf(type), new Ext(type, data));
        return this;
    }

    HostileClientHello insert(int index, int type, byte[] data) {
        extensions.add(index, new Ext(type, data));
        return this;
    }

    /** Adds an extension just before pre_shared_key, which must stay last. */
    HostileClientHello addBeforePsk(int type, byte[] data) {
        int psk = indexOf(ExtensionType.PRE_SHARED_KEY);
        return insert(psk < 0 ? extensions.size() : psk, type, data);
    }

    HostileClientHello moveToFront(int type) {
        byte[] d = data(type);
        remove(type);
        return insert(0, type, d);
    }

    /** Replaces pre_shared_key with these identities and zero binders of these lengths (signed later). */
    HostileClientHello psk(List<String> identities, int... binderLengths) {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.begin16();
        for (String id : identities) {
            w.bytes16(id.getBytes(StandardCharsets.UTF_8)).u32(0);
        }
        w.end().begin16();
        for (int len : binderLengths) {
            w.bytes8(new byte[len]);
        }
        w.end();
        return replace(ExtensionType.PRE_SHARED_KEY, ByteBufUtil.getBytes(w.buffer()));
    }

    static byte[] u16List(int lengthBytes, int... values) {
        byte[] out = new byte[lengthBytes + 2 * values.length];
        int n = 2 * values.length;
        if (lengthBytes == 1) {
            out[0] = (byte) n;
        } else {
            out[0] = (byte) (n >>> 8);
            out[1] = (byte) n;
        }
        for (int i = 0; i < values.length; i++) {
            out[lengthBytes + 2 * i] = (byte) (values[i] >>> 8);
            out[lengthBytes + 2 * i + 1] = (byte) values[i];
        }
        return out;
    }

    // ---- assembly ----

    /** The ClientHello message (handshake header included) with fresh binders. */
    byte[] message() {
        ByteBuf buf = Unpooled.buffer();
        MessageWriter w = new MessageWriter(buf);
        w.beginMessage(HandshakeType.CLIENT_HELLO).u16(legacyVersion).bytes(random).bytes8(sessionId)
                .bytes16(cipherSuites).bytes8(compression);
        int pskData = -1;
        int pskLength = 0;
        if (hasExtensionBlock) {
            w.begin16();
            for (Ext e : extensions) {
                w.beginExtension(e.type());
                if (e.type() == ExtensionType.PRE_SHARED_KEY && pskData < 0) {
                    pskData = w.position();
                    pskLength = e.data().length;
                }
                w.bytes(e.data()).end();
            }
            w.end();
        }
        w.end();
        byte[] message = ByteBufUtil.getBytes(w.buffer());
        if (pskData >= 0 && binderSecrets != null) {
            signBinders(message, pskData, pskLength);
        }
        return message;
    }

    /** The message in one handshake record. */
    byte[] record() {
        return HostileWire.record(ContentType.HANDSHAKE, message());
    }

    private void signBinders(byte[] message, int pskData, int pskLength) {
        int end = pskData + pskLength;
        int p = pskData;
        if (p + 2 > end) {
            return;
        }
        p += 2 + u16(message, p);
        if (p + 2 > end) {
            return; // malformed on purpose: nothing to sign
        }
        int truncated = p;
        int bindersEnd = Math.min(end, p + 2 + u16(message, p));
        p += 2;
        for (int i = 0; p < bindersEnd && i < binderSecrets.size(); i++) {
            int len = message[p] & 0xff;
            p++;
            byte[] secret = binderSecrets.get(i);
            if (secret != null && len == binderHash.length() && p + len <= bindersEnd) {
                System.arraycopy(binder(binderHash, secret, priorTranscript, message, truncated), 0, message, p, len);
            }
            p += len;
        }
    }

    /**
     * The external-PSK binder over {@code prior} (or nothing) followed by the first {@code truncatedLength} bytes of
     * {@code message}; {@code prior} is not changed.
     */
    static byte[] binder(HashAlgorithm hash, byte[] secret, Transcript prior, byte[] message, int truncatedLength) {
        Tls13KeySchedule ks = new Tls13KeySchedule(hash, secret);
        try {
            byte[] binderKey = ks.binderKey();
            Transcript t = prior != null ? prior : new Transcript();
            byte[] th = t.hashWith(hash, Unpooled.wrappedBuffer(message), truncatedLength);
            return ks.verifyData(binderKey, th);
        } finally {
            ks.destroy();
        }
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    @Override
    public String toString() {
        return "HostileClientHello" + Arrays.toString(extensions.stream().mapToInt(Ext::type).toArray());
    }
}
