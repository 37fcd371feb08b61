package io.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.embedded.KafkaConnectServer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** An in-process Kafka broker and Connect worker, with connectors validated and deployed onto it. */
final class LocalPipeline implements AutoCloseable {

    final KafkaConnectServer server;
    final ConnectClient client;
    private final PrintStream out;

    private LocalPipeline(KafkaConnectServer server, PrintStream out) {
        this.server = server;
        this.client = new ConnectClient(server.restUrl());
        this.out = out;
    }

    static LocalPipeline start(Path stateDir, PrintStream out) throws Exception {
        return new LocalPipeline(KafkaConnectServer.start(stateDir, Paths.pluginPath()), out);
    }

    /** Validates every connector, then creates or updates them all; nothing is deployed unless all are valid. */
    void deploy(ConnectorFile... connectors) throws IOException {
        ConnectorValidator validator = new ConnectorValidator(client);
        List<String> problems = new java.util.ArrayList<>();
        for (ConnectorFile c : connectors) {
            problems.addAll(validator.validate(c));
        }
        if (!problems.isEmpty()) {
            throw new UserError("the connectors are not valid, nothing was deployed:\n  " + String.join("\n  ", problems),
                    "fix the connector JSON (or the server it names) and run again");
        }
        for (ConnectorFile c : connectors) {
            client.put(c.name(), c.config());
            out.println("  deployed " + c.name() + " (" + c.connectorClass() + ")");
        }
    }

    /**
     * The source's table topics made before it is deployed, where their names are certain ({@link TableTopics}).
     * {@code -Dferry.no.table.topics=true} (in FERRY_JAVA_OPTS) leaves them to Connect, as before: how the difference
     * is measured.
     */
    void createTableTopics(ConnectorFile source, String database, java.util.Collection<String> tables) {
        if (Boolean.getBoolean("ferry.no.table.topics")) {
            return;
        }
        int made = TableTopics.create(server.bootstrapServers(), TableTopics.plan(source, database, tables));
        if (made > 0) {
            out.println("  made " + made + " table topic(s) up front");
        }
    }

    /** Throws with the task's trace when a connector or task has FAILED. */
    void checkHealthy(String... names) throws IOException {
        for (String name : names) {
            JsonNode s;
            try {
                s = client.status(name);
            } catch (IOException e) {
                continue; // not yet known to the worker
            }
            if ("FAILED".equals(s.path("connector").path("state").asText())) {
                throw new IOException("connector " + name + " FAILED: " + s.path("connector").path("trace").asText());
            }
            for (JsonNode t : s.path("tasks")) {
                if ("FAILED".equals(t.path("state").asText())) {
                    throw new IOException("connector " + name + " task " + t.path("id").asText() + " FAILED: "
                            + t.path("trace").asText());
                }
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
