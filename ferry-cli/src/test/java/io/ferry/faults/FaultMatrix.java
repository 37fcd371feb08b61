package io.ferry.faults;

import io.ferry.cli.ConnectClient;
import io.ferry.cli.ConnectorFile;
import io.ferry.cli.Overlays;
import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import io.ferry.it.TestServers;
import io.ferry.verify.TableResult;
import io.ferry.verify.TableVerifier;
import io.ferry.verify.VerifyRun;
import io.ferry.verify.diff.Difference;
import io.ferry.verify.mapping.MappingReader;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One migration per fault on the shared multi-process cluster, each into the designed target with uuid keys and a
 * foreign key, written by a least-privilege role over TLS (sslmode=verify-full): the fault is injected in the middle
 * of the full load, during the constraint build, and during CDC under a sequence-numbered workload; after each phase
 * the target is compared with the source (ferry verify through the mapping, and the keyless log by sequence number).
 * Rows lost, doubled and stale are counted, the time to recover is measured, and the sink's stored offsets are watched
 * for any step backwards.
 */
public final class FaultMatrix {

    public static final String SINK_ROLE = "ferry_fault_sink";
    /** The source login: Debezium's documented grants, no more (docker/mysql/00-debezium-user.sql for MySQL). */
    public static final String SOURCE_USER = "ferry_fault_src";
    static final int ENTRIES = 20_000;
    static final int LOG_ROWS = 5_000;
    static final int TOTAL = SequencedWorkload.ACCOUNTS + ENTRIES + LOG_ROWS + 2;

    /** One cell of the matrix. */
    public record Cell(Fault fault, Fault.Phase phase, boolean applied, double recoverySeconds, long lost, long doubled,
                       long stale, String note) {}

    private final FaultCluster cluster;
    private final MariaDbServer maria;
    private final PostgresServer pg;
    private final TestTls.Files3 tls;
    private final int rounds;
    private int cells;
    /** The workers' MBeans as each pipeline left them, read before its connectors are deleted. */
    final StringBuilder jmx = new StringBuilder();

    public String jmxDumps() {
        return jmx.toString();
    }

    /** The operator's webhook: the sink's events and the workers' connector state events (null: not checked). */
    private WebhookReceiver alerts;

    public FaultMatrix alertingTo(WebhookReceiver alerts) {
        this.alerts = alerts;
        return this;
    }

    public FaultMatrix(FaultCluster cluster, MariaDbServer maria, PostgresServer pg, TestTls.Files3 tls, int rounds) {
        this.cluster = cluster;
        this.maria = maria;
        this.pg = pg;
        this.tls = tls;
        this.rounds = rounds;
    }

    /** The least-privilege role the sink logs in as (created once per server). */
    public static void createSinkRole(Connection admin, String password) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("DO $$ BEGIN CREATE ROLE " + SINK_ROLE + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; "
                    + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            st.execute("ALTER ROLE " + SINK_ROLE + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
        }
    }

    /**
     * The least-privilege source user: snapshot (SELECT, RELOAD for the global read lock, LOCK TABLES, SHOW
     * DATABASES) and binlog (REPLICATION SLAVE, BINLOG MONITOR, MariaDB's name for REPLICATION CLIENT). Created for
     * '%' and 'localhost' because an anonymous ''@'localhost' account would otherwise win for local logins.
     */
    public static void createSourceUser(Connection root, String password) throws SQLException {
        try (Statement st = root.createStatement()) {
            for (String host : List.of("%", "localhost", "127.0.0.1")) {
                String user = "'" + SOURCE_USER + "'@'" + host + "'";
                st.execute("CREATE OR REPLACE USER " + user + " IDENTIFIED BY '" + password.replace("'", "''") + "'");
                st.execute("GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, LOCK TABLES ON *.* TO "
                        + user);
            }
        }
    }

