package io.ferry.bench;

import io.ferry.cli.ConnectorFile;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ferry bench --only migrate}: the migration a new user runs, timed as they would time it. {@code ./ferry
 * migrate} is started as a command of its own (a new JVM with its own broker and worker, the shipped connector files,
 * only hosts, credentials and names overlaid) on {@link ShopData}'s four tables, and timed from its start until every
 * table is loaded in PostgreSQL with its keys, indexes and foreign keys built; then it is stopped. Beside it, in the
 * same rounds, pgloader migrates the same database in one command. Two Ferry variants: into the user's design
 * ({@link ShopData#TARGET_DDL}: the objects pgloader builds too) and with the shipped sink file unchanged (tables made
 * from the records, primary keys only). A third, with the shipped files, on {@link ManyTablesData}'s hundred small
 * tables, where what each table costs shows (pgloader migrates that database in the same rounds too).
 */
final class MigrateRun {

    static final String DESIGNED = "ferry_migrate_designed";
    static final String SHIPPED = "ferry_migrate_shipped";
    static final String PGLOADER_SUFFIX = "_shop";
    static final String MANY_TABLES = "ferry_migrate_many_tables";
    static final String PGLOADER_MANY_TABLES_SUFFIX = "_many_tables";

    private static final Duration LIMIT = Duration.ofMinutes(20);

    private final MariaDbServer maria;
    private final PostgresServer pg;
    private final CpuMeter meter;
    private final Path dir;
    private final Path pgloader;
    private final long rowsWanted;
    private final int runs;

    MigrateRun(MariaDbServer maria, PostgresServer pg, CpuMeter meter, Path dir, Path pgloader, long rows, int runs) {
        this.maria = maria;
        this.pg = pg;
        this.meter = meter;
        this.dir = dir;
        this.pgloader = pgloader;
        this.rowsWanted = rows;
        this.runs = runs;
    }

    /** What the sink must have built before a table counts as migrated, like pgloader's. */
    record Built(int primaryKeys, int foreignKeys, int indexes) {}

    List<Measurement> measure() throws Exception {
        say("generating about %,d rows in MariaDB %s (four tables, three foreign keys)", rowsWanted, ShopData.DATABASE);
        Map<String, Long> rows = ShopData.generate(maria, rowsWanted);
        long total = ShopData.total(rows);
        long bytes = BenchData.textBytes(maria, ShopData.DATABASE, rows);
        say("%s: %s, %,d rows, %.1f MB in PostgreSQL's text format", ShopData.DATABASE, rows, total, bytes / 1e6);
        Map<String, Measurement> bySystem = new LinkedHashMap<>();
        Measurement designed = new Measurement(DESIGNED, total, bytes);
        designed.note = "./ferry migrate in a new JVM, shipped files, the user's target.ddl (4 primary keys, "
                + "2 unique and 2 plain indexes, 3 foreign keys): from the command's start to every table loaded and built";
        Measurement shipped = new Measurement(SHIPPED, total, bytes);
        shipped.note = "./ferry migrate in a new JVM, shipped files unchanged (tables from the records, primary keys "
                + "only): from the command's start to every table loaded with its key";
        say("generating %d tables of %,d rows each in MariaDB %s", ManyTablesData.TABLES,
                ManyTablesData.split(rowsWanted).get("t001"), ManyTablesData.DATABASE);
        Map<String, Long> manyRows = ManyTablesData.generate(maria, rowsWanted);
        long manyBytes = BenchData.textBytes(maria, ManyTablesData.DATABASE, manyRows);
        Measurement many = new Measurement(MANY_TABLES, ShopData.total(manyRows), manyBytes);
        many.note = "./ferry migrate in a new JVM, shipped files unchanged, " + ManyTablesData.TABLES + " tables of "
                + manyRows.get("t001") + " rows: from the command's start to every table loaded with its key";
        List<String> designedUp = new ArrayList<>();
        List<String> shippedUp = new ArrayList<>();
        List<String> manyUp = new ArrayList<>();
        // rounds: pgloader's settings, then the Ferry variants, so a slow spell of the machine hits all of them
        for (int run = 1; run <= runs; run++) {
            pgloaderRound(bySystem, run, ShopData.DATABASE, PGLOADER_SUFFIX, rows, bytes);
            designedUp.add(String.format("%.1f", once(designed, run, "designed", ShopData.DATABASE, rows, true)));
            shippedUp.add(String.format("%.1f", once(shipped, run, "shipped", ShopData.DATABASE, rows, false)));
            pgloaderRound(bySystem, run, ManyTablesData.DATABASE, PGLOADER_MANY_TABLES_SUFFIX, manyRows, manyBytes);
            manyUp.add(String.format("%.1f", once(many, run, "many_tables", ManyTablesData.DATABASE, manyRows, false)));
        }
        bySystem.put(DESIGNED, designed);
        bySystem.put(SHIPPED, shipped);
        bySystem.put(MANY_TABLES, many);
        if (pgloader != null) {
            String built = pgloaderObjects(rows);
            say("  pgloader built in %s: %s", ShopData.DATABASE, built);
            designed.note += "; pgloader's target held " + built;
        }
        // the part of each run before any row moves: the JVM, the broker and the worker starting
        designed.note += "; connectors deployed after " + String.join(", ", designedUp) + " s";
        shipped.note += "; connectors deployed after " + String.join(", ", shippedUp) + " s";
        many.note += "; connectors deployed after " + String.join(", ", manyUp) + " s";
        return new ArrayList<>(bySystem.values());
    }

    /** pgloader migrates the whole database once with each of its settings, as one round's measurements. */
    private void pgloaderRound(Map<String, Measurement> bySystem, int run, String database, String suffix,
                               Map<String, Long> rows, long bytes) throws Exception {
        if (pgloader == null) {
            return;
        }
        for (Measurement m : Pgloader.measure(pgloader, maria, pg, meter, new Pgloader.Scope(database, null,
                suffix + "_round" + run, rows), bytes, 1)) {
            merge(bySystem, m, m.system.replace("_round" + run, ""));
        }
    }

    /** pgloader's measurement of one round, added to the runs before it under its name without the round. */
    private static void merge(Map<String, Measurement> bySystem, Measurement round, String name) {
        Measurement m = bySystem.get(name);
        if (m != null && m.measured() && !round.measured()) {
            m.note += "; a round not measured: " + round.note; // the report says so instead of a run going missing
            return;
        }
        if (m == null || !m.measured()) {
            Measurement fresh = round.measured() ? new Measurement(name, round.rows, round.bytes)
                    : Measurement.skipped(name, round.note);
            fresh.note = round.note;
            bySystem.put(name, fresh);
            m = fresh;
        }
        m.seconds.addAll(round.seconds);
        m.cpu.addAll(round.cpu);
    }

    /** One timed migrate; returns the seconds from its start until it deployed its connectors. */
    private double once(Measurement m, int run, String variant, String sourceDb, Map<String, Long> rows,
                        boolean design) throws Exception {
        String db = "migrate_" + variant + "_" + run;
        QuietPostgres.freshDatabase(pg, db);
        Path state = dir.resolve("migrate-" + variant + "-" + run);
        Path home = Path.of(System.getProperty("ferry.home", ".")).toAbsolutePath();
        Path sinkFile = home.resolve("connectors").resolve("postgres-sink.json");
        if (design) {
            ConnectorFile shippedSink = ConnectorFile.read(sinkFile);
            sinkFile = dir.resolve("shop-sink-designed.json");
            shippedSink.renamed("ferry-shop-sink").with(Map.of("target.ddl", ShopData.TARGET_DDL)).write(sinkFile);
        }
        Built wanted = design ? new Built(ShopData.DESIGNED_PRIMARY_KEYS, ShopData.DESIGNED_FOREIGN_KEYS,
                ShopData.DESIGNED_INDEXES) : new Built(rows.size(), 0, rows.size());
        List<String> cmd = List.of("bash", home.resolve("ferry").toString(), "migrate",
                "--source", "jdbc:mariadb://" + maria.host() + ":" + maria.port() + "/" + sourceDb,
                "--source-user", maria.user(), "--target", pg.jdbcUrl(db), "--target-user", pg.user(),
                "--sink-config", sinkFile.toString(), "--state-dir", state.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(home.toFile());
        pb.environment().put("FERRY_NO_BUILD", "1"); // the bench runs what is built, as the user's runner would
        pb.environment().put("FERRY_SOURCE_PASSWORD", maria.password());
        pb.environment().put("FERRY_TARGET_PASSWORD", pg.password());
        Path log = dir.resolve("migrate-" + variant + "-" + run + ".log");
        CpuMeter.Run cpu = meter.start();
        long t0 = System.nanoTime();
        Process p = pb.start();
        AtomicLong deployedAt = new AtomicLong();
        Thread pump = pump(p, log, deployedAt);
        try {
            ProcessThreads threads = new ProcessThreads(p.pid());
            double seconds = awaitMigrated(p, db, rows, wanted, t0, log, threads);
            double migrateCpu = p.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
            Map<String, Double> split = threads.split();
            CpuMeter.Use u = cpu.stop();
            m.seconds.add(seconds);
            // the bench's JVM only waits here: the JVM reported is the command's, which runs the whole pipeline
            Map<String, Double> groups = new LinkedHashMap<>();
            CpuMeter.THREAD_GROUPS.forEach(g -> groups.put(g, split.get(g)));
            m.cpu.add(new CpuMeter.Use(u.wallSeconds(), u.machineBusy(), migrateCpu, split.get("jit"), split.get("gc"),
                    Double.NaN, u.servers(), groups));
            double up = deployedAt.get() == 0 ? Double.NaN : (deployedAt.get() - t0) / 1e9;
            say("  %-24s run %d: %,d rows in %.1f s (%,.0f rows/s), connectors deployed after %.1f s, the command's "
                    + "CPU %.1f s", m.system, run, m.rows, seconds, m.rows / seconds, up, migrateCpu);
            return up;
        } finally {
            stop(p);
            pump.join(10_000);
        }
    }

    /** Seconds from t0 until every table holds its rows with wanted built; otherwise throws, naming the command's log. */
    private double awaitMigrated(Process p, String db, Map<String, Long> rows, Built wanted, long t0, Path log,
                                 ProcessThreads threads) throws Exception {
        long deadline = t0 + LIMIT.toNanos();
        try (Connection c = pg.connect(db)) {
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("ferry migrate exited " + p.exitValue() + " before the load ended; "
                            + "see " + log);
                }
                if (builtAndStreaming(c, rows, wanted)) {
                    long end = System.nanoTime();
                    String mismatch = rowCountMismatch(c, rows);
                    if (mismatch == null) {
                        return (end - t0) / 1e9;
                    }
                    throw new IllegalStateException("ferry migrate reported every table loaded, but " + mismatch
                            + "; see " + log);
                }
                threads.sample();
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("ferry migrate did not load " + rows.keySet() + " within " + LIMIT + "; see " + log);
    }

    private static final String STREAMING = "SELECT count(*) FROM ferry.table_stats WHERE phase = 'STREAMING' "
            + "AND table_name = ANY(?)";

    /** Valid primary keys, validated foreign keys and valid indexes of these tables in one schema. */
    private static final String OBJECTS = "SELECT "
            + "count(*) FILTER (WHERE k.contype = 'p'), count(*) FILTER (WHERE k.contype = 'f' AND k.convalidated), "
            + "(SELECT count(*) FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid JOIN pg_namespace n "
            + "  ON n.oid = r.relnamespace WHERE n.nspname = ? AND r.relname = ANY(?) AND i.indisvalid) "
            + "FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
            + "WHERE n.nspname = ? AND r.relname = ANY(?)";

    private static boolean builtAndStreaming(Connection c, Map<String, Long> rows, Built wanted) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STREAMING)) {
            ps.setArray(1, c.createArrayOf("text", rows.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) != rows.size()) {
                    return false;
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return false; // the sink has not made its state tables yet
            }
            throw e;
        }
        return objects(c, "public", rows).equals(wanted);
    }

    static Built objects(Connection c, String schema, Map<String, Long> rows) throws SQLException {
        Array tables = c.createArrayOf("text", rows.keySet().toArray());
        try (PreparedStatement ps = c.prepareStatement(OBJECTS)) {
            ps.setString(1, schema);
            ps.setArray(2, tables);
            ps.setString(3, schema);
            ps.setArray(4, tables);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Built(rs.getInt(1), rs.getInt(2), rs.getInt(3));
            }
        }
    }

    /** The first table holding fewer or more rows than the source, as text; null when all match. */
    private static String rowCountMismatch(Connection c, Map<String, Long> rows) throws SQLException {
        for (Map.Entry<String, Long> t : rows.entrySet()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM public.\"" + t.getKey() + "\"");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != t.getValue()) {
                    return t.getKey() + " holds " + rs.getLong(1) + " rows of " + t.getValue();
                }
            }
        }
        return null;
    }

    /** What pgloader's first round built in its target, for the report: the kinds of objects Ferry is timed to. */
    private String pgloaderObjects(Map<String, Long> rows) {
        try (Connection c = pg.connect("pgloader" + PGLOADER_SUFFIX + "_round1_1")) {
            return objects(c, ShopData.DATABASE, rows).toString();
        } catch (SQLException e) {
            return "not read (" + e.getMessage() + ")";
        }
    }

    /** Copies the command's output to its log, noting when it printed that its connectors are about to be deployed. */
    private static Thread pump(Process p, Path log, AtomicLong deployedAt) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (deployedAt.get() == 0 && line.startsWith("  topics:")) {
                        deployedAt.set(System.nanoTime());
                    }
                    out.println(line);
                }
            } catch (Exception e) {
                // the log is a convenience: the measurement does not depend on it
            }
        }, "migrate-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** SIGTERM, as Ctrl-C stops it; killed if it has not stopped within a minute. */
    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }
}
