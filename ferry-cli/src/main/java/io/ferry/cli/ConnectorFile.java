package io.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A connector definition as Connect's REST API takes it: {"name": ..., "config": {...}}. The runner reads the very
 * files a data engineer deploys to a cluster and overlays only what differs locally (hosts, credentials).
 */
public record ConnectorFile(String name, Map<String, String> config) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ConnectorFile read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (!root.hasNonNull("name") || !root.path("config").isObject()) {
            throw new IOException(file + ": expected {\"name\": ..., \"config\": {...}} as for POST /connectors");
        }
        Map<String, String> config = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("config").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            config.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        }
        return new ConnectorFile(root.get("name").asText(), config);
    }

    /** The same JSON shape {@link #read} takes, for a file another command reads (--sink-config). */
    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        ObjectNode values = root.putObject("config");
        config.forEach(values::put);
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    public ConnectorFile with(Map<String, String> overlay) {
        Map<String, String> merged = new LinkedHashMap<>(config);
        merged.putAll(overlay);
        return new ConnectorFile(name, merged);
    }

    public ConnectorFile renamed(String newName) {
        return new ConnectorFile(newName, config);
    }

    public String connectorClass() {
        return config.get("connector.class");
    }

    /** The config with passwords masked, for printing. */
    public Map<String, String> printable() {
        Map<String, String> out = new LinkedHashMap<>();
        config.forEach((k, v) -> out.put(k, k.contains("password") && !v.startsWith("${") ? "********" : v));
        return out;
    }
}
