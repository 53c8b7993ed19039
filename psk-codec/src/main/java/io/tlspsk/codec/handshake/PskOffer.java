package io.tlspsk.codec.handshake;

import java.util.List;

/**
 * The client's pre_shared_key extension (RFC 8446 section 4.2.11): identities and binders in wire order, and the
 * length of the binders list on the wire (its 2-byte length prefix included), which the truncated ClientHello
 * of section 4.2.11.2 leaves out.
 */
public final class PskOffer {

    private final List<byte[]> identities;
    private final long[] obfuscatedTicketAges;
    private final List<byte[]> binders;
    private final int bindersLength;

    PskOffer(List<byte[]> identities, long[] obfuscatedTicketAges, List<byte[]> binders, int bindersLength) {
        this.identities = identities;
        this.obfuscatedTicketAges = obfuscatedTicketAges;
        this.binders = binders;
        this.bindersLength = bindersLength;
    }

    /** Identities in wire order; the arrays are not copied. */
    public List<byte[]> identities() {
        return identities;
    }

    public long obfuscatedTicketAge(int index) {
        return obfuscatedTicketAges[index];
    }

    /** Binders in wire order, one per identity (checked when parsed). */
    public List<byte[]> binders() {
        return binders;
    }

    /** Bytes of the binders list including its 2-byte length: what the truncated ClientHello omits at its end. */
    public int bindersLength() {
        return bindersLength;
    }
}
