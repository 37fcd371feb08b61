package io.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.cli.ConnectClient;
import io.ferry.cli.ConnectorFile;
import io.ferry.cli.Overlays;
import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.MariaDbServer;
import io.ferry.faults.FaultCluster;
import io.ferry.faults.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Monitoring as an operator runs it: a Connect worker in its own JVM with the upstream JMX exporter agent and the
 * shipped exporter configuration, Debian's Prometheus scraping it with the shipped alert rules, the events webhook.
 * The shipped rules pass promtool; Ferry's, Connect's and Debezium's metrics reach Prometheus; an unsafe type change
 * fires FerryTableStopped and sends TABLE_STOPPED; MariaDB stopped fails the source task, which is on the webhook
 * within seconds and in Prometheus, and RUNNING again after the restart.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringE2ETest {

    static final Path PROJECT = Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();
    static final Path RULES = PROJECT.resolve("monitoring/prometheus/ferry-alerts.yml");

    Path dir;
    MariaDbServer maria;
    WebhookReceiver events;
    FaultCluster cluster;
    PrometheusServer prometheus;
    String pgUrl;
    final String source = "mon-source";
    final String sink = "mon-sink";

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(TestServers.setting("FERRY_TEST_SOURCE_URL") == null,
                "this test stops its own MariaDB: it needs the embedded one");
        dir = Files.createTempDirectory("ferry-monitoring");
        Path binary = PrometheusServer.binary(dir);
        Assumptions.assumeTrue(binary != null, "Debian's prometheus is not installed and cannot be installed here");
        maria = MariaDbServer.start(dir.resolve("mariadb"));
        maria.execute("", "CREATE DATABASE mon");
        maria.execute("mon", "CREATE TABLE gauge (id INT PRIMARY KEY, n INT)", "INSERT INTO gauge VALUES (1, 1), (2, 2), (3, 3)",
                "CREATE TABLE other (id INT PRIMARY KEY, v VARCHAR(20))", "INSERT INTO other VALUES (1, 'one')");
        pgUrl = TestServers.newPostgresDatabase("mon_" + ProcessHandle.current().pid());
        events = new WebhookReceiver();
        int exporterPort;
        try (ServerSocket s = new ServerSocket(0)) {
            exporterPort = s.getLocalPort();
        }
        Path agent = PROJECT.resolve("ferry-cli/target/agents/jmx_prometheus_javaagent.jar");
        assertThat(agent).as("the build copies the exporter agent").exists();
        cluster = FaultCluster.start(dir.resolve("cluster"), Map.of(), 1, events.url(), List.of("-javaagent:" + agent
                + "=127.0.0.1:" + exporterPort + ":" + PROJECT.resolve("monitoring/jmx-exporter/kafka-connect.yml")));
        prometheus = new PrometheusServer(binary, dir.resolve("prometheus"), RULES, List.of("127.0.0.1:" + exporterPort));

        Path connectors = PROJECT.resolve("connectors");
        SourceEndpoint endpoint = new SourceEndpoint("mariadb", maria.host(), maria.port(), "mon", maria.user(), maria.password());
        Map<String, String> src = new LinkedHashMap<>(Overlays.source(endpoint, cluster.bootstrapServers(), "mon"));
        src.put("database.server.id", "7101");
        // a task that cannot connect at its start fails at once (the shipped configs leave Debezium's default)
        src.put("errors.max.retries", "0");
        Map<String, String> snk = new LinkedHashMap<>(Overlays.sink(pgUrl, TestServers.pgUser(), TestServers.pgPassword(),
                "mon", "mon"));
        snk.put("events.webhook.url", events.url());
        snk.put("consumer.override.metadata.max.age.ms", "1000");
        ConnectClient rest = cluster.rest();
        rest.put(sink, ConnectorFile.read(connectors.resolve("postgres-sink.json")).renamed(sink).with(snk).config());
        rest.put(source, ConnectorFile.read(connectors.resolve("mariadb-source.json")).renamed(source).with(src).config());
        await(60, "Prometheus ready", prometheus::ready);
        await(120, "both tables loaded", () -> "2".equals(target("SELECT count(*) FROM ferry.table_stats WHERE phase = 'STREAMING'")));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, cluster, maria, events}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    @Order(1)
    void promtoolAcceptsTheShippedRules() throws Exception {
        Path promtool = PrometheusServer.promtool();
        assertThat(promtool).as("Debian's prometheus package has promtool").isNotNull();
        Process p = new ProcessBuilder(promtool.toString(), "check", "rules", RULES.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }

    @Test
    @Order(2)
    void ferryConnectAndDebeziumMetricsReachPrometheus() throws Exception {
        await(60, "Ferry's snapshot rows of gauge in Prometheus",
                () -> value("sum(ferry_sink_table_snapshot_rows_total{table=\"gauge\"})") == 3);
        await(30, "the phase", () -> value("ferry_sink_table_phase{table=\"gauge\",phase=\"STREAMING\"}") == 1);
        await(30, "Connect's connector state", () -> value("kafka_connect_connector_status{connector=\"" + sink
                + "\",status=\"running\"}") == 1);
        await(30, "Connect's task state", () -> value("kafka_connect_connector_task_status{connector=\"" + source
                + "\",status=\"running\"}") == 1);
        await(30, "Debezium's streaming metrics", () -> value("max(debezium_metrics_connected{context=\"streaming\"})") == 1);
        await(30, "the state gauges (task 0)", () -> value("ferry_sink_table_stopped{table=\"gauge\"}") == 0);
        maria.execute("mon", "UPDATE gauge SET n = n + 10");
        await(60, "the lag percentiles of the applied changes", () -> value("ferry_sink_table_lag_p99_ms{table=\"gauge\"}") > 0);
        // the three updates may be applied over more than one put, and Prometheus scrapes every second
        await(30, "the three updates counted", () -> value("sum(ferry_sink_table_updates_total{table=\"gauge\"})") == 3);
    }

    @Test
    @Order(3)
    void anUnsafeTypeChangeFiresFerryTableStoppedAndSendsTheEvent() throws Exception {
        long t0 = System.currentTimeMillis();
        maria.execute("mon", "ALTER TABLE gauge MODIFY n VARCHAR(30)", "INSERT INTO gauge VALUES (4, 'four')",
                "INSERT INTO other VALUES (2, 'two')");
        WebhookReceiver.Received stopped = events.await(t0, b -> b.contains("TABLE_STOPPED") && b.contains("gauge"), 10_000);
        assertThat(stopped).as("TABLE_STOPPED on the webhook within 10 s").isNotNull();
        assertThat(stopped.body()).contains("ALTER TABLE").contains("varchar(30)");
        await(30, "FerryTableStopped firing", () -> firing("FerryTableStopped", "gauge"));
        System.out.printf("FerryTableStopped firing %.1f s after the change, TABLE_STOPPED event after %.1f s%n",
                (System.currentTimeMillis() - t0) / 1000.0, (stopped.atMillis() - t0) / 1000.0);
        await(30, "the other table flows meanwhile", () -> "2".equals(target("SELECT count(*) FROM other")));
    }

    @Test
    @Order(4)
    void mariadbGoingAwayAlertsWithinSecondsAndATaskThatCannotStartFailsThenRunsAgain() throws Exception {
        long t0 = System.currentTimeMillis();
        maria.stop();
        // Debezium's task stays RUNNING while its binlog client reconnects: the connection itself is reported
        WebhookReceiver.Received gone = events.await(t0, b -> b.contains("\"SOURCE_DISCONNECTED\"") && b.contains(source), 20_000);
        assertThat(gone).as("SOURCE_DISCONNECTED on the webhook").isNotNull();
        System.out.printf("SOURCE_DISCONNECTED event %.1f s after MariaDB stopped%n", (gone.atMillis() - t0) / 1000.0);
        assertThat(gone.atMillis() - t0).as("within 10 s of the cause").isLessThan(10_000);
        await(30, "Debezium disconnected in Prometheus, FerrySourceDisconnected pending",
                () -> value("max(debezium_metrics_connected{context=\"streaming\"})") == 0 && pendingOrFiring("FerrySourceDisconnected"));
        // a task (re)started while the database is away cannot connect: FAILED, with the driver's cause
        long t1 = System.currentTimeMillis();
        cluster.rest().restartTask(source, 0);
        WebhookReceiver.Received failed = events.await(t1, b -> b.contains("\"TASK_FAILED\"") && b.contains(source), 60_000);
        assertThat(failed).as("the source task's failure on the webhook").isNotNull();
        System.out.printf("source TASK_FAILED event %.1f s after its restart with MariaDB down%n", (failed.atMillis() - t1) / 1000.0);
        await(30, "the failed task in Prometheus", () -> value("kafka_connect_connector_task_status{connector=\"" + source
                + "\",status=\"failed\"}") == 1 && value("kafka_connect_worker_connector_failed_task_count{connector=\""
                + source + "\"}") == 1);
        maria.startAgain();
        long t2 = System.currentTimeMillis();
        cluster.rest().restartFailed(source);
        assertThat(events.await(t2, b -> b.contains("\"TASK_RUNNING\"") && b.contains(source), 30_000))
                .as("RUNNING again on the webhook").isNotNull();
        maria.execute("mon", "INSERT INTO other VALUES (3, 'three')");
        await(60, "changes flow again", () -> "3".equals(target("SELECT count(*) FROM other")));
    }

    private boolean pendingOrFiring(String alert) throws Exception {
        for (JsonNode a : prometheus.alerts()) {
            if (alert.equals(a.path("labels").path("alertname").asText())) {
                return true;
            }
        }
        return false;
    }

    private double value(String promql) throws Exception {
        JsonNode result = prometheus.query(promql);
        return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    private boolean firing(String alert, String table) throws Exception {
        for (JsonNode a : prometheus.alerts()) {
            if (alert.equals(a.path("labels").path("alertname").asText()) && table.equals(a.path("labels").path("table").asText())
                    && "firing".equals(a.path("state").asText())) {
                return true;
            }
        }
        return false;
    }

    private String target(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (java.sql.SQLException e) {
            return null; // the state schema may not exist yet
        }
    }

    private static void await(int seconds, String what, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
    }
}
