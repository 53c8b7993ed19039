package io.tlspsk.examples;

import picocli.CommandLine.Command;

/** {@code psk-tool demo}; see {@link Demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Server and client in one process on 127.0.0.1, with a fresh key: a psk_dhe_ke and a "
                + "psk_ke handshake, each with an echo, and how long each took."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:both exchanges negotiated what they asked for", " 1:one did not",
            ExitCodes.USAGE_ENTRY})
final class DemoCommand extends ToolCommand {

    @Override
    int run(ToolIo io) throws Exception {
        return Demo.run(Transports.best(), io.out(), io.err());
    }
}
