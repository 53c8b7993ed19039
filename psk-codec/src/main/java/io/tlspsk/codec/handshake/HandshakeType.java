package io.tlspsk.codec.handshake;

/** Handshake message types (RFC 8446 section 4), including message_hash for the HelloRetryRequest transcript. */
public final class HandshakeType {
    public static final int CLIENT_HELLO = 1;
    public static final int SERVER_HELLO = 2;
    public static final int NEW_SESSION_TICKET = 4;
    public static final int END_OF_EARLY_DATA = 5;
    public static final int ENCRYPTED_EXTENSIONS = 8;
    public static final int CERTIFICATE = 11;
    public static final int CERTIFICATE_REQUEST = 13;
    public static final int CERTIFICATE_VERIFY = 15;
    public static final int FINISHED = 20;
    public static final int KEY_UPDATE = 24;
    public static final int MESSAGE_HASH = 254;

    /** Type(1) and uint24 length. */
    public static final int HEADER_LENGTH = 4;

    private HandshakeType() {
    }

    public static String name(int type) {
        switch (type) {
            case CLIENT_HELLO: return "ClientHello";
            case SERVER_HELLO: return "ServerHello";
            case NEW_SESSION_TICKET: return "NewSessionTicket";
            case END_OF_EARLY_DATA: return "EndOfEarlyData";
            case ENCRYPTED_EXTENSIONS: return "EncryptedExtensions";
            case CERTIFICATE: return "Certificate";
            case CERTIFICATE_REQUEST: return "CertificateRequest";
            case CERTIFICATE_VERIFY: return "CertificateVerify";
            case FINISHED: return "Finished";
            case KEY_UPDATE: return "KeyUpdate";
            default: return "handshake(" + type + ")";
        }
    }
}
