package io.tlspsk.codec.handshake;

/** A key_share entry (RFC 8446 section 4.2.8): a group codepoint and the encoded public key. */
public final class KeyShareEntry {

    private final int group;
    private final byte[] keyExchange;

    public KeyShareEntry(int group, byte[] keyExchange) {
        this.group = group;
        this.keyExchange = keyExchange;
    }

    public int group() {
        return group;
    }

    /** The encoded public key; not copied. */
    public byte[] keyExchange() {
        return keyExchange;
    }
}
