package io.tlspsk.examples;

import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** What {@code psk-tool --version} prints: the tool's version (from the build) and what it runs on. */
final class ToolVersion implements IVersionProvider {

    static final String RESOURCE = "psk-tool.properties";

    /** The project version the tool was built from, or "unknown" when the build's resource is missing. */
    static String version() {
        try (InputStream in = ToolVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        Version netty = Version.identify(ToolVersion.class.getClassLoader()).get("netty-common");
        return new String[] {
            "psk-tool " + version(),
            "Netty " + (netty != null ? netty.artifactVersion() : "unknown") + ", Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }
}
