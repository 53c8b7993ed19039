package io.tlspsk.codec.record;

/** Size limits of the record layer (RFC 8446 section 5.1 and 5.2). */
public final class RecordLimits {
    /** Header: type(1) legacy_record_version(2) length(2). */
    public static final int HEADER_LENGTH = 5;
    /** TLSPlaintext.length MUST NOT exceed 2^14 bytes. */
    public static final int MAX_PLAINTEXT_LENGTH = 1 << 14;
    /** TLSInnerPlaintext may add the content type and up to 255 bytes of padding-plus-tag expansion. */
    public static final int MAX_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 256;
    /** TLS 1.2 allows 2048 bytes of expansion (RFC 5246 section 6.2.3); we accept it only on 1.2 connections. */
    public static final int MAX_TLS12_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 2048;

    private RecordLimits() {
    }
}
