package io.ferry.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The names `ferry migrate` gives its connectors: {@code ferry-<database>-source} and {@code -sink} for the shipped
 * connector files (their own names belong to the Sakila demo), the file's own name for a file of the user's, or
 * {@code --name}. Kept in the state directory, so a restart deploys the same connectors; a state directory from before
 * names were kept goes on with the connectors its Connect worker already runs.
 */
record ConnectorNames(String source, String sink) {

    static final String FILE = "connector-names.properties";

    /** The names stored in the state directory, or null. */
    static ConnectorNames stored(Path stateDir) throws IOException {
        Path f = stateDir.resolve(FILE);
        if (!Files.exists(f)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return new ConnectorNames(p.getProperty("source"), p.getProperty("sink"));
    }

    void store(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Properties p = new Properties();
        p.setProperty("source", source);
        p.setProperty("sink", sink);
        try (Writer w = Files.newBufferedWriter(stateDir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.store(w, "connectors ferry migrate deployed from this state directory");
        }
    }

    /**
     * @param prefix   --name, or null
     * @param shipped  whether the files are the project's own (connectors/), whose names must not leak
     */
    static ConnectorNames derive(String prefix, String database, ConnectorFile source, ConnectorFile sink,
                                 boolean sourceShipped, boolean sinkShipped) {
        String base = prefix != null ? prefix : "ferry-" + database.replaceAll("[^A-Za-z0-9_.-]", "_");
        return new ConnectorNames(prefix != null || sourceShipped ? base + "-source" : source.name(),
                prefix != null || sinkShipped ? base + "-sink" : sink.name());
    }

    /** The connectors a Connect worker already runs from an older state directory, when there is one of each. */
    static ConnectorNames running(ConnectClient client) throws IOException {
        String source = null;
        String sink = null;
        for (String name : client.connectors()) {
            String cls = client.config(name).getOrDefault("connector.class", "");
            if (cls.startsWith("io.debezium.connector.")) {
                source = source == null ? name : "";
            } else if (cls.equals("io.ferry.sink.FerrySinkConnector")) {
                sink = sink == null ? name : "";
            }
        }
        return source != null && sink != null && !source.isEmpty() && !sink.isEmpty()
                ? new ConnectorNames(source, sink) : null;
    }
}