    /** Everything a fault did, phase by phase. */
    public List<Cell> run(Fault fault) throws Exception {
        String name = "fm_" + fault.name().toLowerCase() + "_" + (++cells);
        long t0 = System.nanoTime();
        java.util.function.Consumer<String> step = what -> System.out.printf("  %s %6.1f s %s%n", name,
                (System.nanoTime() - t0) / 1e9, what);
        Pipeline p = new Pipeline(name);
        List<Cell> out = new ArrayList<>();
        try {
            p.deploy();
            step.accept("deployed");
            // the full load, interrupted a third of the way in
            p.awaitSnapshotRows(TOTAL / 3);
            step.accept("a third loaded");
            Cell load = inject(p, fault, Fault.Phase.LOAD);
            step.accept("recovered");
            // the constraint build: held at a lock the test takes on fm_entry (it does not block the COPY), so the
            // fault lands while the sink's index and foreign-key statements are under way, then let go
            p.holdBuild();
            p.awaitBuildBlockedOrLoaded();
            step.accept("build under way");
            Cell build = inject(p, fault, Fault.Phase.BUILD);
            p.awaitLoaded();
            step.accept("loaded");
            p.awaitBuilt();
            step.accept("built");
            // the load's and the build's cells share one comparison: the build is over before the load can be judged
            long[] afterBuild = p.settledDamage(60);
            out.add(withDamage(load, afterBuild));
            out.add(withDamage(build, afterBuild));
            step.accept("compared");
            // CDC under a sequence-numbered workload
            SequencedWorkload w = new SequencedWorkload(p::source, 1_000_000L * cells, ENTRIES);
            w.start(40);
            Thread.sleep(2000);
            Cell cdc = inject(p, fault, Fault.Phase.CDC);
            Thread.sleep(2000); // changes after the repair, applied by the recovered pipeline
            long committed = w.stop();
            step.accept("workload stopped");
            p.awaitConverged();
            step.accept("converged");
            Cell done = withDamage(cdc, p.damage());
            // what Debezium sent twice after its task died, and the sink recognised (RedeliveryFence)
            long redelivered = p.scalar("SELECT coalesce(sum(redelivered_skipped), 0) FROM ferry.table_stats");
            out.add(new Cell(done.fault(), done.phase(), done.applied(), done.recoverySeconds(), done.lost(), done.doubled(),
                    done.stale(), (done.note().isEmpty() ? "" : done.note() + "; ") + committed
                            + " source transactions around the fault"
                            + (redelivered > 0 ? "; " + redelivered + " re-delivered changes skipped" : "")));
            if (!p.offsetsBackwards.isEmpty()) {
                throw new AssertionError(fault + ": the sink's stored offsets moved backwards: " + p.offsetsBackwards);
            }
            return out;
        } finally {
            p.close();
        }
    }

    private static Cell withDamage(Cell c, long[] damage) {
        return new Cell(c.fault(), c.phase(), c.applied(), c.recoverySeconds(), damage[0], damage[1], damage[2], c.note());
    }

    /** What the webhook showed during the current cell, for its note. */
    private final List<String> alertNotes = new ArrayList<>();

    /**
     * The webhook got an event of this type for this connector since a time, carrying the cause, within 10 s: the
     * issue's bar for an operator hearing about a failure. Returns its body (null when alerts are not checked).
     */
    private String alerted(String connector, String type, long since, String cause, long withinMs)
            throws InterruptedException {
        if (alerts == null) {
            return null;
        }
        WebhookReceiver.Received r = alerts.await(since, b -> b.contains("\"type\":\"" + type + "\"")
                && b.contains("\"connector\":\"" + connector + "\"") && b.contains(cause), withinMs);
        if (r == null) {
            throw new AssertionError("no " + type + " event for " + connector + " with '" + cause + "' reached the "
                    + "webhook within " + withinMs / 1000 + " s; it got " + alerts.all().stream().map(WebhookReceiver.Received::body)
                    .filter(b -> b.contains(connector)).toList());
        }
        return r.body();
    }

    private Cell inject(Pipeline p, Fault fault, Fault.Phase phase) throws Exception {
        if (!fault.phases.contains(phase)) {
            p.releaseBuild(); // the build gate is taken for every fault; one that skips the phase must let it go
            return new Cell(fault, phase, false, 0, 0, 0, 0, "not applied in this phase");
        }
        String note = phase == Fault.Phase.BUILD ? p.buildState() : "";
        int restartsBefore = p.harnessRestarts.get();
        long repairedAt;
        try {
            repairedAt = apply(p, fault);
        } finally {
            p.releaseBuild();
        }
        double recovery = p.awaitRecovered(repairedAt, phase);
        int restarts = p.harnessRestarts.get() - restartsBefore;
        if (restarts > 0) {
            note = (note.isEmpty() ? "" : note + "; ") + restarts + " FAILED task restart(s) by the harness";
        }
        if (!alertNotes.isEmpty()) {
            note = (note.isEmpty() ? "" : note + "; ") + String.join("; ", alertNotes);
            alertNotes.clear();
        }
        return new Cell(fault, phase, true, recovery, 0, 0, 0, note);
    }

