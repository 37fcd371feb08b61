package io.ferry.it;

import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.Sakila;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./ferry migrate} against real databases as a user runs it (the servers are given by URL: the test's own, or
 * the FERRY_TEST_* ones), into the hand-written Sakila design (connectors/redesign/sakila-target.sql, bigint keys, 22
 * foreign keys): it loads and streams until stopped (SIGTERM, as Ctrl-C sends), {@code ./ferry verify} and
 * {@code ./ferry cutover-check} pass against it while it runs, and started again with the same state directory it
 * resumes: changes made while it was down arrive, nothing is loaded twice, and the connectors keep their names, also
 * for a state directory from before names were kept. Its output, redirected to a file, is a log, not a repainted board.
 */
@Tag("e2e")
class FerryMigrateE2ETest {

    @Test
    void migratesVerifiesStopsAndResumes() throws Exception {
        String name = TestServers.newName("migrate");
        SourceEndpoint source = TestServers.source(name);
        try (Connection c = TestServers.sourceConnection(source, "")) {
            Sakila.load(c, name);
        }
        String pgUrl = TestServers.newPostgresDatabase(name);
        Path state = Files.createTempDirectory("ferry-migrate-state");
        Path sinkConfig = designedSinkConfig();

        // the first run is named as an older state directory's would be (before connector names were kept)
        Path log1 = Path.of("target/ferry-migrate-1.log");
        Process first = start(source, pgUrl, state, sinkConfig, log1, "--name", "legacy-" + name);
        try {
            awaitVerified(source, pgUrl, sinkConfig, first, 240);
            cutoverCheck(pgUrl, "legacy-" + name + "-sink");
            reloadThroughTheStateDirectory(source, name, pgUrl, state);
            awaitVerified(source, pgUrl, sinkConfig, first, 120);
        } finally {
            stop(first, state);
        }
        String output = Files.readString(log1, StandardCharsets.UTF_8);
        output = output.substring(Math.max(0, output.indexOf("Ferry migrate:"))); // after any build the script ran
        assertThat(output).as("a log, not a terminal: nothing repainted").doesNotContain("\u001b[");
        assertThat(output.lines().filter(l -> l.trim().startsWith("film_actor ")).count())
                .as("one line per phase change of a table:\n" + output).isBetween(1L, 3L);
        assertThat(output).contains("connectors: legacy-" + name + "-source, legacy-" + name + "-sink");
        // every table's topic made before the connectors start, so the sink is assigned them all at once
        assertThat(output).contains("made " + Sakila.TABLE_COUNT + " table topic(s) up front");
        // the sink's events come back through the runner's events topic and are printed as they happen
        assertThat(output).as("events under the progress log:\n" + output)
                .contains("event INFO    TABLE_LOADED legacy-" + name + "-sink film_actor: full load of film_actor complete")
                .contains("event INFO    CONSTRAINT_BUILT legacy-" + name + "-sink");

        try (Connection src = TestServers.sourceConnection(source, name); Statement st = src.createStatement()) {
            st.execute("INSERT INTO actor (actor_id, first_name, last_name) VALUES (777, 'WHILE', 'STOPPED')");
            st.execute("UPDATE film SET title = 'CHANGED WHILE STOPPED' WHERE film_id = 10");
            st.execute("DELETE FROM payment WHERE payment_id = 5");
            st.execute("INSERT INTO film_actor (actor_id, film_id) VALUES (777, 10)");
        }
        // an older state directory has no names file: the connectors its worker runs are the ones to go on with
        Files.delete(state.resolve("connector-names.properties"));
        Path log2 = Path.of("target/ferry-migrate-2.log");
        Process second = start(source, pgUrl, state, sinkConfig, log2);
        try {
            awaitVerified(source, pgUrl, sinkConfig, second, 180);
        } finally {
            stop(second, state);
        }
        assertThat(Files.readString(log2, StandardCharsets.UTF_8))
                .contains("connectors: legacy-" + name + "-source, legacy-" + name + "-sink")
                .as("a resumed runner's topics exist already").doesNotContain("table topic(s) up front");
        try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
             Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(DISTINCT connector, ','), sum(snapshot_rows) "
                     + "FROM ferry.table_stats")) {
            rs.next();
            assertThat(rs.getString(1)).as("one sink, the same across restarts").isEqualTo("legacy-" + name + "-sink");
            assertThat(rs.getLong(2)).as("the full load ran once, not again after the restart").isEqualTo(47_273);
        }
    }

    /** connectors/redesign/postgres-sink-ddl.json with the design read from this checkout, as a user runs it locally. */
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

    private static void stop(Process p, Path state) throws Exception {
        p.destroy(); // SIGTERM, like Ctrl-C
        boolean stopped = p.waitFor(120, TimeUnit.SECONDS);
        if (!stopped) {
            p.destroyForcibly();
        }
        assertThat(stopped).as("migrate stops on SIGTERM; its log ends with:%n%s", tail(state.resolve("ferry.log"))).isTrue();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String sourceUrl(SourceEndpoint source) {
        return "jdbc:mariadb://" + source.host() + ":" + source.port() + "/" + source.database();
    }

    private static Process start(SourceEndpoint source, String pgUrl, Path state, Path sinkConfig, Path log,
                                 String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", home().resolve("ferry").toString(), "migrate", "--source",
                sourceUrl(source), "--source-user", source.user(), "--target", pgUrl, "--target-user",
                TestServers.pgUser(), "--sink-config", sinkConfig.toString(), "--state-dir", state.toString()));
        cmd.addAll(List.of(extra));
        return ferry(cmd).redirectOutput(log.toFile()).start();
    }

    private static ProcessBuilder ferry(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(home().toFile());
        pb.environment().put("FERRY_SOURCE_PASSWORD", "");
        pb.environment().put("FERRY_TARGET_PASSWORD", TestServers.pgPassword() == null ? "" : TestServers.pgPassword());
        return pb;
    }

    /** Runs `ferry verify` (exit 0 only when every table is VALIDATED) until it passes. */
    private static void awaitVerified(SourceEndpoint source, String pgUrl, Path sinkConfig, Process migrate,
                                      int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            assertThat(migrate.isAlive()).as("ferry migrate is running").isTrue();
            Path out = Files.createTempFile("ferry-verify", ".log");
            Process verify = ferry(List.of("bash", home().resolve("ferry").toString(), "verify", "--source",
                    sourceUrl(source), "--source-user", source.user(), "--target", pgUrl, "--target-user",
                    TestServers.pgUser(), "--sink-config", sinkConfig.toString(), "--rechecks", "2",
                    "--report", out.getParent().resolve("ferry-verify-report").toString()))
                    .redirectOutput(out.toFile()).start();
            assertThat(verify.waitFor(5, TimeUnit.MINUTES)).isTrue();
            last = Files.readString(out, StandardCharsets.UTF_8);
            if (verify.exitValue() == 0) {
                assertThat(last).contains(Sakila.TABLE_COUNT + " of " + Sakila.TABLE_COUNT + " tables validated");
                return;
            }
            Thread.sleep(3000);
        }
        throw new AssertionError("ferry verify did not pass:\n" + last);
    }

    /** Drift planted in category, then `ferry reload category --state-dir`: the running migrate's pipeline repairs it. */
    private static void reloadThroughTheStateDirectory(SourceEndpoint source, String name, String pgUrl, Path state)
            throws Exception {
        try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
             Statement st = pg.createStatement()) {
            st.execute("INSERT INTO category (category_id, name, last_update) VALUES (99, 'Phantom', now())");
            st.execute("UPDATE category SET name = 'Drifted' WHERE category_id = 1");
        }
        Path out = Path.of("target/ferry-reload.log");
        // a live source, as a reload meets it (Debezium's read-only watermarks move with its transactions)
        java.util.concurrent.atomic.AtomicBoolean live = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread trickle = new Thread(() -> {
            try (Connection src = TestServers.sourceConnection(source, name); Statement st = src.createStatement()) {
                while (live.get()) {
                    st.execute("UPDATE actor SET last_update = NOW() WHERE actor_id = 9");
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        trickle.start();
        Process p = ferry(List.of("bash", home().resolve("ferry").toString(), "reload", "category", "--state-dir",
                state.toString(), "--timeout-seconds", "120")).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        } finally {
            live.set(false);
            trickle.join();
        }
        String log = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).contains("RELOADED category").contains("1 stale rows swept");
    }

    private static void cutoverCheck(String pgUrl, String sink) throws Exception {
        Path out = Files.createTempFile("ferry-cutover", ".log");
        long deadline = System.nanoTime() + 60_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            Process p = ferry(List.of("bash", home().resolve("ferry").toString(), "cutover-check", "--target", pgUrl,
                    "--target-user", TestServers.pgUser(), "--connector", sink)).redirectOutput(out.toFile()).start();
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
            last = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() == 0) {
                assertThat(last).contains("Cutover: yes").contains("45 indexes and constraints built")
                        .contains("COMPLETED, every table loaded by its last pass");
                return;
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("cutover-check did not pass:\n" + last);
    }
}
