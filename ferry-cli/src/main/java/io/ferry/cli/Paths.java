package io.ferry.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the runner finds what the build laid out. */
final class Paths {
    private Paths() {}

    static Path home() {
        return Path.of(System.getProperty("ferry.home", ".")).toAbsolutePath().normalize();
    }

    static Path pluginPath() {
        Path p = Path.of(System.getProperty("ferry.plugin.path",
                home().resolve("connect-plugins/target/plugin-path").toString()));
        if (!Files.isDirectory(p.resolve("ferry-sink-connector"))) {
            throw new IllegalStateException("no Connect plugin.path at " + p + ": build first (mvn -DskipTests install)");
        }
        return p;
    }

    static Path connectors() {
        return home().resolve("connectors");
    }
}
