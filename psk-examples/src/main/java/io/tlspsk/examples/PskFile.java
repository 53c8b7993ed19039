package io.tlspsk.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads keys from a file in Mosquitto's {@code psk_file} format, one {@code identity:hexkey} per line, so that
 * keys need not appear on the command line (where {@code ps} shows them to every user). A line may end with
 * {@code :sha256} or {@code :sha384} as on the command line ({@link PskSpec}); blank lines and lines starting with
 * {@code #} are skipped, and spaces around a line are ignored. The file is read once, when the command starts.
 *
 * <p>Errors name the file, the line number and the identity, never a key.
 */
final class PskFile {

    /** A longer line is refused: an identity is at most 65535 bytes, a key a few hundred digits. */
    static final int MAX_LINE_LENGTH = 70_000;
    /** More entries than this are refused: the whole file is held in memory. */
    static final int MAX_ENTRIES = 1_000_000;

    private PskFile() {
    }

    /**
     * Reads every key of {@code file} in file order. A file that other users may read is loaded with a warning
     * to {@code warn}.
     *
     * @throws UsageException when the file cannot be read or a line is not a valid key; keys already read are
     *         destroyed then
     */
    static List<PskSpec.Parsed> read(Path file, boolean allowShortKey, Consumer<String> warn) throws UsageException {
        String name = "--psk-file " + file;
        List<PskSpec.Parsed> keys = new ArrayList<>();
        boolean done = false;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.length() > MAX_LINE_LENGTH) {
                    throw new UsageException(name + " line " + lineNumber + ": longer than " + MAX_LINE_LENGTH
                            + " characters");
                }
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                if (keys.size() == MAX_ENTRIES) {
                    throw new UsageException(name + ": more than " + MAX_ENTRIES + " keys");
                }
                keys.add(PskSpec.parse(entry, allowShortKey, name + " line " + lineNumber));
            }
            if (keys.isEmpty()) {
                throw new UsageException(name + ": no key in the file");
            }
            done = true;
        } catch (NoSuchFileException e) {
            throw new UsageException(name + ": no such file");
        } catch (CharacterCodingException e) {
            throw new UsageException(name + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UsageException(name + ": cannot read it (" + HandshakeLines.message(e) + ")");
        } finally {
            if (!done) {
                keys.forEach(k -> k.psk().destroy());
            }
        }
        warnIfOthersCanRead(file, warn);
        return keys;
    }

    private static void warnIfOthersCanRead(Path file, Consumer<String> warn) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                warn.accept("warning: --psk-file " + file + " can be read by other users; chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to say
        }
    }
}
