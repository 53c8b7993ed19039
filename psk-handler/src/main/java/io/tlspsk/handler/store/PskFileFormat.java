package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text format of {@link FilePskStore}: Mosquitto's {@code psk_file} ({@code identity:hexkey}, one a line), with
 * extension fields after further colons, which Mosquitto ignores (it reads the key up to the next colon), so a file
 * with backup keys still works as Mosquitto's main-key file.
 *
 * <pre>
 *   # comment                                      (first non-blank character '#')
 *   device-1:00112233445566778899aabbccddeeff       (a Mosquitto line: main key, SHA-256, version 1)
 *   device-2:&lt;hex&gt;:hash=sha384:version=3:created=1733300000000:backup=&lt;hex&gt;:backup-version=4:backup-created=...
 * </pre>
 *
 * <p>As in Mosquitto, blanks around the identity and the key are trimmed and lines without a colon carry no key. Here
 * such lines, and every other line that cannot be read, are reported by line number and reason (never its content: it
 * may hold a key) and skipped; a duplicate identity keeps its first line, as in Mosquitto. Unlike Mosquitto, a key that
 * is not hex, has an odd number of digits or (by default) is shorter than 16 bytes is such a bad line, instead of
 * refusing the whole file.
 */
final class PskFileFormat {

    /** Longest line read (a 65,535-byte identity, two 255-byte keys in hex and the fields fit well within it). */
    static final int MAX_LINE_LENGTH = 200_000;

    private PskFileFormat() {
    }

    /** What a load found wrong: line numbers and reasons. */
    static final class Problems {
        final List<String> lines = new ArrayList<>();

        void add(int line, String reason) {
            lines.add("line " + line + ": " + reason);
        }
    }

    /** Reads {@code in} into {@code table}; bad lines go to {@code problems}. */
    static void read(Reader in, RotatingKeyTable table, Problems problems) throws IOException {
        char[] line = new char[256];
        int lineNumber = 0;
        java.util.Map<PskIdentity, Integer> firstLine = new java.util.HashMap<>();
        while (true) {
            int len = 0;
            int c;
            boolean tooLong = false;
            while ((c = in.read()) != -1 && c != '\n') {
                if (len == MAX_LINE_LENGTH) {
                    tooLong = true;
                    continue; // skip the rest of the line
                }
                if (len == line.length) {
                    char[] bigger = Arrays.copyOf(line, Math.min(line.length * 2, MAX_LINE_LENGTH));
                    Arrays.fill(line, '\0');
                    line = bigger;
                }
                line[len++] = (char) c;
            }
            if (c == -1 && len == 0 && !tooLong) {
                break;
            }
            lineNumber++;
            try {
                if (tooLong) {
                    problems.add(lineNumber, "longer than " + MAX_LINE_LENGTH + " characters");
                } else {
                    parseLine(line, len, lineNumber, table, problems, firstLine);
                }
            } finally {
                Arrays.fill(line, 0, len, '\0');
            }
            if (c == -1) {
                break;
            }
        }
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f';
    }

    private static void parseLine(char[] l, int len, int n, RotatingKeyTable table, Problems problems,
                                  java.util.Map<PskIdentity, Integer> firstLine) {
        int start = 0;
        while (start < len && blank(l[start])) {
            start++;
        }
        if (start == len || l[start] == '#') {
            return; // blank line or comment
        }
        int colon = indexOf(l, start, len, ':');
        if (colon < 0) {
            problems.add(n, "no ':' between identity and key");
            return;
        }
        String identityText = trimmed(l, start, colon);
        if (identityText.isEmpty()) {
            problems.add(n, "empty identity");
            return;
        }
        byte[] idBytes = identityText.getBytes(StandardCharsets.UTF_8);
        if (idBytes.length > PskIdentity.MAX_LENGTH) {
            problems.add(n, "identity longer than " + PskIdentity.MAX_LENGTH + " bytes");
            return;
        }
        PskIdentity identity = PskIdentity.of(idBytes);
        Integer first = firstLine.putIfAbsent(identity, n);
        if (first != null) {
            problems.add(n, "identity " + identity + " repeated (first on line " + first + "); ignored");
            return;
        }
        int keyEnd = indexOf(l, colon + 1, len, ':');
        if (keyEnd < 0) {
            keyEnd = len;
        }
        Fields f = new Fields();
        try {
            f.main = key(l, colon + 1, keyEnd, "key", table.allowsShortSecrets());
            for (int at = keyEnd; at < len; ) {
                int next = indexOf(l, at + 1, len, ':');
                if (next < 0) {
                    next = len;
                }
                field(l, at + 1, next, f, table.allowsShortSecrets());
                at = next;
            }
            if (f.backup == null && (f.backupVersion != 0 || f.backupCreated != 0)) {
                throw new BadLine("'backup-version' or 'backup-created' without 'backup'");
            }
            if (f.backup != null) {
                if (f.backupVersion == 0) {
                    throw new BadLine("'backup' without 'backup-version'");
                }
                if (f.backupVersion == f.version) {
                    throw new BadLine("main and backup keys have the same version");
                }
            }
            table.put(identity, f.hash, f.main, f.version, f.created, f.backup, f.backupVersion, f.backupCreated);
        } catch (BadLine e) {
            firstLine.remove(identity);
            problems.add(n, "identity " + identity + ": " + e.getMessage());
        } finally {
            Secrets.zero(f.main);
            Secrets.zero(f.backup);
        }
    }

    /** One line's fields as read. */
    private static final class Fields {
        byte[] main;
        byte[] backup;
        HashAlgorithm hash = HashAlgorithm.SHA256;
        int version = 1;
        long created;
        int backupVersion;
        long backupCreated;
    }

