package io.tlspsk.interop;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A man in the middle on 127.0.0.1 that removes TLS 1.3 from ClientHellos: it renames the supported_versions
 * extension (43) of the first record a client sends to an unknown (GREASE, RFC 8701) type, keeping every length,
 * so the server sees a TLS 1.2-only ClientHello. Everything else is relayed unchanged, both ways. A TLS 1.3-capable
 * server then answers with TLS 1.2 and the downgrade sentinel of RFC 8446 section 4.1.3 in its random, which a
 * TLS 1.3-capable client must refuse.
 */
final class DowngradeProxy implements AutoCloseable {

    static final int SUPPORTED_VERSIONS = 43;
    static final int GREASE = 0x7a7a;

    private final ServerSocket listener;
    private final int targetPort;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private final AtomicInteger rewritten = new AtomicInteger();

    private DowngradeProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        listener = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(this::acceptLoop, "downgrade-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Relays 127.0.0.1:{@link #port()} to 127.0.0.1:{@code targetPort}. */
    static DowngradeProxy start(int targetPort) throws IOException {
        return new DowngradeProxy(targetPort);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** How many ClientHellos had their supported_versions renamed. */
    int rewritten() {
        return rewritten.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Socket server = new Socket();
                sockets.add(server);
                server.connect(new InetSocketAddress("127.0.0.1", targetPort), 5_000);
                client.setSoTimeout(20_000);
                server.setSoTimeout(20_000);
                pump("c2s", () -> {
                    forwardFirstRecord(client.getInputStream(), server.getOutputStream());
                    relay(client.getInputStream(), server.getOutputStream());
                }, client, server);
                pump("s2c", () -> relay(server.getInputStream(), client.getOutputStream()), client, server);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private void pump(String name, Io io, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                io.run();
            } catch (IOException ignored) {
                // one side went away
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "downgrade-proxy-" + name);
        t.setDaemon(true);
        pumps.add(t);
        t.start();
    }

    private void forwardFirstRecord(InputStream in, OutputStream out) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[5];
        data.readFully(header);
        int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        byte[] body = new byte[length];
        data.readFully(body);
        if (header[0] == 22 && body.length > 4 && body[0] == 1 && renameSupportedVersions(body)) {
            rewritten.incrementAndGet();
        }
        ByteArrayOutputStream record = new ByteArrayOutputStream(5 + length);
        record.write(header);
        record.write(body);
        out.write(record.toByteArray());
        out.flush();
    }

    /** Renames supported_versions in a ClientHello handshake message held whole in {@code m}; true if found. */
    static boolean renameSupportedVersions(byte[] m) {
        int p = 4 + 2 + 32;                 // handshake header, legacy_version, random
        p += 1 + (m[p] & 0xff);             // legacy_session_id
        p += 2 + u16(m, p);                 // cipher_suites
        p += 1 + (m[p] & 0xff);             // legacy_compression_methods
        if (p + 2 > m.length) {
            return false;
        }
        int end = p + 2 + u16(m, p);
        p += 2;
        while (p + 4 <= end && end <= m.length) {
            int type = u16(m, p);
            if (type == SUPPORTED_VERSIONS) {
                m[p] = (byte) (GREASE >>> 8);
                m[p + 1] = (byte) GREASE;
                return true;
            }
            p += 4 + u16(m, p + 2);
        }
        return false;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static void relay(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            out.flush();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        try {
            acceptor.join(5_000);
            for (Thread t : pumps) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
