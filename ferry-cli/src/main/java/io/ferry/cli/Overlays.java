package io.ferry.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the runner changes in the deployable connector JSON to point it at concrete servers. Everything else in
 * those files (the design, the tuning) is used as written, so a design tried locally deploys unchanged.
 */
public final class Overlays {
    private Overlays() {}

    public static Map<String, String> source(SourceEndpoint source, String bootstrap, String topicPrefix) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("database.hostname", source.host());
        o.put("database.port", Integer.toString(source.port()));
        o.put("database.user", source.user());
        o.put("database.password", source.password() == null ? "" : source.password());
        o.put("database.include.list", source.database());
        o.put("schema.history.internal.kafka.bootstrap.servers", bootstrap);
        o.put("topic.prefix", topicPrefix);
        o.put("schema.history.internal.kafka.topic", topicPrefix + ".schema-history");
        o.put("notification.sink.topic.name", topicPrefix + ".notifications");
        // ferry reload signals Debezium here (key: topic.prefix)
        o.put("signal.kafka.topic", topicPrefix + ".signals");
        o.put("signal.kafka.bootstrap.servers", bootstrap);
        return o;
    }

    public static Map<String, String> sink(String pgUrl, String user, String password, String topicPrefix,
                                           String database) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("connection.url", pgUrl);
        o.put("connection.user", user);
        o.put("connection.password", password == null ? "" : password);
        // the table topics, and Debezium's notifications (TABLE_SCAN_COMPLETED tells the sink when a table is loaded)
        o.put("topics.regex", regexLiteral(topicPrefix) + "\\.(" + regexLiteral(database) + "\\..*|notifications)");
        o.put("errors.deadletterqueue.topic.name", topicPrefix + ".sink.dlq");
        return o;
    }

    /**
     * For a sink applying whole source transactions ({@code cdc.apply.mode=transactional}, asked for or already in
     * the file): Debezium's transaction topic subscribed and named, and one task. Empty otherwise.
     */
    public static Map<String, String> transactional(ConnectorFile sink, boolean asked, String topicPrefix,
                                                    String database) {
        if (!asked && !"transactional".equalsIgnoreCase(sink.config().getOrDefault("cdc.apply.mode", "").trim())) {
            return Map.of();
        }
        Map<String, String> o = new LinkedHashMap<>();
        o.put("cdc.apply.mode", "transactional");
        o.put("transaction.topic", topicPrefix + ".transaction");
        o.put("topics.regex", regexLiteral(topicPrefix) + "\\.(" + regexLiteral(database)
                + "\\..*|notifications|transaction)");
        o.put("tasks.max", "1");
        return o;
    }

    public static final String BINARY_CONVERTER = "io.ferry.converter.FerryBinaryConverter";
    public static final String JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";

    /**
     * The converters of a runner's own topics ({@code ferry migrate}, {@code ferry demo}, on their own broker):
     * {@code binary}, Ferry's converter, what the shipped files set (the fast path), or {@code json}, Connect's JSON
     * with schemas, what {@code connectors/json/} sets (a resumed state dir keeps the format its topics were written
     * in, whatever the file says). A file that names another converter (Avro, say) keeps it.
     */
    public static Map<String, String> topicFormat(ConnectorFile file, boolean source, String format) {
        String named = file.config().get("value.converter");
        if (named != null && !named.equals(BINARY_CONVERTER) && !named.equals(JSON_CONVERTER)) {
            return Map.of();
        }
        Map<String, String> o = new LinkedHashMap<>();
        switch (format) {
            case "binary" -> {
                o.put("key.converter", BINARY_CONVERTER);
                o.put("value.converter", BINARY_CONVERTER);
                if (source) {
                    o.put("extended.headers.enabled", "false"); // per-record context headers cost more than the row
                }
            }
            case "json" -> {
                o.put("key.converter", JSON_CONVERTER);
                o.put("key.converter.schemas.enable", "true");
                o.put("value.converter", JSON_CONVERTER);
                o.put("value.converter.schemas.enable", "true");
            }
            default -> throw new IllegalArgumentException("topic format " + format + ": not binary or json");
        }
        return o;
    }

    private static String regexLiteral(String s) {
        return s.replaceAll("([\\\\.\\[\\]{}()*+?^$|-])", "\\\\$1");
    }
}
