package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The running transcript hash (RFC 8446 section 4.4.1). Until the cipher suite, and so the hash, is known, the
 * messages are kept as bytes; after {@link #selectHash} they feed a digest that is cloned for intermediate values.
 */
public final class Transcript {

    private ByteArrayOutputStream buffered = new ByteArrayOutputStream(512);
    private MessageDigest digest;
    private HashAlgorithm hash;

    /** Adds a whole handshake message (header included): the readable bytes of {@code message}, not consumed. */
    public void add(ByteBuf message) {
        add(message, message.readableBytes());
    }

    /** Adds the first {@code length} readable bytes of {@code message}, not consumed. */
    public void add(ByteBuf message, int length) {
        int from = message.readerIndex();
        if (digest != null) {
            if (message.hasArray()) {
                digest.update(message.array(), message.arrayOffset() + from, length);
            } else {
                digest.update(message.nioBuffer(from, length));
            }
        } else {
            byte[] tmp = new byte[length];
            message.getBytes(from, tmp);
            buffered.write(tmp, 0, length);
        }
    }

    /** Fixes the hash; buffered messages are hashed now. */
    public void selectHash(HashAlgorithm hash) {
        if (this.hash != null) {
            if (this.hash != hash) {
                throw new IllegalStateException("transcript hash already " + this.hash);
            }
            return;
        }
        this.hash = hash;
        this.digest = newDigest(hash);
        digest.update(buffered.toByteArray());
        buffered = null;
    }

    public HashAlgorithm hash() {
        return hash;
    }

    /** Transcript-Hash of everything added so far. */
    public byte[] currentHash() {
        return cloneDigest().digest();
    }

    /**
     * Transcript-Hash of everything added so far followed by the first {@code length} readable bytes of
     * {@code partial}: the binder input over a truncated ClientHello (RFC 8446 section 4.2.11.2). With the hash not
     * yet selected, {@code hash} says which to use.
     */
    public byte[] hashWith(HashAlgorithm hash, ByteBuf partial, int length) {
        MessageDigest d;
        if (digest != null) {
            if (hash != this.hash) {
                throw new IllegalStateException("transcript hash is " + this.hash);
            }
            d = cloneDigest();
        } else {
            d = newDigest(hash);
            d.update(buffered.toByteArray());
        }
        byte[] tmp = new byte[length];
        partial.getBytes(partial.readerIndex(), tmp);
        d.update(tmp);
        return d.digest();
    }

    /**
     * Replaces ClientHello1 by {@code message_hash} (RFC 8446 section 4.4.1) when a HelloRetryRequest follows it.
     * Must be called with only ClientHello1 added and the hash selected.
     */
    public void replaceWithMessageHash() {
        byte[] ch1 = digest.digest(); // resets the digest
        digest.update((byte) HandshakeType.MESSAGE_HASH);
        digest.update(new byte[] {0, 0, (byte) ch1.length});
        digest.update(ch1);
    }

    private MessageDigest cloneDigest() {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("digest cannot be cloned", e);
        }
    }

    private static MessageDigest newDigest(HashAlgorithm hash) {
        try {
            return MessageDigest.getInstance(hash.digestName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