    /** Injects the fault and repairs it; returns when the repair was done. */
    private long apply(Pipeline p, Fault fault) throws Exception {
        switch (fault) {
            case WORKERS_SIGTERM, WORKERS_SIGKILL -> {
                boolean hard = fault == Fault.WORKERS_SIGKILL;
                for (int round = 1; round <= rounds; round++) {
                    for (int i = 0; i < cluster.workerCount(); i++) {
                        cluster.stopWorker(i, hard);
                        cluster.startWorker(i);
                        if (round == 1) {
                            Thread.sleep(1000); // later rounds back to back, as Kafka's own bounce test
                        }
                    }
                }
            }
            case POSTGRES_CRASH -> {
                pg.stopImmediately();
                Thread.sleep(3000);
                pg.startAgain();
            }
            case POSTGRES_CONNECTIONS -> {
                try (Connection c = p.admin(); Statement st = c.createStatement()) {
                    st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + SINK_ROLE + "'");
                }
            }
            case BROKER_RESTART -> cluster.restartBroker(true, 3000);
            case SOURCE_RESTART -> maria.restart(3000);
            case REBALANCE -> {
                // the other workers leave together and join together, as a scale-down and scale-up do
                for (int round = 0; round < 2; round++) {
                    cluster.stopWorkers(1, false);
                    p.awaitRunning(60);
                    cluster.startWorkers(1);
                    if (round == 0) {
                        p.awaitRunning(60);
                    }
                }
            }
            case TASK_FAILED -> {
                try (Connection c = p.admin(); Statement st = c.createStatement()) {
                    st.execute("ALTER ROLE " + SINK_ROLE + " NOLOGIN");
                    st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + SINK_ROLE + "'");
                }
                // a change to write, so an idle sink meets the revoked login too
                try (Connection c = p.source(); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO fm_log VALUES (-" + System.currentTimeMillis() + ", 'poke')");
                }
                p.awaitSinkTaskFailed(120);
                long failedAt = System.currentTimeMillis();
                String failure = alerted(p.sinkName, "TASK_FAILED", failedAt - 10_000, "28000", 10_000);
                alerted(p.sinkName, "SINK_TASK_FAILED", failedAt - 10_000, "28000", 10_000);
                try (Connection c = p.admin(); Statement st = c.createStatement()) {
                    st.execute("ALTER ROLE " + SINK_ROLE + " LOGIN");
                }
                cluster.rest().restartFailed(p.sinkName);
                // RUNNING again after one of the FAILED the webhook reported (a task that fails and is restarted
                // between two polls of the workers' state is never seen FAILED, so not this very restart's)
                alerted(p.sinkName, "TASK_RUNNING", failedAt - 10_000, "was FAILED", 40_000);
                if (failure != null) {
                    alertNotes.add("webhook: TASK_FAILED and SINK_TASK_FAILED with SQLState 28000, then TASK_RUNNING");
                }
            }
            case RELOAD_SOURCE_KILLED -> reloadWithSourceWorkerKilled(p);
            case PAUSE_RESUME -> {
                cluster.rest().pause(p.sinkName);
                cluster.rest().pause(p.sourceName);
                Thread.sleep(5000);
                cluster.rest().resume(p.sourceName);
                cluster.rest().resume(p.sinkName);
            }
        }
        return System.currentTimeMillis();
    }

    /**
     * Rows deleted, rows the source never had and values changed in the target, then `ferry reload` of both tables
     * (in a thread, as an operator runs it); once the reload has written some rows, the worker running Debezium's
     * task is killed and started again: the incremental snapshot resumes from the connector's offsets on a live
     * worker and the reload ends DONE, its sweep removing the planted rows.
     */
    private void reloadWithSourceWorkerKilled(Pipeline p) throws Exception {
        try (Connection c = p.admin(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM shop.fm_entry WHERE entry_id BETWEEN 101 AND 105");
            st.execute("UPDATE shop.fm_entry SET amount = amount + 1000 WHERE entry_id BETWEEN 201 AND 205");
            st.execute("INSERT INTO shop.fm_entry (entry_id, region, acct, account_ref, amount, version, seq) SELECT "
                    + "entry_id + 900000000, region, acct, account_ref, amount, version, seq FROM shop.fm_entry "
                    + "WHERE entry_id BETWEEN 301 AND 303");
            st.execute("INSERT INTO shop.fm_account (id, region, acct, balance, version, seq) SELECT gen_random_uuid(), "
                    + "'zz', acct, balance, version, seq FROM shop.fm_account WHERE acct BETWEEN 1 AND 2");
        }
        java.util.concurrent.atomic.AtomicInteger exit = new java.util.concurrent.atomic.AtomicInteger(-1);
        Thread reload = new Thread(() -> exit.set(io.ferry.cli.Ferry.execute("reload", "fm_entry,fm_account",
                "--connect", cluster.rest().base().toString(), "--connector", p.sinkName, "--source-connector",
                p.sourceName, "--bootstrap", cluster.bootstrap(), "--target", p.pgUrl, "--target-user",
                TestServers.pgUser(), "--target-password", TestServers.pgPassword(), "--timeout-seconds", "240")),
                "ferry-reload");
        reload.start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (p.scalar("SELECT coalesce(sum(reload_rows), 0) FROM ferry.table_stats") < 1000) {
            if (!reload.isAlive() || System.currentTimeMillis() > deadline) {
                throw new AssertionError("the reload wrote no rows before the kill (exit " + exit.get() + ")");
            }
            Thread.sleep(100);
        }
        int victim = cluster.workerRunning(p.sourceName);
        long rowsAtKill = p.scalar("SELECT coalesce(sum(reload_rows), 0) FROM ferry.table_stats");
        cluster.stopWorker(victim, true);
        cluster.startWorker(victim);
        reload.join(300_000);
        if (exit.get() != 0) {
            throw new AssertionError("ferry reload ended with exit code " + exit.get() + " after the kill");
        }
        long swept = p.scalar("SELECT coalesce(sum(rows_swept), 0) FROM ferry.reloads WHERE state = 'DONE'");
        alertNotes.add("reload: worker-" + victim + " killed after " + rowsAtKill + " reloaded rows; resumed and DONE, "
                + p.scalar("SELECT coalesce(sum(reload_rows), 0) FROM ferry.table_stats") + " rows reloaded, " + swept
                + " planted rows swept");
        if (swept != 5) {
            throw new AssertionError("the sweep removed " + swept + " rows, not the 5 planted");
        }
    }

    /** One migration: its databases, its connectors, and the watch on its stored offsets. */
    private final class Pipeline implements AutoCloseable {
        final String db;
        final String prefix;
        final String sourceName;
        final String sinkName;
        final String pgUrl;
        ConnectorFile source;
        ConnectorFile sink;
        final List<String> offsetsBackwards = new CopyOnWriteArrayList<>();
        private final AtomicBoolean watching = new AtomicBoolean(true);
        final AtomicInteger harnessRestarts = new AtomicInteger();
        private final Thread watcher;

        Pipeline(String db) throws Exception {
            this.db = db;
            this.prefix = db.replace('_', '-');
            this.sourceName = prefix + "-source";
            this.sinkName = prefix + "-sink";
            try (Connection c = maria.connect(""); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + db);
            }
            try (Connection c = maria.connect(db)) {
                SequencedWorkload.create(c, ENTRIES, LOG_ROWS);
            }
            pgUrl = TestServers.newPostgresDatabase(db);
            try (Connection c = admin(); Statement st = c.createStatement()) {
                // what a DBA grants: the two schemas, owned by the role; no CREATE on the database, no superuser
                st.execute("CREATE SCHEMA shop AUTHORIZATION " + SINK_ROLE);
                st.execute("CREATE SCHEMA ferry AUTHORIZATION " + SINK_ROLE);
                st.execute("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
                st.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + db + " TO " + SINK_ROLE);
                st.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            }
            watcher = new Thread(this::watchOffsets, "offset-watch-" + db);
            watcher.setDaemon(true);
            watcher.start();
        }

        Connection admin() throws SQLException {
            return DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
        }

        Connection source() throws SQLException {
            return maria.connect(db);
        }

        void deploy() throws Exception {
            SourceEndpoint endpoint = new SourceEndpoint("mariadb", maria.host(), maria.port(), db, SOURCE_USER, "");
            Path connectors = Path.of(System.getProperty("ferry.project.dir", "..")).resolve("connectors");
            Map<String, String> src = new LinkedHashMap<>(Overlays.source(endpoint, cluster.bootstrap(), prefix));
            // credentials through the workers' config provider: never in a connector config the REST API shows
            src.put("database.password", "${env:FERRY_FAULT_SOURCE_PASSWORD}");
            src.put("database.server.id", Integer.toString(6000 + cells));
            src.putAll(SequencedWorkload.transforms());
            // small chunks: a reload lasts long enough for a worker to be killed in the middle of it
            src.put("incremental.snapshot.chunk.size", "256");
            source = ConnectorFile.read(connectors.resolve("mariadb-source.json")).renamed(sourceName).with(src);
            Map<String, String> snk = new LinkedHashMap<>(Overlays.sink(pgUrl + "?sslmode=verify-full&sslrootcert="
                    + tls.caCert(), SINK_ROLE, "${env:FERRY_FAULT_PG_PASSWORD}", prefix, db));
            snk.put("target.schema", "shop");
            if (alerts != null) {
                snk.put("events.webhook.url", alerts.url());
            }
            snk.put("target.ddl", SequencedWorkload.targetDdl());
            snk.put("tasks.max", "3");
            snk.put("consumer.override.max.poll.records", "1000");
            // the tables' topics appear after the sink subscribed (topics.regex): find them within a second
            snk.put("consumer.override.metadata.max.age.ms", "1000");
            snk.put("retry.backoff.ms", "1000");
            snk.put("max.retries", "30");
            sink = ConnectorFile.read(connectors.resolve("postgres-sink.json")).renamed(sinkName).with(snk);
            ConnectClient rest = cluster.rest();
            rest.put(sink.name(), sink.config());
            rest.put(source.name(), source.config());
        }

        void awaitSnapshotRows(long rows) throws Exception {
            await(() -> scalar("SELECT coalesce(sum(snapshot_rows), 0) FROM ferry.table_stats") >= rows, 240,
                    "the full load to reach " + rows + " rows");
        }

        void awaitLoaded() throws Exception {
            await(() -> scalar("SELECT count(*) FROM ferry.table_stats WHERE phase = 'STREAMING' AND table_name LIKE 'fm\\_%'") == 4,
                    300, "every table to be loaded");
        }

        void awaitBuilt() throws Exception {
            await(() -> scalar("SELECT count(*) FROM ferry.design_constraints d WHERE d.state = 'BUILT' AND (d.kind = 'INDEX' "
                    + "OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = d.name AND c.convalidated))") == 3, 180,
                    "the design's index and constraints to be built and validated");
        }

        /** The test's lock on fm_entry: the sink's CREATE INDEX and ADD FOREIGN KEY wait for it, its COPY does not. */
        private Connection buildGate;

        void holdBuild() throws SQLException {
            buildGate = admin();
            buildGate.setAutoCommit(false);
            try (Statement st = buildGate.createStatement()) {
                st.execute("LOCK TABLE shop.fm_entry IN SHARE UPDATE EXCLUSIVE MODE");
            }
        }

        void releaseBuild() {
            if (buildGate != null) {
                try {
                    buildGate.close(); // a PostgreSQL crash may have ended it already
                } catch (SQLException ignored) {
                    // the lock is gone with the session either way
                }
                buildGate = null;
            }
        }

        private long sinkWaitingOnLock() throws SQLException {
            return scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + SINK_ROLE
                    + "' AND wait_event_type = 'Lock'");
        }

        void awaitBuildBlockedOrLoaded() throws Exception {
            await(() -> sinkWaitingOnLock() > 0 || scalar("SELECT count(*) FROM ferry.design_constraints WHERE state = "
                    + "'BUILT'") == 3, 180, "the constraint build to start");
        }

        String buildState() throws Exception {
            long built = scalar("SELECT count(*) FROM ferry.design_constraints WHERE state = 'BUILT'");
            return built + " of 3 design objects built at the fault"
                    + (sinkWaitingOnLock() > 0 ? ", the build under way" : "");
        }

        /** Until the connectors run and the sink has committed again since the repair (in the build phase, running). */
        double awaitRecovered(long repairedAt, Fault.Phase phase) throws Exception {
            long t0 = System.currentTimeMillis();
            awaitRunning(180);
            if (phase != Fault.Phase.BUILD) {
                // tasks RESTARTED with the reassignment commit again once their consumers have caught up
                await(() -> scalar("SELECT coalesce(max(extract(epoch FROM updated_at) * 1000), 0)::bigint FROM "
                        + "ferry.sink_offsets") > repairedAt || scalar("SELECT count(*) FROM ferry.table_stats WHERE "
                        + "phase = 'STREAMING'") == 4 && phase == Fault.Phase.LOAD, 180, "the sink to commit again");
            }
            return Math.max(0, System.currentTimeMillis() - Math.min(t0, repairedAt)) / 1000.0;
        }

        void awaitRunning(int seconds) throws Exception {
            await(() -> running(sourceName) && running(sinkName), seconds, "both connectors and all tasks RUNNING");
        }

        void awaitSinkTaskFailed(int seconds) throws Exception {
            await(() -> cluster.rest().status(sinkName).toString().contains("\"FAILED\""), seconds, "the sink task to fail");
        }

        private boolean running(String name) {
            try {
                var s = cluster.rest().status(name);
                if (!"RUNNING".equals(s.path("connector").path("state").asText()) || s.path("tasks").isEmpty()) {
                    return false;
                }
                for (var t : s.path("tasks")) {
                    if (!"RUNNING".equals(t.path("state").asText())) {
                        if ("FAILED".equals(t.path("state").asText())) {
                            // a task Connect gave up on: restart it, as an operator would, and say so in the cell
                            harnessRestarts.incrementAndGet();
                            cluster.rest().restartFailed(name);
                        }
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        /** Target equal to source: every row of the keyed tables by ferry verify, the keyless log by sequence. */
        void awaitConverged() throws Exception {
            await(() -> {
                long[] d = damage();
                long parked = scalar("SELECT count(*) FROM ferry.parked");
                lastReport += parked + " rows parked\n";
                return d[0] == 0 && d[1] == 0 && d[2] == 0 && parked == 0;
            }, 240, "the target to equal the source with no row left parked", () -> lastReport);
        }

        /**
         * {rows lost, rows doubled, rows stale} once what the source wrote before this call has had up to
         * {@code seconds} to arrive: the keyless log is compared in one look (the keyed tables recheck their own
         * differences), and a change made during the snapshot (TASK_FAILED's poke into fm_log) streams only after it,
         * so one look right after the build can see it in flight. Damage still there at the deadline is reported.
         */
        long[] settledDamage(int seconds) throws Exception {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long[] d = damage();
            while ((d[0] != 0 || d[1] != 0 || d[2] != 0) && System.nanoTime() < deadline) {
                Thread.sleep(500);
                d = damage();
            }
            return d;
        }

        /** The last comparison's report, for the failure message. */
        String lastReport = "";

        /** {rows lost, rows doubled, rows stale} now. */
        long[] damage() throws Exception {
            Map<String, String> sinkConfig = new LinkedHashMap<>(sink.config());
            sinkConfig.put("name", sinkName);
            MappingReader mapping = new MappingReader(source.config(), sinkConfig);
            VerifyRun.Connections connections = new VerifyRun.Connections() {
                @Override public Connection source() throws SQLException { return maria.connect(db); }
                @Override public Connection target() throws SQLException { return admin(); }
            };
            List<TableResult> results = new ArrayList<>(new VerifyRun(mapping, connections,
                    new TableVerifier(new TableVerifier.Options(3, 1500, 10_000, "ferry", sinkName)), 2)
                    .run(db, List.of("fm_account", "fm_entry"), null));
            // fm_poison is never written to after the load and always lacks its dead-lettered row: no rechecks
            results.addAll(new VerifyRun(mapping, connections,
                    new TableVerifier(new TableVerifier.Options(0, 0, 10_000, "ferry", sinkName)), 1)
                    .run(db, List.of("fm_poison"), null));
            lastReport = io.ferry.verify.VerifyReport.table(results);
            long lost = 0;
            long doubled = 0;
            long stale = 0;
            for (TableResult r : results) {
                if (r.state() == TableResult.State.ERROR || r.state() == TableResult.State.NOT_VERIFIABLE) {
                    throw new AssertionError(r.table() + ": " + r.state() + " " + r.reason());
                }
                java.util.Set<String> staleKeys = new java.util.HashSet<>();
                for (Difference d : r.differences()) {
                    boolean poison = r.table().equals("fm_poison") && d.key().equals("2");
                    switch (d.kind()) {
                        case MISSING_IN_TARGET -> lost += poison ? 0 : 1;
                        case EXTRA_IN_TARGET -> doubled++;
                        case VALUE_DIFFERS -> staleKeys.add(d.key());
                    }
                }
                stale += staleKeys.size();
            }
            long[] log = logDamage();
            lastReport += "fm_log: " + log[0] + " sequence numbers missing, " + log[1] + " rows too many\n";
            return new long[] {lost + log[0], doubled + log[1], stale};
        }

        /** The keyless log: {sequence numbers missing, rows beyond one per sequence number}. */
        private long[] logDamage() throws SQLException {
            Map<Long, Long> src = new HashMap<>();
            try (Connection c = maria.connect(db); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT seq, count(*) FROM fm_log GROUP BY seq")) {
                while (rs.next()) {
                    src.put(rs.getLong(1), rs.getLong(2));
                }
            }
            long missing = 0;
            long extra = 0;
            Map<Long, Long> dst = new HashMap<>();
            try (Connection c = admin(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT seq, count(*) FROM shop.fm_log GROUP BY seq")) {
                while (rs.next()) {
                    dst.put(rs.getLong(1), rs.getLong(2));
                }
            }
            for (Map.Entry<Long, Long> e : src.entrySet()) {
                long have = dst.getOrDefault(e.getKey(), 0L);
                missing += Math.max(0, e.getValue() - have);
                extra += Math.max(0, have - e.getValue());
            }
            for (Map.Entry<Long, Long> e : dst.entrySet()) {
                if (!src.containsKey(e.getKey())) {
                    extra += e.getValue();
                }
            }
            return new long[] {missing, extra};
        }

        private void watchOffsets() {
            Map<String, Long> seen = new HashMap<>();
            while (watching.get()) {
                try (Connection c = admin(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT topic || '-' || kafka_partition, next_offset FROM ferry.sink_offsets")) {
                    while (rs.next()) {
                        Long before = seen.put(rs.getString(1), rs.getLong(2));
                        if (before != null && rs.getLong(2) < before) {
                            offsetsBackwards.add(rs.getString(1) + ": " + before + " -> " + rs.getLong(2));
                        }
                    }
                } catch (SQLException e) {
                    // not created yet, or PostgreSQL is down for the fault
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private long scalar(String sql) throws SQLException {
            try (Connection c = admin(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }

        @Override
        public void close() throws Exception {
            watching.set(false);
            watcher.interrupt();
            try {
                jmx.append(cluster.jmxDump());
            } catch (Exception | Error e) {
                jmx.append("(could not read the workers' MBeans: ").append(e).append(")\n");
            }
            try {
                cluster.rest().delete(sourceName);
                cluster.rest().delete(sinkName);
            } catch (Exception ignored) {
                // the cluster itself may be what the fault broke; the next cell has its own connectors
            }
        }
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    static void await(Check check, int seconds, String what) throws Exception {
        await(check, seconds, what, () -> "");
    }

    static void await(Check check, int seconds, String what, java.util.function.Supplier<String> detail) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e; // a server the fault took away: try again
            }
            Thread.sleep(250);
        }
        throw new AssertionError("waited " + seconds + " s for " + what + (last == null ? "" : "; last error: " + last)
                + "\n" + detail.get());
    }
}
