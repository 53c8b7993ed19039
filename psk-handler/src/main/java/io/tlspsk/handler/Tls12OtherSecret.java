package io.tlspsk.handler;

import io.tlspsk.codec.CipherSuite.KeyExchange;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.KeyShare;
import io.tlspsk.codec.tls12.PskPremaster;
import java.security.GeneralSecurityException;

/**
 * The other_secret of a TLS 1.2 (EC)DHE_PSK premaster (RFC 4279 section 3, RFC 5489 section 2): our ephemeral share
 * agreed with the peer's public value, by the client with dh_Ys or the server's ECPoint, by the server with dh_Yc or
 * the client's ECPoint.
 */
final class Tls12OtherSecret {

    private Tls12OtherSecret() {
    }

    /**
     * Agrees {@code share} (destroyed here, whatever happens) with {@code peerPublic}; for DHE_PSK strips the leading
     * zero bytes TLS 1.2 drops (RFC 5246 section 8.1.2).
     *
     * @param peer {@code "server"} or {@code "client"}, for the message
     * @throws TlsAlertException when the peer's value is invalid: handshake_failure for a DH value outside
     *         1 &lt; Y &lt; p-1 (RFC 7919 sections 3 and 4 name that alert, for the client and the server alike),
     *         illegal_parameter for an unusable ECDH point (no RFC names one there; illegal_parameter is what TLS 1.3
     *         uses for a bad key share)
     */
    static byte[] agree(KeyShare share, byte[] peerPublic, KeyExchange kind, String peer) throws TlsAlertException {
        try {
            byte[] z = share.agree(peerPublic);
            return kind == KeyExchange.DHE_PSK ? PskPremaster.dhOtherSecret(z) : z;
        } catch (GeneralSecurityException e) {
            throw new TlsAlertException(kind == KeyExchange.DHE_PSK ? AlertDescription.HANDSHAKE_FAILURE
                    : AlertDescription.ILLEGAL_PARAMETER, "invalid " + peer + " key exchange value", e);
        } finally {
            share.destroy();
        }
    }
}
