package io.tlspsk.examples;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code psk-tool genkey}: a fresh random key. */
@Command(name = "genkey", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Prints a fresh random key in lowercase hex, from the system's strong random source."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:printed", ExitCodes.USAGE_ENTRY})
final class GenkeyCommand extends ToolCommand {

    static final int MIN_KEY_BYTES = 16;
    static final int MAX_KEY_BYTES = 1024;

    @Option(names = "--bytes", paramLabel = "N", defaultValue = "32",
            description = {"Key length in bytes, 16 to 1024 (default ${DEFAULT-VALUE})."})
    int keyBytes;

    @Override
    void validate() throws UsageException {
        checkRange("--bytes", keyBytes, MIN_KEY_BYTES, MAX_KEY_BYTES);
    }

    @Override
    int run(ToolIo io) {
        byte[] key = new byte[keyBytes];
        new SecureRandom().nextBytes(key);
        io.out().accept(HexFormat.of().formatHex(key));
        Arrays.fill(key, (byte) 0);
        return ExitCodes.OK;
    }
}
