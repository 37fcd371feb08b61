package io.ferry.it;

import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.Sakila;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault found by trying it: {@code ferry migrate} SIGKILLed in the middle of the full load into a designed target,
 * then started again on the same state directory. Debezium starts its snapshot again from zero (as it does); the sink
 * undoes the unfinished pass table by table, so the statistics are not doubled, no table is called loaded (and no
 * foreign key validated) before all its rows are in, and at the end ferry verify finds the target equal to the source.
 */
@Tag("e2e")
class MigrateKilledMidLoadE2ETest {

    static final int BIG_ROWS = 150_000; // long enough that Debezium is still reading it when the runner is killed
    static final int TABLES = Sakila.TABLE_COUNT + 1;

    @Test
    void aRunnerKilledMidLoadResumesWithHonestPhasesAndAnEqualTarget() throws Exception {
        String name = TestServers.newName("killed");
        SourceEndpoint source = TestServers.source(name);
        try (Connection c = TestServers.sourceConnection(source, "")) {
            Sakila.load(c, name);
        }
        // a large table Debezium snapshots last: the runner is killed while it is still being read
        try (Connection c = TestServers.sourceConnection(source, name); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE zz_events (id INT PRIMARY KEY, payload VARCHAR(40))");
            st.execute("INSERT INTO zz_events SELECT seq, CONCAT('event ', seq) FROM seq_1_to_" + BIG_ROWS);
        }
        Map<String, Long> sourceRows = new LinkedHashMap<>();
        try (Connection c = TestServers.sourceConnection(source, name); Statement st = c.createStatement()) {
            for (String t : io.ferry.verify.SourceSchema.tables(c, name)) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM `" + t + "`")) {
                    rs.next();
                    sourceRows.put(t, rs.getLong(1));
                }
            }
        }
        String pgUrl = TestServers.newPostgresDatabase(name);
        Path state = Files.createTempDirectory("ferry-killed-state");
        Path sink = designedSinkConfig();
        Path src = PipelineHarness.connectorsDir().resolve(TestServers.sourceConnectorFile());
        Process first = migrate(source, pgUrl, state, src, sink, Path.of("target/ferry-killed-1.log"));
        // Sakila's tables (snapshotted first) partly or wholly loaded, Debezium still reading zz_events
        long atKill = awaitSnapshotRows(pgUrl, 30_000, first);
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no orderly stop of anything
        assertThat(atKill).as("killed in the middle of the load").isLessThan(47_273 + BIG_ROWS);

        List<String> premature = new CopyOnWriteArrayList<>();
        long secondStartedMs = System.currentTimeMillis();
        Process second = migrate(source, pgUrl, state, src, sink, Path.of("target/ferry-killed-2.log"));
        try {
            // Every table STREAMING is not the end yet: a Sakila table whose pass from the first run had completed is
            // STREAMING from that pass until the second run's snapshot of it reaches the sink, and its topic may be
            // read after zz_events' (seen once: film_actor went back to LOADING after all 17 were STREAMING). So wait
            // until the phases and the counts agree; a doubled count never does, and every poll still checks that
            // no table is called STREAMING with rows missing.
            long expected = 47_273 + BIG_ROWS;
            long[] stats = {0, 0, 0};
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline) {
                assertThat(second.isAlive()).as("migrate runs").isTrue();
                if (allLoaded(pgUrl, sourceRows, premature)) {
                    stats = stats(pgUrl);
                    if (stats[0] == expected && stats[1] == TABLES) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            assertThat(premature).as("tables called STREAMING while rows were still missing").isEmpty();
            assertThat(stats[0]).as("snapshot rows, not doubled by the second pass").isEqualTo(expected);
            assertThat(stats[1]).isEqualTo(TABLES);
            assertThat(stats[2]).as("tables whose earlier pass was undone").isPositive();
            cutoverSeesTheSnapshot(pgUrl, secondStartedMs);
            long deadlineBuilt = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long built = 0;
            while (System.nanoTime() < deadlineBuilt && built < 45) {
                try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
                     Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(
                             "SELECT count(*) FILTER (WHERE state = 'BUILT') FROM ferry.design_constraints")) {
                    rs.next();
                    built = rs.getLong(1);
                }
                Thread.sleep(500);
            }
            assertThat(built).as("the design's indexes and constraints, built again after the reload").isEqualTo(45);
            List<io.ferry.verify.TableResult> results = verify(source, pgUrl, name, sink);
            assertThat(results).as(io.ferry.verify.VerifyReport.table(results)).hasSize(TABLES)
                    .allMatch(io.ferry.verify.TableResult::validated);
        } finally {
            second.destroy();
            if (!second.waitFor(2, TimeUnit.MINUTES)) {
                second.destroyForcibly();
            }
        }
    }

    /**
     * The sink recorded the second run's snapshot (started after that run began, COMPLETED, its first row newer than
     * any row of the first run), and `ferry cutover-check` finds every table loaded by that pass. Then, with the
     * recorded first row moved past every table's rows (what a restart leaves while its repeated pass has not reached
     * a table yet), the check refuses and names the tables; a table the last pass found empty is not named.
     */
    private static void cutoverSeesTheSnapshot(String pgUrl, long secondStartedMs) throws Exception {
        try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
             Statement st = pg.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT status, started_ts_ms FROM ferry.source_snapshots "
                    + "WHERE connector = 'ferry-killed-sink'")) {
                assertThat(rs.next()).as("the sink recorded Debezium's snapshot").isTrue();
                assertThat(rs.getString(1)).isEqualTo("COMPLETED");
                assertThat(rs.getLong(2)).as("the second run's start").isGreaterThanOrEqualTo(secondStartedMs);
            }
            try (ResultSet rs = st.executeQuery("SELECT f.first_ts_ms, (SELECT min(snapshot_max_ts_ms) FROM "
                    + "ferry.table_stats WHERE snapshot_rows > 0) FROM ferry.snapshot_first_rows f "
                    + "WHERE connector = 'ferry-killed-sink'")) {
                assertThat(rs.next()).as("the sink recorded the snapshot's first row").isTrue();
                // the source database's clock, to the second, on this same machine
                assertThat(rs.getLong(1)).as("the second run's first row").isGreaterThanOrEqualTo(secondStartedMs - 1000)
                        .isLessThanOrEqualTo(rs.getLong(2));
            }
            assertThat(cutoverLine(pgUrl)).startsWith("ok").contains("COMPLETED, every table loaded by its last pass");

            st.executeUpdate("UPDATE ferry.snapshot_first_rows SET first_ts_ms = first_ts_ms + 3600000");
            assertThat(cutoverLine(pgUrl)).startsWith("NO").contains("repeated pass still to come").contains("zz_events")
                    .contains("film_actor");
            assertThat(ferry(pgUrl, "stats").lines().filter(l -> l.startsWith("film_actor ")))
                    .singleElement().asString().contains("RESNAPSHOT");
            // a table the last pass found empty (its scan's end said 0 rows, after the start) waits for nothing
            st.executeUpdate("UPDATE ferry.table_stats SET snapshot_expected = 0, snapshot_expected_at = "
                    + "(SELECT started_ts_ms FROM ferry.source_snapshots WHERE connector = 'ferry-killed-sink') "
                    + "WHERE table_name = 'zz_events'");
            assertThat(cutoverLine(pgUrl)).startsWith("NO").contains("film_actor").doesNotContain("zz_events");
            st.executeUpdate("UPDATE ferry.table_stats SET snapshot_expected = snapshot_rows WHERE table_name = 'zz_events'");
            st.executeUpdate("UPDATE ferry.snapshot_first_rows SET first_ts_ms = first_ts_ms - 3600000");
            assertThat(cutoverLine(pgUrl)).startsWith("ok");
        }
    }

    /** The line `ferry cutover-check` prints for the source snapshot, without its leading spaces. */
    private static String cutoverLine(String pgUrl) throws Exception {
        String output = ferry(pgUrl, "cutover-check");
        return output.lines().map(String::strip).filter(l -> l.contains("source snapshot ended")).findFirst()
                .orElseThrow(() -> new AssertionError("no source snapshot line in:\n" + output));
    }

    /** What `ferry COMMAND --target ... --connector ferry-killed-sink` prints. */
    private static String ferry(String pgUrl, String command) throws Exception {
        Path out = Files.createTempFile("ferry-" + command, ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", home().resolve("ferry").toString(), command, "--target",
                pgUrl, "--target-user", TestServers.pgUser(), "--connector", "ferry-killed-sink")
                .redirectErrorStream(true).redirectOutput(out.toFile()).directory(home().toFile());
        pb.environment().put("FERRY_TARGET_PASSWORD", TestServers.pgPassword() == null ? "" : TestServers.pgPassword());
        Process p = pb.start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** The snapshot rows, the tables STREAMING and the undone passes, summed over ferry.table_stats. */
    private static long[] stats(String pgUrl) throws Exception {
        try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
             Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT sum(snapshot_rows), count(*) FILTER (WHERE phase = 'STREAMING'), "
                     + "sum(snapshot_restarts) FROM ferry.table_stats")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    /** Whether every table is STREAMING; records a table STREAMING with fewer rows than the source has. */
    private static boolean allLoaded(String pgUrl, Map<String, Long> sourceRows, List<String> premature) throws Exception {
        try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword())) {
            // phases and row counts read in one snapshot of the database, as one reader would see them
            pg.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            pg.setAutoCommit(false);
            Statement st = pg.createStatement();
            List<String> streaming = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_name FROM ferry.table_stats WHERE phase = 'STREAMING'")) {
                while (rs.next()) {
                    streaming.add(rs.getString(1));
                }
            }
            for (String t : streaming) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + t + "\"")) {
                    rs.next();
                    if (rs.getLong(1) < sourceRows.get(t)) {
                        premature.add(t + " STREAMING with " + rs.getLong(1) + " of " + sourceRows.get(t) + " rows");
                    }
                }
            }
            pg.rollback();
            return streaming.size() == sourceRows.size();
        } catch (java.sql.SQLException e) {
            return false; // state tables not there yet
        }
    }

    private static long awaitSnapshotRows(String pgUrl, long atLeast, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).isTrue();
            try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
                 Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(sum(snapshot_rows), 0) FROM ferry.table_stats")) {
                rs.next();
                if (rs.getLong(1) >= atLeast) {
                    return rs.getLong(1);
                }
            } catch (java.sql.SQLException e) {
                // not started yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the full load did not get to " + atLeast + " rows");
    }

    private static List<io.ferry.verify.TableResult> verify(SourceEndpoint source, String pgUrl, String db, Path sink)
            throws Exception {
        Map<String, String> sinkConfig = new LinkedHashMap<>(io.ferry.cli.ConnectorFile.read(sink).config());
        sinkConfig.putAll(io.ferry.cli.Overlays.sink(pgUrl, TestServers.pgUser(), TestServers.pgPassword(), "ferry", db));
        Map<String, String> sourceConfig = new LinkedHashMap<>(io.ferry.cli.ConnectorFile.read(
                PipelineHarness.connectorsDir().resolve(TestServers.sourceConnectorFile())).config());
        sourceConfig.putAll(io.ferry.cli.Overlays.source(source, "", "ferry"));
        io.ferry.verify.mapping.MappingReader mapping = new io.ferry.verify.mapping.MappingReader(sourceConfig, sinkConfig);
        return new io.ferry.verify.VerifyRun(mapping, new io.ferry.verify.VerifyRun.Connections() {
            @Override public Connection source() throws java.sql.SQLException { return TestServers.sourceConnection(source, db); }
            @Override public Connection target() throws java.sql.SQLException {
                return DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword()); }
        }, new io.ferry.verify.TableVerifier(io.ferry.verify.TableVerifier.Options.defaults("ferry", null)), 2)
                .run(db, List.of(), null);
    }

    private static Path designedSinkConfig() throws Exception {
        Path design = home().resolve("connectors/redesign");
        String json = Files.readString(design.resolve("postgres-sink-ddl.json"), StandardCharsets.UTF_8)
                .replace("${dir:/etc/ferry/design:sakila-target.sql}", "${dir:" + design + ":sakila-target.sql}");
        Path f = Files.createTempFile("postgres-sink-ddl", ".json");
        Files.writeString(f, json, StandardCharsets.UTF_8);
        return f;
    }

    private static Path home() {
        return Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();
    }

    private static Process migrate(SourceEndpoint source, String pgUrl, Path state, Path src, Path sink, Path log)
            throws Exception {
        List<String> cmd = List.of("bash", home().resolve("ferry").toString(), "migrate", "--source",
                "jdbc:mariadb://" + source.host() + ":" + source.port() + "/" + source.database(), "--source-user",
                source.user(), "--target", pgUrl, "--target-user", TestServers.pgUser(), "--sink-config", sink.toString(),
                "--source-config", src.toString(), "--name", "ferry-killed", "--state-dir", state.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(home().toFile());
        pb.environment().put("FERRY_SOURCE_PASSWORD", "");
        pb.environment().put("FERRY_TARGET_PASSWORD", TestServers.pgPassword() == null ? "" : TestServers.pgPassword());
        return pb.start();
    }
}
