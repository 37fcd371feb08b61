package io.ferry.cli;

import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import io.ferry.embedded.Sakila;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The whole pipeline on this machine, nothing to install: MariaDB with Sakila, PostgreSQL, a Kafka broker and a
 * Connect worker, all in-process or from Maven artifacts; the connectors from connectors/ as a user deploys them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Migrate the Sakila sample database from an embedded MariaDB into a redesigned PostgreSQL schema "
                + "(connectors/redesign/): full load with live progress, the design's keys and indexes built after it, "
                + "a CDC workload, then `ferry verify` through the redesign and the statistics.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--state-dir", description = "Where the servers keep their files (default: a new temp dir).")
    Path stateDir;

    @Option(names = "--timeout-seconds", defaultValue = "600", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--cdc-changes", defaultValue = "300", description = "How many source transactions the CDC workload commits (default ${DEFAULT-VALUE}).")
    int cdcChanges;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path dir = stateDir != null ? stateDir : Files.createTempDirectory("ferry-demo");
        System.setProperty("ferry.log.dir", dir.toString());
        long t0 = System.nanoTime();
        out.println("Ferry demo: Sakila from MariaDB to PostgreSQL through Debezium, Kafka and the Ferry sink");
        out.println("  state and logs: " + dir);
        try (MariaDbServer maria = MariaDbServer.start(dir.resolve("mariadb"));
             PostgresServer pg = PostgresServer.start(dir.resolve("postgres"))) {
            try (Connection c = maria.connect("")) {
                Sakila.load(c, "sakila");
            }
            pg.createDatabase("sakila");
            out.printf("  MariaDB %s (binlog ROW/FULL) on port %d loaded with Sakila; PostgreSQL on port %d (%.1f s)%n",
                    "11.4", maria.port(), pg.port(), secondsSince(t0));
            try (LocalPipeline pipeline = LocalPipeline.start(dir.resolve("connect"), out)) {
                out.printf("  Kafka broker (KRaft) at %s, Connect worker at %s (%.1f s)%n",
                        pipeline.server.bootstrapServers(), pipeline.server.restUrl(), secondsSince(t0));
                return run(maria, pg, pipeline);
            }
        }
    }

    private int run(MariaDbServer maria, PostgresServer pg, LocalPipeline pipeline) throws Exception {
        io.ferry.cli.SourceEndpoint source = new SourceEndpoint("mariadb", maria.host(), maria.port(), "sakila",
                maria.user(), maria.password());
        Path design = Paths.connectors().resolve("redesign");
        ConnectorFile srcFile = ConnectorFile.read(Paths.connectors().resolve("mariadb-source.json"));
        // the demo owns its broker: its topics take the fast binary format, as ferry migrate's do
        ConnectorFile src = srcFile.with(Overlays.source(source, pipeline.server.bootstrapServers(), "ferry"))
                .with(Overlays.topicFormat(srcFile, true, "binary"));
        // the hand-written target design, read by the worker through Kafka's DirectoryConfigProvider as in production
        ConnectorFile sinkFile = ConnectorFile.read(design.resolve("postgres-sink-ddl.json"));
        ConnectorFile sink = sinkFile
                .with(Overlays.sink(pg.jdbcUrl("sakila"), pg.user(), pg.password(), "ferry", "sakila"))
                .with(Map.of("target.ddl", "${dir:" + design + ":sakila-target.sql}"))
                .with(Overlays.topicFormat(sinkFile, false, "binary"));
        Map<String, Long> expected;
        try (Connection c = maria.connect("sakila")) {
            expected = SourceTables.exact(c, "sakila");
        }
        out.println();
        out.println("Deploying connectors/mariadb-source.json and connectors/redesign/postgres-sink-ddl.json: the target is");
        out.println("  the design in connectors/redesign/sakila-target.sql (bigint keys for film_actor and film_category,");
        out.println("  22 foreign keys, checks, uniques and indexes built after the load, staff.password left out)");
        out.println("  The demo owns its broker, so its topics use Ferry's binary converter (as the shipped files, the fast path).");
        pipeline.createTableTopics(src, "sakila", expected.keySet());
        pipeline.deploy(sink, src);

        out.println();
        out.println("Full load (Debezium snapshot -> COPY into bare tables)");
        long loadStart = System.nanoTime();
        long deadline = loadStart + timeoutSeconds * 1_000_000_000L;
        ProgressBoard board = new ProgressBoard(out);
        long lastDraw = 0;
        Map<String, TargetStats.Row> stats;
        try (Connection target = pg.connect("sakila")) {
            while (true) {
                stats = TargetStats.read(target, "ferry", sink.name());
                boolean done = loaded(expected, stats);
                if (done || System.nanoTime() - lastDraw > 1_000_000_000L) {
                    board.draw(expected, stats, secondsSince(loadStart));
                    lastDraw = System.nanoTime();
                }
                if (done) {
                    break;
                }
                pipeline.checkHealthy(src.name(), sink.name());
                if (System.nanoTime() > deadline) {
                    out.println("Full load did not finish within " + timeoutSeconds + " s");
                    return 1;
                }
                Thread.sleep(200);
            }
            double loadSeconds = secondsSince(loadStart);
            long rows = expected.values().stream().mapToLong(Long::longValue).sum();
            out.printf("Full load: %d rows in %d tables in %.1f s = %.0f rows/s (from deploy to last row committed)%n",
                    rows, expected.size(), loadSeconds, rows / loadSeconds);
            String built = awaitDesignBuilt(target, sink.name(), deadline, pipeline, src.name());
            out.printf("  after the load: %s (%.1f s)%n", built, secondsSince(loadStart) - loadSeconds);
        }

        out.println();
        out.println("CDC: " + cdcChanges + " source transactions (inserts, updates, a primary-key change, deletes, "
                + "multi-table transactions)");
        long cdcStart = System.nanoTime();
        int statements = CdcWorkload.apply(maria, cdcChanges);
        long committed = System.nanoTime();
        out.printf("  committed %d statements in %.1f s%n", statements, (committed - cdcStart) / 1e9);

        out.println();
        out.println("ferry verify: PostgreSQL against MariaDB, row by row through the redesign (the connector JSON's mapping)");
        Map<String, String> sinkConfig = new java.util.LinkedHashMap<>(sink.config());
        sinkConfig.put("name", sink.name());
        io.ferry.verify.mapping.MappingReader mapping = new io.ferry.verify.mapping.MappingReader(src.config(), sinkConfig);
        io.ferry.verify.VerifyRun verify = new io.ferry.verify.VerifyRun(mapping, new io.ferry.verify.VerifyRun.Connections() {
            @Override public Connection source() throws java.sql.SQLException { return maria.connect("sakila"); }
            @Override public Connection target() throws java.sql.SQLException { return pg.connect("sakila"); }
        }, new io.ferry.verify.TableVerifier(io.ferry.verify.TableVerifier.Options.defaults("ferry", sink.name())), 2);
        long verifyStart = System.nanoTime();
        List<io.ferry.verify.TableResult> results = verify.run("sakila", List.of(), out);
        out.printf("  verified in %.1f s, %.1f s after the last source commit%n", secondsSince(verifyStart),
                secondsSince(committed));
        out.println();
        out.print(io.ferry.verify.VerifyReport.table(results));
        try (Connection target = pg.connect("sakila")) {
            io.ferry.verify.VerifyStore store = new io.ferry.verify.VerifyStore("ferry");
            store.create(target);
            store.record(target, java.util.UUID.randomUUID().toString(), results);
            out.println();
            out.println("Per-table statistics (ferry.table_stats, written in the same transactions as the rows):");
            out.print(TargetStats.table(TargetStats.read(target, "ferry", sink.name())));
        }
        boolean ok = io.ferry.verify.VerifyReport.allValidated(results);
        out.println(ok ? "Demo finished: PostgreSQL equals MariaDB through the redesign, every table VALIDATED."
                : "Demo finished with differences.");
        return ok ? 0 : 1;
    }

    /** Waits for the design's indexes and constraints, which the sink builds once their tables are loaded. */
    private String awaitDesignBuilt(Connection target, String sink, long deadline, LocalPipeline pipeline, String src)
            throws Exception {
        String summary = "";
        while (System.nanoTime() < deadline) {
            try (java.sql.PreparedStatement ps = target.prepareStatement("SELECT count(*) FILTER (WHERE state = 'BUILT'), "
                    + "count(*), count(*) FILTER (WHERE kind = 'INDEX' AND state = 'BUILT'), count(*) FILTER (WHERE "
                    + "kind = 'FOREIGN_KEY' AND state = 'BUILT') FROM ferry.design_constraints WHERE connector = ?")) {
                ps.setString(1, sink);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    summary = rs.getLong(3) + " indexes, " + rs.getLong(4) + " foreign keys and "
                            + (rs.getLong(1) - rs.getLong(3) - rs.getLong(4)) + " unique/check constraints built and validated";
                    if (rs.getLong(2) > 0 && rs.getLong(1) == rs.getLong(2)) {
                        return summary;
                    }
                }
            }
            pipeline.checkHealthy(src, sink);
            Thread.sleep(200);
        }
        return summary + " (not all within the time limit)";
    }

    private static boolean loaded(Map<String, Long> expected, Map<String, TargetStats.Row> stats) {
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            TargetStats.Row r = stats.get(e.getKey());
            if (r == null || r.snapshotRows() < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }
}
