package io.tlspsk.handler;

import java.net.SocketAddress;
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
