package io.ferry.cli;

import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import io.ferry.embedded.Sakila;
import io.ferry.verify.TableComparator;
import io.ferry.verify.TableComparison;
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
        description = "Migrate the Sakila sample database from an embedded MariaDB to an embedded PostgreSQL: full "
                + "load with live progress, then a CDC workload, then statistics and a row-by-row comparison.")
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
        ConnectorFile src = ConnectorFile.read(Paths.connectors().resolve("mariadb-source.json"))
                .with(Overlays.source(source, pipeline.server.bootstrapServers(), "ferry"));
        ConnectorFile sink = ConnectorFile.read(Paths.connectors().resolve("postgres-sink.json"))
                .with(Overlays.sink(pg.jdbcUrl("sakila"), pg.user(), pg.password(), "ferry", "sakila"));
        Map<String, Long> expected;
        try (Connection c = maria.connect("sakila")) {
            expected = SourceTables.exact(c, "sakila");
        }
        out.println();
        out.println("Deploying connectors/mariadb-source.json and connectors/postgres-sink.json");
        pipeline.deploy(sink, src);

        out.println();
        out.println("Full load (Debezium snapshot -> COPY into PostgreSQL)");
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
        }
        double loadSeconds = secondsSince(loadStart);
        long rows = expected.values().stream().mapToLong(Long::longValue).sum();
        out.printf("Full load: %d rows in %d tables in %.1f s = %.0f rows/s (from deploy to last row committed)%n",
                rows, expected.size(), loadSeconds, rows / loadSeconds);

        out.println();
        out.println("CDC: " + cdcChanges + " source transactions (inserts, updates, a primary-key change, deletes, "
                + "multi-table transactions)");
        long cdcStart = System.nanoTime();
        int statements = CdcWorkload.apply(maria, cdcChanges);
        long committed = System.nanoTime();
        out.printf("  committed %d statements in %.1f s; waiting for PostgreSQL to equal MariaDB row by row%n",
                statements, (committed - cdcStart) / 1e9);
        List<TableComparison> comparisons = List.of();
        try (Connection target = pg.connect("sakila"); Connection s = maria.connect("sakila")) {
            while (System.nanoTime() < deadline) {
                pipeline.checkHealthy(src.name(), sink.name());
                Map<String, TargetStats.Row> now = TargetStats.read(target, "ferry", sink.name());
                out.printf("  applied so far: %d inserts, %d updates, %d deletes%n", sum(now, "i"), sum(now, "u"),
                        sum(now, "d"));
                comparisons = compare(s, target);
                if (comparisons.stream().allMatch(TableComparison::matches)) {
                    break;
                }
                Thread.sleep(500);
            }
            out.printf("  target equal to source %.1f s after the last source commit%n", secondsSince(committed));
            out.println();
            out.println("Per-table statistics (ferry.table_stats, written in the same transactions as the rows):");
            out.print(TargetStats.table(TargetStats.read(target, "ferry", sink.name())));
        }
        out.println();
        out.println("Source vs target, row by row and column by column:");
        out.printf("  %-22s %10s %10s  %s%n", "table", "source", "target", "result");
        boolean ok = true;
        for (TableComparison c : comparisons) {
            out.printf("  %-22s %10d %10d  %s%n", c.table(), c.sourceRows(), c.targetRows(),
                    c.matches() ? "equal" : "DIFFERENT: " + c);
            ok &= c.matches();
        }
        out.println(ok ? "Demo finished: PostgreSQL equals MariaDB." : "Demo finished with differences.");
        return ok ? 0 : 1;
    }

    private static List<TableComparison> compare(Connection source, Connection target) throws Exception {
        List<TableComparison> out = new ArrayList<>();
        for (String t : TableComparator.tables(source, "sakila")) {
            out.add(new TableComparator().compare(source, "sakila", target, "public", t));
        }
        return out;
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

    private static long sum(Map<String, TargetStats.Row> rows, String what) {
        return rows.values().stream().mapToLong(r -> switch (what) {
            case "i" -> r.inserts();
            case "u" -> r.updates();
            default -> r.deletes();
        }).sum();
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }
}
