package dev.ferry.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The lines of {@code ferry --version}: Ferry's version (filtered in by the build) and the JVM's. Kept
 * apart from {@link FerryVersion}, picocli's face of it, so that printing them loads no picocli class.
 */
final class VersionText {
    private static final String RESOURCE = "version.properties";

    private VersionText() {}

    /** {@code ferry VERSION} and {@code JVM: NAME VERSION (VENDOR)}. */
    static String[] lines() {
        return new String[] {
            "ferry " + version(),
            "JVM: " + System.getProperty("java.vm.name") + " " + Runtime.version() + " ("
                    + System.getProperty("java.vendor") + ")"
        };
    }

    /** Ferry's version, as in the pom. */
    static String version() {
        try (InputStream in = VersionText.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing next to " + VersionText.class.getName());
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }
}
