package io.tlspsk.handler;

import java.nio.charset.StandardCharsets;

/** One PSK identity offered by a client, at its position in the ClientHello's identity list (wire order). */
public final class OfferedPsk {

    private final int index;
    private final byte[] identity;

    OfferedPsk(int index, byte[] identity) {
        this.index = index;
        this.identity = identity;
    }

    /** Position in the client's list, from 0. */
    public int index() {
        return index;
    }

    /** A copy of the identity bytes. */
    public byte[] identity() {
        return identity.clone();
    }

    /** The identity decoded as UTF-8, invalid sequences replaced: the usual form for device "user names". */
    public String identityAsString() {
        return new String(identity, StandardCharsets.UTF_8);
    }

    byte[] identityBytes() {
        return identity;
    }

    @Override
    public String toString() {
        return "OfferedPsk(" + index + ", " + identityAsString() + ")";
    }
}
