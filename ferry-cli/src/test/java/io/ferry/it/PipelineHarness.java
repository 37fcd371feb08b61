package io.ferry.it;

import io.ferry.cli.ConnectorFile;
import io.ferry.cli.Overlays;
import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.Sakila;
import io.ferry.verify.TableComparator;
import io.ferry.verify.TableComparison;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.fail;

/**
 * One Sakila migration under test: a source database, a target database, a Connect cluster (real KRaft broker, real
 * workers, the built plugin.path) and the connector JSON from connectors/, overlaid with the test's servers.
 */
final class PipelineHarness implements AutoCloseable {

    final String name;
    final SourceEndpoint source;
    final String pgUrl;
    final EmbeddedConnectCluster connect;
    final String topicPrefix;

    PipelineHarness(String prefix, int workers) throws Exception {
        name = TestServers.newName(prefix);
        source = TestServers.source(name);
        try (Connection c = TestServers.sourceConnection(source, "")) {
            Sakila.load(c, name);
        }
        pgUrl = TestServers.newPostgresDatabase(name);
        topicPrefix = name.replace('_', '-');
        Map<String, String> worker = workerProps();
        worker.putAll(sharedGroupProps(name));
        connect = (EmbeddedConnectCluster) new EmbeddedConnectCluster.Builder().name(name).numWorkers(workers)
                .workerProps(worker).brokerProps(brokerProps()).build();
        connect.start();
    }

    static Map<String, String> workerProps() {
        Map<String, String> w = new HashMap<>();
        w.put("plugin.path", TestServers.pluginPath().toAbsolutePath().toString());
        w.put("plugin.discovery", "service_load");
        w.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        w.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        w.put("connector.client.config.override.policy", "All");
        w.put("config.providers", "env,dir");
        w.put("config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        w.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        w.put("offset.flush.interval.ms", "1000");
        w.put("scheduled.rebalance.max.delay.ms", "3000");
        return w;
    }

    /** What a worker outside the embedded cluster needs to join its group. */
    static Map<String, String> sharedGroupProps(String name) {
        Map<String, String> w = new HashMap<>();
        w.put("group.id", "ferry-test-" + name);
        w.put("config.storage.topic", "ferry-test-configs-" + name);
        w.put("offset.storage.topic", "ferry-test-offsets-" + name);
        w.put("status.storage.topic", "ferry-test-status-" + name);
        w.put("config.storage.replication.factor", "1");
        w.put("offset.storage.replication.factor", "1");
        w.put("status.storage.replication.factor", "1");
        // a killed worker's sink consumer leaves the group after this, not after the 45 s default
        w.put("consumer.session.timeout.ms", "10000");
        w.put("consumer.heartbeat.interval.ms", "1000");
        return w;
    }

    static java.util.Properties brokerProps() {
        java.util.Properties p = new java.util.Properties();
        p.put("auto.create.topics.enable", "true");
        return p;
    }

    ConnectorFile sourceConnector() throws Exception {
        return sourceConnector(TestServers.sourceConnectorFile());
    }

    ConnectorFile sourceConnector(String file) throws Exception {
        return ConnectorFile.read(connectorsDir().resolve(file)).renamed(name + "-source")
                .with(Overlays.source(source, connect.kafka().bootstrapServers(), topicPrefix))
                .with(Map.of("database.server.id", Integer.toString(5000 + Math.abs(name.hashCode() % 10000))));
    }

    ConnectorFile sinkConnector() throws Exception {
        return sinkConnector("postgres-sink.json");
    }

    ConnectorFile sinkConnector(String file) throws Exception {
        return ConnectorFile.read(connectorsDir().resolve(file)).renamed(name + "-sink")
                .with(Overlays.sink(pgUrl, TestServers.pgUser(), TestServers.pgPassword(), topicPrefix, name));
    }

    static Path connectorsDir() {
        return Path.of(System.getProperty("ferry.project.dir", "..")).resolve("connectors");
    }

    /** The connector files as deployed, by name: what `ferry verify` reads the mapping from. */
    final Map<String, ConnectorFile> deployed = new java.util.LinkedHashMap<>();

    void deploy(ConnectorFile file) {
        connect.configureConnector(file.name(), file.config());
        deployed.put(file.name(), file);
    }

    /**
     * `ferry verify` of this pipeline through the mapping its deployed connectors declare (the Debezium source and the
     * Ferry sink named), with rechecks while CDC may be flowing.
     */
    List<io.ferry.verify.TableResult> verify(String sourceName, String sinkName) throws Exception {
        Map<String, String> sinkConfig = new java.util.LinkedHashMap<>(deployed.get(sinkName).config());
        sinkConfig.put("name", sinkName);
        io.ferry.verify.mapping.MappingReader mapping = new io.ferry.verify.mapping.MappingReader(
                deployed.get(sourceName).config(), sinkConfig);
        io.ferry.verify.TableVerifier verifier = new io.ferry.verify.TableVerifier(
                new io.ferry.verify.TableVerifier.Options(4, 1500, 10_000, mapping.stateSchema(), sinkName));
        return new io.ferry.verify.VerifyRun(mapping, new io.ferry.verify.VerifyRun.Connections() {
            @Override public Connection source() throws java.sql.SQLException { return TestServers.sourceConnection(source, name); }
            @Override public Connection target() throws java.sql.SQLException { return DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword()); }
        }, verifier, 6).run(name, List.of(), null); // 6 tables at a time: a planted difference waits out its rechecks
    }

