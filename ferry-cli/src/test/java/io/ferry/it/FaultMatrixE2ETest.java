package io.ferry.it;

import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import io.ferry.faults.Fault;
import io.ferry.faults.FaultMatrix;
import io.ferry.faults.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fault matrix on a real multi-process cluster (a broker and three Connect workers, each its own JVM; MariaDB and
 * PostgreSQL as in the other tests): every fault of {@link Fault} in the full load, the constraint build and CDC,
 * and after each phase the target equals the source: no row lost, none doubled, none stale. The sink is a role
 * without superuser or CREATE on the database, over TLS with sslmode=verify-full against a CA made here; the source
 * connector logs in with Debezium's documented grants only. Passwords reach the workers as environment variables
 * read by Connect's EnvVarConfigProvider, never as connector config.
 * {@code -Dferry.faults.rounds=3} bounces every worker three rounds (CI runs one);
 * {@code -Dferry.faults.write=true} writes the results table into the README.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixE2ETest {

    final String sinkPassword = "Sink-" + UUID.randomUUID();
    final String sourcePassword = "Src-" + UUID.randomUUID();
    Path dir;
    MariaDbServer maria;
    io.ferry.faults.FaultCluster cluster;
    FaultMatrix matrix;
    io.ferry.faults.WebhookReceiver alerts;
    final List<FaultMatrix.Cell> cells = new ArrayList<>();
    final int rounds = Integer.getInteger("ferry.faults.rounds", 1);

    @BeforeAll
    void cluster() throws Exception {
        PostgresServer pg = TestServers.embeddedPostgres();
        Assumptions.assumeTrue(TestServers.setting("FERRY_TEST_SOURCE_URL") == null && pg != null,
                "the fault matrix stops and starts the servers it runs on: it needs the embedded ones");
        dir = Files.createTempDirectory("ferry-faults");
        // its own MariaDB: privileges enforced, restarted by a fault, without disturbing the other tests' server
        maria = MariaDbServer.start(dir.resolve("mariadb"));
        maria.enforceGrants();
        TestTls.Files3 tls = TestTls.create(dir.resolve("tls"));
        pg.enableTls(tls.serverCert(), tls.serverKey());
        try (Connection admin = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.user(), pg.password())) {
            FaultMatrix.createSinkRole(admin, sinkPassword);
        }
        try (Connection root = maria.connect("")) {
            FaultMatrix.createSourceUser(root, sourcePassword);
        }
        try (Connection src = DriverManager.getConnection(maria.jdbcUrl(""), FaultMatrix.SOURCE_USER, sourcePassword);
             Statement st = src.createStatement()) {
            assertThatThrownBy(() -> st.execute("CREATE DATABASE fm_not_allowed")).as("the source login is least privilege")
                    .hasMessageContaining("denied");
        }
        alerts = new io.ferry.faults.WebhookReceiver();
        cluster = io.ferry.faults.FaultCluster.start(dir.resolve("cluster"),
                Map.of("FERRY_FAULT_SOURCE_PASSWORD", sourcePassword, "FERRY_FAULT_PG_PASSWORD", sinkPassword), 3,
                alerts.url());
        matrix = new FaultMatrix(cluster, maria, pg, tls, rounds).alertingTo(alerts);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (maria != null) {
            maria.close();
        }
        if (alerts != null) {
            alerts.close();
        }
        if (!cells.isEmpty()) {
            String table = table(cells);
            Files.writeString(Path.of("target/fault-matrix.md"), table, StandardCharsets.UTF_8);
            System.out.println(table);
            if (Boolean.getBoolean("ferry.faults.write")) {
                Path readme = Path.of(System.getProperty("ferry.project.dir", "..")).resolve("README.md");
                String text = Files.readString(readme, StandardCharsets.UTF_8);
                int from = text.indexOf("<!-- fault-matrix:begin -->");
                int to = text.indexOf("<!-- fault-matrix:end -->");
                if (from >= 0 && to > from) {
                    Files.writeString(readme, text.substring(0, from) + "<!-- fault-matrix:begin -->\n" + table
                            + text.substring(to), StandardCharsets.UTF_8);
                }
            }
        }
    }

    @Test
    @Order(1)
    void everyFaultInEveryPhaseEndsWithNoRowLostDoubledOrStale() throws Exception {
        String only = System.getProperty("ferry.faults.only", "");
        for (Fault f : Fault.values()) {
            if (!only.isEmpty() && !List.of(only.split(",")).contains(f.name())) {
                continue;
            }
            long t0 = System.nanoTime();
            List<FaultMatrix.Cell> result = matrix.run(f);
            System.out.printf("%s: %.0f s%n", f, (System.nanoTime() - t0) / 1e9);
            cells.addAll(result);
            System.out.println(table(result));
        }
        for (FaultMatrix.Cell c : cells) {
            assertThat(new long[] {c.lost(), c.doubled(), c.stale()}).as(c.fault() + " in " + c.phase() + "\n" + table(cells))
                    .containsExactly(0, 0, 0);
        }
    }

    @Test
    @Order(2)
    void noCredentialAppearsInLogsTopicsDeadLettersEventsRestResponsesOrJmx() throws Exception {
        Assumptions.assumeTrue(cluster != null);
        List<String> found = new ArrayList<>();
        for (Path log : cluster.logs()) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            for (String secret : List.of(sinkPassword, sourcePassword)) {
                if (text.contains(secret)) {
                    found.add(log.getFileName() + " contains " + (secret.equals(sinkPassword) ? "the sink's" : "the source's")
                            + " password");
                }
            }
        }
        io.ferry.cli.ConnectClient rest = cluster.rest();
        StringBuilder api = new StringBuilder(rest.get("/connectors?expand=info&expand=status"));
        for (String name : rest.connectors()) {
            api.append(rest.get("/connectors/" + name + "/config")).append(rest.get("/connectors/" + name + "/status"));
        }
        api.append(rest.get("/connector-plugins"));
        if (api.indexOf(sinkPassword) >= 0 || api.indexOf(sourcePassword) >= 0) {
            found.add("the REST API shows a password");
        }
        String dlq = cluster.deadLetterHeaders();
        assertThat(dlq).as("the poison rows reached the dead-letter queues").contains("fm_poison");
        if (dlq.contains(sinkPassword) || dlq.contains(sourcePassword)) {
            found.add("a dead-letter header holds a password");
        }
        found.addAll(cluster.topicsContaining(List.of(sinkPassword, sourcePassword)));
        for (io.ferry.faults.WebhookReceiver.Received event : alerts.all()) {
            if (event.body().contains(sinkPassword) || event.body().contains(sourcePassword)) {
                found.add("an event sent to the webhook holds a password");
            }
        }
        String jmx = matrix.jmxDumps() + cluster.jmxDump();
        assertThat(jmx).as("the workers' MBeans were read").contains("io.ferry:type=sink-table");
        if (jmx.contains(sinkPassword) || jmx.contains(sourcePassword)) {
            found.add("a JMX attribute holds a password");
        }
        assertThat(found).isEmpty();
    }

    static String table(List<FaultMatrix.Cell> cells) {
        StringBuilder sb = new StringBuilder("| fault | phase | rows lost | rows doubled | rows stale | recovery s | note |\n"
                + "|---|---|---:|---:|---:|---:|---|\n");
        for (FaultMatrix.Cell c : cells) {
            sb.append(String.format("| %s | %s | %s | %s | %s | %s | %s |%n", c.fault().name().toLowerCase().replace('_', ' '),
                    c.phase().name().toLowerCase(), c.applied() ? c.lost() : "-", c.applied() ? c.doubled() : "-",
                    c.applied() ? c.stale() : "-", c.applied() ? String.format("%.1f", c.recoverySeconds()) : "-",
                    c.note()));
        }
        return sb.toString();
    }
}
