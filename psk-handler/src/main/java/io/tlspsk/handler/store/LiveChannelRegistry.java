package io.tlspsk.handler.store;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live server connections of each PSK identity on this gateway, so that revoking an identity also ends the
 * connections it already has. Opt in on the server context ({@code PskTlsContext.Builder.liveChannels}) and register
 * it with the store:
 *
 * <pre>{@code
 * LiveChannelRegistry live = new LiveChannelRegistry();
 * store.addListener(live);
 * PskTlsContext tls = PskTlsContext.forServer(PskSelector.fromStore(store)).liveChannels(live).build();
 * }</pre>
 *
 * <p>A channel is added when its handshake completes and removed when it closes. {@link #revoked} closes every
 * channel of the identity with {@code channel.close()}, which sends close_notify first (RFC 8446 section 6.1). A
 * context without a registry does no work for it. A handshake that completes in the instant between the revocation
 * and the sweep can outlive it; its identity is gone from the store, so it cannot reconnect.
 */
public final class LiveChannelRegistry implements PskStoreListener {

    /** Identity to its channels: a {@link Channel} for the usual single connection, a {@code Channel[]} for more. */
    private final ConcurrentHashMap<PskIdentity, Object> live = new ConcurrentHashMap<>();
    private final LongAdder closedByRevocation = new LongAdder();

    /** Adds {@code channel} as a live connection of {@code identity} until it closes. */
    public void register(PskIdentity identity, Channel channel) {
        live.compute(identity, (id, current) -> with(current, channel));
        channel.closeFuture().addListener(f -> live.computeIfPresent(identity, (id, current) -> without(current, channel)));
    }

    private static Object with(Object current, Channel channel) {
        if (current == null) {
            return channel;
        }
        Channel[] now = current instanceof Channel ? new Channel[] {(Channel) current} : (Channel[]) current;
        Channel[] more = Arrays.copyOf(now, now.length + 1);
        more[now.length] = channel;
        return more;
    }

    private static Object without(Object current, Channel channel) {
        if (current == channel) {
            return null;
        }
        if (!(current instanceof Channel[])) {
            return current;
        }
        Channel[] now = (Channel[]) current;
        List<Channel> rest = new ArrayList<>(now.length);
        for (Channel c : now) {
            if (c != channel) {
                rest.add(c);
            }
        }
        return rest.isEmpty() ? null : rest.size() == 1 ? rest.get(0) : rest.toArray(new Channel[0]);
    }

    /** The live channels of {@code identity} now. */
    public List<Channel> channels(PskIdentity identity) {
        Object current = live.get(identity);
        if (current == null) {
            return List.of();
        }
        return current instanceof Channel ? List.of((Channel) current) : List.of((Channel[]) current);
    }

    /** Identities with at least one live channel. */
    public int identities() {
        return live.size();
    }

    /** Connections closed because their identity was revoked. */
    public long closedByRevocation() {
        return closedByRevocation.sum();
    }

    /** Closes every live channel of {@code identity}, each with close_notify. */
    @Override
    public void revoked(PskIdentity identity) {
        Object current = live.remove(identity);
        if (current == null) {
            return;
        }
        for (Channel c : current instanceof Channel ? new Channel[] {(Channel) current} : (Channel[]) current) {
            closedByRevocation.increment();
            c.close();
        }
    }
}