    List<io.ferry.verify.TableResult> verify() throws Exception {
        return verify(name + "-source", name + "-sink");
    }

    Connection sourceDb() throws Exception {
        return TestServers.sourceConnection(source, name);
    }

    Connection targetDb() throws Exception {
        return DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
    }

    List<TableComparison> compareAll() throws Exception {
        List<TableComparison> out = new ArrayList<>();
        try (Connection src = sourceDb(); Connection dst = targetDb()) {
            for (String table : io.ferry.verify.SourceSchema.tables(src, name)) {
                try {
                    out.add(new TableComparator().compare(src, name, dst, "public", table));
                } catch (java.sql.SQLException e) {
                    out.add(TableComparison.failed(table, e.getMessage()));
                }
            }
        }
        return out;
    }

    /** Waits until every table equals its source row by row, or fails with what still differs. */
    void awaitTargetEqualsSource(Duration timeout, String... except) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TableComparison> last = List.of();
        List<String> skip = List.of(except);
        while (System.nanoTime() < deadline) {
            last = new ArrayList<>(compareAll());
            last.removeIf(c -> skip.contains(c.table()));
            if (last.size() + skip.size() >= Sakila.TABLE_COUNT && last.stream().allMatch(TableComparison::matches)) {
                return;
            }
            String status = statusSummary();
            if (status.contains("=FAILED")) {
                fail("a connector failed while waiting for the target to converge: " + status);
            }
            Thread.sleep(2000);
        }
        StringBuilder sb = new StringBuilder("target did not converge to the source within " + timeout + ":\n");
        last.stream().filter(c -> !c.matches()).forEach(c -> sb.append("  ").append(c).append('\n'));
        sb.append("connector status: ").append(statusSummary());
        fail(sb.toString());
    }

    String statusSummary() {
        StringBuilder sb = new StringBuilder();
        for (String c : connect.connectors()) {
            try {
                var s = connect.connectorStatus(c);
                sb.append(c).append('=').append(s.connector().state());
                s.tasks().forEach(t -> sb.append(" task").append(t.id()).append('=').append(t.state())
                        .append(t.trace() == null ? "" : " " + t.trace().lines().limit(3).toList()));
                sb.append("; ");
            } catch (Exception e) {
                sb.append(c).append("=?; ");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        connect.stop();
    }
}
