package io.tlspsk.codec.record;

/** Size limits of the record layer (RFC 8446 sections 5.1, 5.2 and 5.4; RFC 5246 sections 6.2.1 and 6.2.3). */
public final class RecordLimits {
    /** Header: type(1) legacy_record_version(2) length(2). */
    public static final int HEADER_LENGTH = 5;
    /**
     * TLSPlaintext.length MUST NOT exceed 2^14 bytes (RFC 8446 section 5.1, RFC 5246 section 6.2.1): the limit of an
     * unprotected record, and of the content a protected one carries.
     */
    public static final int MAX_PLAINTEXT_LENGTH = 1 << 14;
    /**
     * The full encoded TLSInnerPlaintext (content, content type and zero padding) MUST NOT exceed 2^14 + 1 bytes
     * (RFC 8446 section 5.4).
     */
    public static final int MAX_INNER_PLAINTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 1;
    /**
     * TLSCiphertext.length MUST NOT exceed 2^14 + 256 bytes (RFC 8446 section 5.2): the inner plaintext plus at most
     * 255 bytes of AEAD expansion.
     */
    public static final int MAX_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 256;
    /** TLS 1.2 allows 2048 bytes of expansion (RFC 5246 section 6.2.3); we accept it only on 1.2 connections. */
    public static final int MAX_TLS12_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 2048;

    private RecordLimits() {
    }
}
