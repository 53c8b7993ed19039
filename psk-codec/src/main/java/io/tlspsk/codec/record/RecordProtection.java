package io.tlspsk.codec.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.alert.TlsAlertException;

/**
 * Protection of records in one direction with one set of keys: TLS 1.3 AEAD now, the TLS 1.2 constructions
 * later. Not thread-safe; one instance per direction per channel.
 */
public interface RecordProtection {

    /**
     * Protects the readable bytes of {@code content} (at most 2^14) as one record of {@code contentType} and
     * returns the framed record, header included. Reads {@code content} but does not release it.
     */
    ByteBuf seal(ByteBufAllocator alloc, int contentType, ByteBuf content) throws TlsAlertException;

    /**
     * Verifies and decrypts one protected record. Returns the plaintext record with its real content type; the
     * caller keeps ownership of {@code record} and releases it.
     *
     * @throws TlsAlertException bad_record_mac when it does not verify, record_overflow or unexpected_message for
     *         a malformed inner plaintext
     */
    TlsRecord open(ByteBufAllocator alloc, TlsRecord record) throws TlsAlertException;

    /** True when this write key has protected as many records as it safely may (RFC 8446 section 5.5). */
    boolean needsKeyUpdate();

    /** Zeroes the keys; the instance is unusable afterwards. */
    void destroy();
}
