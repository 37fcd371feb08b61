package io.ferry.it;

import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.Sakila;
import io.ferry.verify.TableComparator;
import io.ferry.verify.TableComparison;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./ferry migrate} against real databases, as a user runs it: it loads and streams until stopped (SIGTERM, as
 * Ctrl-C sends), and started again with the same state directory it resumes: changes made while it was down arrive,
 * nothing is loaded twice.
 */
@Tag("e2e")
class FerryMigrateE2ETest {

    @Test
    void migratesStopsAndResumes() throws Exception {
        String name = TestServers.newName("migrate");
        SourceEndpoint source = TestServers.source(name);
        try (Connection c = TestServers.sourceConnection(source, "")) {
            Sakila.load(c, name);
        }
        String pgUrl = TestServers.newPostgresDatabase(name);
        Path state = Files.createTempDirectory("ferry-migrate-state");

        Process first = start(source, pgUrl, state, "target/ferry-migrate-1.log");
        try {
            awaitEqual(source, pgUrl, Duration.ofMinutes(4), first);
        } finally {
            first.destroy(); // SIGTERM, like Ctrl-C
            boolean stopped = first.waitFor(120, TimeUnit.SECONDS);
            if (!stopped) {
                first.destroyForcibly();
            }
            assertThat(stopped).as("migrate stops on SIGTERM; its log ends with:%n%s", tail(state.resolve("ferry.log")))
                    .isTrue();
        }
        try (Connection src = TestServers.sourceConnection(source, name); Statement st = src.createStatement()) {
            st.execute("INSERT INTO actor (actor_id, first_name, last_name) VALUES (777, 'WHILE', 'STOPPED')");
            st.execute("UPDATE film SET title = 'CHANGED WHILE STOPPED' WHERE film_id = 10");
            st.execute("DELETE FROM payment WHERE payment_id = 5");
        }
        Process second = start(source, pgUrl, state, "target/ferry-migrate-2.log");
        try {
            awaitEqual(source, pgUrl, Duration.ofMinutes(3), second);
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
        String secondLog = Files.readString(Path.of("target/ferry-migrate-2.log"), StandardCharsets.UTF_8);
        assertThat(secondLog).contains("Ferry migrate:");
        try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
             Statement st = pg.createStatement();
             var rs = st.executeQuery("SELECT sum(snapshot_rows) FROM ferry.table_stats")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the full load ran once, not again after the restart").isEqualTo(47_273);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Process start(SourceEndpoint source, String pgUrl, Path state, String log) throws Exception {
        Path home = Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();
        String src = "jdbc:mariadb://" + source.host() + ":" + source.port() + "/" + source.database();
        List<String> cmd = new ArrayList<>(List.of("bash", home.resolve("ferry").toString(), "migrate", "--source", src,
                "--source-user", source.user(), "--target", pgUrl, "--target-user", TestServers.pgUser(),
                "--state-dir", state.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File(log))
                .directory(home.toFile());
        pb.environment().put("FERRY_SOURCE_PASSWORD", source.password() == null ? "" : source.password());
        pb.environment().put("FERRY_TARGET_PASSWORD", TestServers.pgPassword() == null ? "" : TestServers.pgPassword());
        return pb.start();
    }

    private static void awaitEqual(SourceEndpoint source, String pgUrl, Duration timeout, Process p) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TableComparison> last = List.of();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("ferry migrate is running").isTrue();
            last = new ArrayList<>();
            try (Connection src = TestServers.sourceConnection(source, source.database());
                 Connection dst = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword())) {
                for (String t : TableComparator.tables(src, source.database())) {
                    last.add(new TableComparator().compare(src, source.database(), dst, "public", t));
                }
            } catch (java.sql.SQLException e) {
                last = List.of(TableComparison.failed("?", e.getMessage()));
            }
            if (last.size() == Sakila.TABLE_COUNT && last.stream().allMatch(TableComparison::matches)) {
                return;
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("target did not converge: " + last.stream().filter(c -> !c.matches()).toList());
    }
}
