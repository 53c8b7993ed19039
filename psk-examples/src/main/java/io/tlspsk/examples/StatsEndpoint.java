package io.tlspsk.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code psk-tool server --stats-port}: serves the server's {@link ServerStats.Sample} line over HTTP at
 * {@code http://127.0.0.1:PORT/stats}, on the loopback address only, for {@code psk-tool load --stats-port} (or
 * {@code curl}). Off unless asked for; it reveals counters and timings, never keys or identities.
 */
final class StatsEndpoint implements AutoCloseable {

    static final String PATH = "/stats";
    /** How long reading the endpoint may take, connecting and reading each. */
    static final int FETCH_TIMEOUT_MILLIS = 5_000;
    /** A stats line is about 250 bytes; more is not a stats line. */
    static final int MAX_RESPONSE_BYTES = 4096;

    private final HttpServer http;

    private StatsEndpoint(HttpServer http) {
        this.http = http;
    }

    /** Listens on 127.0.0.1:{@code port} (0 picks a free port) and serves {@code sample} on each request. */
    static StatsEndpoint start(int port, Supplier<ServerStats.Sample> sample) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        http.createContext("/", exchange -> answer(exchange, sample));
        http.start();
        return new StatsEndpoint(http);
    }

    private static void answer(HttpExchange exchange, Supplier<ServerStats.Sample> sample) throws IOException {
        try (exchange) {
            boolean found = PATH.equals(exchange.getRequestURI().getPath());
            byte[] body = ((found ? sample.get().line() : "not found; try " + PATH) + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=us-ascii");
            exchange.sendResponseHeaders(found ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The URL it serves at. */
    String url() {
        return "http://" + HandshakeLines.address(http.getAddress()) + PATH;
    }

    int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
    }

    /**
     * Reads the stats of the server whose endpoint listens on {@code address:port}, bounded in time.
     *
     * @throws IOException when it cannot be reached or does not answer with a stats line
     */
    static ServerStats.Sample fetch(InetAddress address, int port) throws IOException {
        String host = address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + ":" + port + PATH).toURL()
                .openConnection(java.net.Proxy.NO_PROXY);
        c.setConnectTimeout(FETCH_TIMEOUT_MILLIS);
        c.setReadTimeout(FETCH_TIMEOUT_MILLIS);
        try {
            if (c.getResponseCode() != 200) {
                throw new IOException("server stats at " + host + ":" + port + " answered HTTP " + c.getResponseCode());
            }
            try (InputStream in = c.getInputStream()) {
                byte[] body = in.readNBytes(MAX_RESPONSE_BYTES);
                return ServerStats.Sample.parse(new String(body, StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new IOException("server stats at " + host + ":" + port + ": " + e.getMessage(), e);
            }
        } finally {
            c.disconnect();
        }
    }
}
