/**
 * PSK key stores for servers: where a gateway's device keys live, how they rotate, and how they are revoked.
 *
 * <p>The handshake knows nothing of stores: {@link io.tlspsk.handler.PskSelector#fromStore} turns any
 * {@link io.tlspsk.handler.store.PskStore} into the selector a server context takes. Each ClientHello makes one
 * batched {@link io.tlspsk.handler.store.PskStore#lookup} with every identity it offers; the first identity (wire order)
 * the store knows is chosen with its candidate keys, main first, then backup, each labelled
 * ({@link io.tlspsk.handler.store.KeyLabel}: {@code main-3}, {@code backup-4}). The handshake tries the candidates (TLS
 * 1.3 binder, TLS 1.2 Finished) and reports the label that verified in the session and the completion event.
 *
 * <h2>Stores</h2>
 * <ul>
 * <li>{@link io.tlspsk.handler.store.InMemoryPskStore}: millions of identities in one process, packed.</li>
 * <li>{@link io.tlspsk.handler.store.FilePskStore}: Mosquitto's {@code psk_file} format plus an extension for backup
 *     keys, reloaded when the file changes.</li>
 * <li>{@link io.tlspsk.handler.store.RedisPskStore}: one Redis shared by a fleet of gateways, changes announced to all
 *     of them (optional dependency: Lettuce).</li>
 * <li>{@link io.tlspsk.handler.store.DerivedPskStore}: no database at all; each device's key derived from a master
 *     secret and its identity.</li>
 * <li>{@link io.tlspsk.handler.store.CachingPskStore}: a cache in front of any of them (optional dependency:
 *     Caffeine).</li>
 * </ul>
 *
 * <h2>Rotation: main and backup keys</h2>
 * A device holds a main and a backup key under one identity. To rotate, the operator stages a new backup key (the
 * main key stays, so a device that never gets or uses the new key keeps working); once the device has authenticated
 * with the backup key, the store swaps the roles: the backup key becomes the main key and the previous main key stays
 * as the backup until the next rotation. If the device fails with the new key, nothing changes and the update can be
 * tried again. Versions count per identity, and each key keeps its version through a promotion.
 *
 * <pre>
 *   (absent) --add(k1)--&gt; main-1 --stageBackup(k2)--&gt; main-1 + backup-2
 *                                                         |  the device authenticates with backup-2: promoted
 *                                                         v
 *                                                    main-2 + backup-1 --stageBackup(k3)--&gt; main-2 + backup-3 --&gt; ...
 *
 *   stageBackup while the staged key is unused replaces it:  main-1 + backup-2 --stageBackup(k3)--&gt; main-1 + backup-3
 *   revoke(identity), from any state: absent, keys zeroed, live connections closed
 * </pre>
 *
 * <p>Promotion is conditional on the expected backup version ({@link io.tlspsk.handler.store.RotatingPskStore#promote}):
 * two gateways promoting at once swap once, and a late promotion after a newer rotation changes nothing. It is
 * triggered by the handshake itself: {@link io.tlspsk.handler.PskSelector#authenticated} after the client's Finished
 * verified, with the key that verified.
 *
 * <h2>Revocation</h2>
 * {@link io.tlspsk.handler.store.RotatingPskStore#revoke} removes the identity: later handshakes fail exactly as for an
 * unknown identity (TLS 1.3 handshake_failure; TLS 1.2, by default, a failure at the client's Finished). Listeners hear
 * {@link io.tlspsk.handler.store.PskStoreListener#revoked}; a {@link io.tlspsk.handler.store.LiveChannelRegistry}
 * then closes that identity's connections on this gateway with close_notify.
 */
package io.tlspsk.handler.store;
