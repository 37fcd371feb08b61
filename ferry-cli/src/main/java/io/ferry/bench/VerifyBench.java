package io.ferry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import io.ferry.verify.TableResult;
import io.ferry.verify.TableVerifier;
import io.ferry.verify.VerifyRun;
import io.ferry.verify.mapping.MappingReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * ferry verify of the benchmark table against reading it: a plain SELECT * of each side (streamed, every value read),
 * the verify with no differences, the verify with 10 differences planted, and the verify in a JVM whose heap is far
 * smaller than the table (its state is per segment, not per table).
 */
final class VerifyBench {

    private VerifyBench() {}

    /** The measurements, and the small-heap run's outcome as a note. */
    record Result(List<Measurement> measurements, String smallHeap) {}

    static Result measure(MariaDbServer maria, PostgresServer pg, String db, Map<String, String> source,
                          Map<String, String> sink, String topicPrefix, long rows, long bytes, int runs) throws Exception {
        List<Measurement> out = new ArrayList<>();
        Measurement srcRead = new Measurement("select_star_source", rows, bytes);
        Measurement dstRead = new Measurement("select_star_target", rows, bytes);
        for (int i = 0; i < runs; i++) {
            srcRead.seconds.add(selectStar(maria.connect(BenchData.DATABASE), "SELECT * FROM " + BenchData.TABLE, false));
            dstRead.seconds.add(selectStar(pg.connect(db), "SELECT * FROM " + BenchData.TABLE, true));
        }
        srcRead.note = "MariaDB, every column read through JDBC (streamed), the yardstick of the verify";
        dstRead.note = "PostgreSQL, the same";
        out.add(srcRead);
        out.add(dstRead);

        Map<String, String> sinkConfig = new LinkedHashMap<>(sink);
        MappingReader mapping = new MappingReader(source, sinkConfig);
        VerifyRun run = new VerifyRun(mapping, new VerifyRun.Connections() {
            @Override public Connection source() throws SQLException { return maria.connect(BenchData.DATABASE); }
            @Override public Connection target() throws SQLException { return pg.connect(db); }
        }, new TableVerifier(new TableVerifier.Options(0, 0, 10_000, mapping.stateSchema(), null)), 1);
        Measurement clean = new Measurement("ferry_verify", rows, bytes);
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            TableResult r = run.run(BenchData.DATABASE, List.of(BenchData.TABLE), null).get(0);
            clean.seconds.add((System.nanoTime() - t0) / 1e9);
            if (!r.validated()) {
                throw new IllegalStateException("the bench table does not verify: " + r.stateText() + " " + r.reason());
            }
            clean.note = "no differences, " + r.mode() + " mode, both databases at once";
        }
        out.add(clean);

        List<Long> planted = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            planted.add(Math.max(1, rows * i / 11));
        }
        String ids = String.join(",", planted.stream().map(String::valueOf).toList());
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("UPDATE " + BenchData.TABLE + " SET qty = qty + 1 WHERE id IN (" + ids + ")");
        }
        Measurement withDiffs = new Measurement("ferry_verify_10_differences", rows, bytes);
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            TableResult r = run.run(BenchData.DATABASE, List.of(BenchData.TABLE), null).get(0);
            withDiffs.seconds.add((System.nanoTime() - t0) / 1e9);
            if (r.mismatched() != 10) {
                throw new IllegalStateException("expected the 10 planted differences, got " + r.stateText());
            }
            withDiffs.note = "10 rows changed in the target: found with key and column";
        }
        out.add(withDiffs);
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("UPDATE " + BenchData.TABLE + " SET qty = qty - 1 WHERE id IN (" + ids + ")");
        }
        return new Result(out, smallHeap(maria, pg, db, source, sink, topicPrefix));
    }

    /** Reads every value of every row, as a comparison that fetches the rows would have to. */
    private static double selectStar(Connection c, String sql, boolean postgres) throws SQLException {
        try (c) {
            if (postgres) {
                c.setAutoCommit(false);
            }
            long t0 = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.setFetchSize(5000);
                try (ResultSet rs = st.executeQuery(sql)) {
                    int n = rs.getMetaData().getColumnCount();
                    long chars = 0;
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            String v = rs.getString(i);
                            chars += v == null ? 0 : v.length();
                        }
                    }
                    if (chars < 0) {
                        throw new IllegalStateException();
                    }
                }
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** `ferry verify` as a user runs it, in its own JVM with a 64 MB heap, on a table of a few hundred MB. */
    private static String smallHeap(MariaDbServer maria, PostgresServer pg, String db, Map<String, String> source,
                                    Map<String, String> sink, String topicPrefix) throws Exception {
        Path home = Path.of(System.getProperty("ferry.home", ".")).toAbsolutePath();
        Path dir = Files.createTempDirectory("ferry-verify-bench");
        ObjectMapper json = new ObjectMapper();
        Path src = dir.resolve("source.json");
        Path snk = dir.resolve("sink.json");
        json.writeValue(src.toFile(), Map.of("name", "bench-verify-source", "config", source));
        json.writeValue(snk.toFile(), Map.of("name", sink.getOrDefault("name", "bench-verify-sink"), "config", sink));
        String cp = home.resolve("ferry-cli/target/ferry-cli.jar") + java.io.File.pathSeparator
                + home.resolve("ferry-cli/target/lib/*");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-Dferry.home=" + home, "-cp", cp, "io.ferry.cli.Ferry", "verify", "--source",
                "jdbc:mariadb://" + maria.host() + ":" + maria.port() + "/" + BenchData.DATABASE + "?user=" + maria.user(),
                "--target", pg.jdbcUrl(db), "--target-user", pg.user(), "--source-config", src.toString(),
                "--sink-config", snk.toString(), "--topic-prefix", topicPrefix, "--tables", BenchData.TABLE,
                "--rechecks", "0", "--no-store");
        Path log = dir.resolve("verify.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (maria.password() != null) {
            pb.environment().put("FERRY_SOURCE_PASSWORD", maria.password());
        }
        pb.environment().put("FERRY_TARGET_PASSWORD", pg.password());
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return "did not finish in 30 minutes";
        }
        double s = (System.nanoTime() - t0) / 1e9;
        String output = Files.readString(log);
        return p.exitValue() == 0 && output.contains("1 of 1 tables validated")
                ? String.format("VALIDATED with -Xmx64m in %.1f s (JVM start included)", s)
                : "FAILED with -Xmx64m (exit " + p.exitValue() + "): " + output.lines().reduce((a, b) -> b).orElse("");
    }
}