    private static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String reason) {
            super(reason, null, false, false);
        }
    }

    private static void field(char[] l, int from, int to, Fields f, boolean allowShort) throws BadLine {
        int eq = indexOf(l, from, to, '=');
        if (eq < 0) {
            throw new BadLine("field without '=' after the key");
        }
        String name = trimmed(l, from, eq);
        switch (name) {
            case "hash": {
                String v = trimmed(l, eq + 1, to);
                if (v.equals("sha256")) {
                    f.hash = HashAlgorithm.SHA256;
                } else if (v.equals("sha384")) {
                    f.hash = HashAlgorithm.SHA384;
                } else {
                    throw new BadLine("'hash' is neither sha256 nor sha384");
                }
                break;
            }
            case "version":
                f.version = version(trimmed(l, eq + 1, to), name);
                break;
            case "created":
                f.created = millis(trimmed(l, eq + 1, to), name);
                break;
            case "backup":
                if (f.backup != null) {
                    throw new BadLine("'backup' given twice");
                }
                f.backup = key(l, eq + 1, to, "backup key", allowShort);
                break;
            case "backup-version":
                f.backupVersion = version(trimmed(l, eq + 1, to), name);
                break;
            case "backup-created":
                f.backupCreated = millis(trimmed(l, eq + 1, to), name);
                break;
            default:
                throw new BadLine("unknown field '" + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "'");
        }
    }

    private static byte[] key(char[] l, int from, int to, String what, boolean allowShort) throws BadLine {
        while (from < to && blank(l[from])) {
            from++;
        }
        while (to > from && blank(l[to - 1])) {
            to--;
        }
        byte[] secret = Hex.decode(new CharArraySequence(l), from, to);
        if (secret == null) {
            throw new BadLine(what + " is not an even number of hex digits");
        }
        try {
            Secrets.check(secret, allowShort);
        } catch (IllegalArgumentException e) {
            Secrets.zero(secret);
            throw new BadLine(what + ": " + e.getMessage());
        }
        return secret;
    }

    private static int version(String v, String name) throws BadLine {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadLine("'" + name + "' is not a key version (1 to 2147483647)");
    }

    private static long millis(String v, String name) throws BadLine {
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadLine("'" + name + "' is not a time in milliseconds since 1970");
    }

    private static int indexOf(char[] l, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (l[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static String trimmed(char[] l, int from, int to) {
        while (from < to && blank(l[from])) {
            from++;
        }
        while (to > from && blank(l[to - 1])) {
            to--;
        }
        return new String(l, from, to - from);
    }

    /** A char[] seen as a CharSequence, without copying it into a String. */
    private static final class CharArraySequence implements CharSequence {
        private final char[] a;

        CharArraySequence(char[] a) {
            this.a = a;
        }

        @Override
        public int length() {
            return a.length;
        }

        @Override
        public char charAt(int index) {
            return a[index];
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            throw new UnsupportedOperationException();
        }
    }

    /** Refuses an identity the format cannot hold: a ':' or line break, blanks at either end, a leading '#'. */
    static void checkWritable(PskIdentity identity) {
        String s = identity.asString();
        if (!Arrays.equals(s.getBytes(StandardCharsets.UTF_8), identity.bytes())) {
            throw new IllegalArgumentException("identity " + identity + " is not UTF-8 text, which a PSK file holds");
        }
        if (s.indexOf(':') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.startsWith("#")
                || blank(s.charAt(0)) || blank(s.charAt(s.length() - 1))) {
            throw new IllegalArgumentException("identity " + identity + " cannot be written to a PSK file (it has "
                    + "a ':' or line break, starts with '#', or starts or ends with a blank)");
        }
    }

    /** Writes every record of {@code table}, with a header, and zeroes the hex it made. */
    static void write(RotatingKeyTable table, OutputStream out) throws IOException {
        out.write(("# PSK keys (tls-psk-netty FilePskStore): identity:hexkey, Mosquitto's psk_file format, then\n"
                + "# optional :hash=sha384 :version=N :created=MS :backup=HEX :backup-version=N :backup-created=MS\n")
                .getBytes(StandardCharsets.UTF_8));
        IOException[] failure = new IOException[1];
        table.table.forEach(r -> {
            if (failure[0] != null) {
                return;
            }
            try {
                writeRecord(r, out);
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private static void writeRecord(byte[] r, OutputStream out) throws IOException {
        out.write(KeyRecord.identity(r).bytes());
        out.write(':');
        writeKey(out, r, 0);
        if (KeyRecord.hash(r) == HashAlgorithm.SHA384) {
            out.write(":hash=sha384".getBytes(StandardCharsets.US_ASCII));
        }
        attribute(out, "version", KeyRecord.version(r, 0), 1);
        attribute(out, "created", KeyRecord.createdMillis(r, 0), 0);
        if (KeyRecord.keyCount(r) > 1) {
            out.write(":backup=".getBytes(StandardCharsets.US_ASCII));
            writeKey(out, r, 1);
            attribute(out, "backup-version", KeyRecord.version(r, 1), 0);
            attribute(out, "backup-created", KeyRecord.createdMillis(r, 1), 0);
        }
        out.write('\n');
    }

    private static void writeKey(OutputStream out, byte[] r, int key) throws IOException {
        byte[] secret = KeyRecord.secret(r, key);
        byte[] hex = Hex.encode(secret);
        try {
            out.write(hex);
        } finally {
            Secrets.zero(secret);
            Secrets.zero(hex);
        }
    }

    private static void attribute(OutputStream out, String name, long value, long omitted) throws IOException {
        if (value != omitted) {
            out.write((":" + name + "=" + value).getBytes(StandardCharsets.US_ASCII));
        }
    }
}
