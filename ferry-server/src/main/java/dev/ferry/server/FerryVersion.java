package dev.ferry.server;

import picocli.CommandLine;

/** picocli's provider of {@code --version}'s lines ({@link VersionText}). */
final class FerryVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return VersionText.lines();
    }

    /** Ferry's version, as in the pom. */
    static String version() {
        return VersionText.version();
    }
}
