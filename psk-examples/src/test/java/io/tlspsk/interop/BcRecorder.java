package io.tlspsk.interop;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsContext;

/**
 * What a BouncyCastle peer ({@link BcPskServer}, {@link BcPskClient}) saw: the alerts it raised and received, and
 * what its completed handshake negotiated, as BouncyCastle itself reports it.
 */
final class BcRecorder {

    final StringBuffer alerts = new StringBuffer();
    volatile int suite = -1;
    volatile String version;
    volatile boolean extendedMasterSecret;
    volatile boolean encryptThenMac;
    /** BouncyCastle's name of the negotiated (EC)DHE group, or null when there was none. */
    volatile String group;
    /** The PSK identity hint a TLS 1.2 client received, or null (none sent, or not a TLS 1.2 client). */
    volatile String hint;

    void handshakeComplete(TlsContext context) {
        SecurityParameters p = context.getSecurityParametersConnection();
        suite = p.getCipherSuite();
        version = p.getNegotiatedVersion().toString();
        extendedMasterSecret = p.isExtendedMasterSecret();
        encryptThenMac = p.isEncryptThenMAC();
        int g = p.getNegotiatedGroup();
        group = g >= 0 ? NamedGroup.getName(g) : null;
    }

    void alertRaised(short level, short description, String message) {
        alerts.append("raised ").append(AlertLevel.getText(level)).append(' ')
                .append(AlertDescription.getText(description)).append(message != null ? ": " + message : "")
                .append("; ");
    }

    void alertReceived(short level, short description) {
        alerts.append("received ").append(AlertLevel.getText(level)).append(' ')
                .append(AlertDescription.getText(description)).append("; ");
    }

    @Override
    public String toString() {
        return "suite=0x" + Integer.toHexString(suite) + " version=" + version + " ems=" + extendedMasterSecret
                + " etm=" + encryptThenMac + " group=" + group + " hint=" + hint + " alerts=[" + alerts + "]";
    }
}
