package io.tlspsk.handler;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** What a {@link PskSelector} sees of a ClientHello: every offered identity in wire order, and some context. */
public final class PskSelectionRequest {

    private final List<OfferedPsk> offered;
    private final String serverName;
    private final SocketAddress remoteAddress;

    PskSelectionRequest(List<OfferedPsk> offered, String serverName, SocketAddress remoteAddress) {
        this.offered = List.copyOf(offered);
        this.serverName = serverName;
        this.remoteAddress = remoteAddress;
    }

    /**
     * A request as a ClientHello offering {@code identities} (in wire order) would make: for testing and benchmarking
     * a {@link PskSelector} without a handshake.
     *
     * @throws IllegalArgumentException when {@code identities} is empty or holds an empty identity
     */
    public static PskSelectionRequest of(List<byte[]> identities, String serverName, SocketAddress remoteAddress) {
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("a ClientHello offers at least one identity");
        }
        List<OfferedPsk> offered = new ArrayList<>(identities.size());
        for (byte[] id : identities) {
            if (id.length == 0 || id.length > ExternalPsk.MAX_IDENTITY_LENGTH) {
                throw new IllegalArgumentException("a PSK identity is 1 to 65535 bytes");
            }
            offered.add(new OfferedPsk(offered.size(), id.clone()));
        }
        return new PskSelectionRequest(offered, serverName, remoteAddress);
    }

    /** The identities the client offered, in wire order (never empty). */
    public List<OfferedPsk> offeredPsks() {
        return offered;
    }

    /** The server_name the client sent, or {@code null}. */
    public String serverName() {
        return serverName;
    }

    /** The peer's address, or {@code null} when the channel has none. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}
