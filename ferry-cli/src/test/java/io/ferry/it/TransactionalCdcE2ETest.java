package io.ferry.it;

import io.ferry.cli.ConnectClient;
import io.ferry.cli.ConnectorFile;
import io.ferry.cli.Overlays;
import io.ferry.cli.SourceEndpoint;
import io.ferry.faults.FaultCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transaction-consistent CDC on a real multi-process cluster (a broker and two Connect workers, each its own JVM):
 * a workload of multi-table source transactions (an order with its lines, a line moved between orders with both
 * orders' counts, an order deleted with its lines) keeps invariants that a reader polling PostgreSQL in a tight
 * loop checks at every poll: {@code line_count} and {@code total} of every order match its lines, and no line is
 * without its order. In batch mode the reader sees them broken (so the check can fail); in transactional mode it
 * never does, through a SIGKILL of the worker running the sink task half-way and of the one running Debezium's task
 * at three quarters (which then sends changes again), and the designed target's foreign key is
 * DEFERRABLE, validated and enforced at every commit. Both end with the target equal to the source, compared row by
 * row over JDBC on both sides.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransactionalCdcE2ETest {

    static final int TRANSACTIONS = Integer.getInteger("ferry.tx.transactions", 6_000);
    static final String TARGET_DDL = """
            CREATE TABLE orders (id integer PRIMARY KEY, customer varchar(20) NOT NULL, line_count integer NOT NULL,
              total bigint NOT NULL);
            CREATE TABLE order_lines (id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES orders (id),
              amount bigint NOT NULL);
            CREATE INDEX order_lines_order ON order_lines (order_id);
            """;
    static final String BROKEN = "SELECT (SELECT count(*) FROM shop.orders o WHERE o.line_count <> (SELECT count(*) "
            + "FROM shop.order_lines l WHERE l.order_id = o.id) OR o.total <> (SELECT coalesce(sum(l.amount), 0) FROM "
            + "shop.order_lines l WHERE l.order_id = o.id)) + (SELECT count(*) FROM shop.order_lines l WHERE NOT EXISTS "
            + "(SELECT 1 FROM shop.orders o WHERE o.id = l.order_id))";

    Path dir;
    FaultCluster cluster;
    int pipelines;

    @BeforeAll
    void cluster() throws Exception {
        dir = Files.createTempDirectory("ferry-tx");
        cluster = FaultCluster.start(dir.resolve("cluster"), Map.of(), 2);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void inBatchModeAReaderSeesPartOfSourceTransactions() throws Exception {
        Pipeline p = new Pipeline("batch");
        Run run = p.run(1_500, false);
        System.out.println("batch mode: " + run);
        assertThat(run.brokenPolls).as("the reader saw partial transactions in batch mode (else the check proves "
                + "nothing)").isPositive();
        p.assertTargetEqualsSource();
    }

    @Test
    @Order(2)
    void inTransactionalModeAReaderNeverSeesPartOfOneThroughASigkilledWorker() throws Exception {
        Pipeline p = new Pipeline("transactional");
        Run run = p.run(TRANSACTIONS, true);
        System.out.println("transactional mode: " + run);
        assertThat(run.polls).as("the reader polled throughout").isGreaterThan(100);
        assertThat(run.brokenPolls).as("polls that saw a partial transaction; first: " + run.firstBroken).isZero();
        assertThat(run.killedWorker).as("a worker running the sink task was killed").isNotNull();
        p.assertTargetEqualsSource();
        try (Connection pg = p.target(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT condeferrable, condeferred, convalidated FROM pg_constraint WHERE "
                     + "contype = 'f' AND conrelid = 'shop.order_lines'::regclass")) {
            assertThat(rs.next()).as("the design's foreign key is built").isTrue();
            assertThat(List.of(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3)))
                    .as("deferrable, initially deferred, validated").containsExactly(true, true, true);
        }
        try (Connection pg = p.target(); Statement st = pg.createStatement()) {
            st.execute("BEGIN");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> {
                st.execute("INSERT INTO shop.order_lines VALUES (999999999, -1, 1)");
                st.execute("COMMIT");
            })).as("the foreign key is enforced at commit").hasMessageContaining("foreign key");
        }
    }

    record Run(int transactions, long polls, long brokenPolls, String firstBroken, String killedWorker,
               double seconds, double caughtUpSeconds) {
        @Override
        public String toString() {
            return String.format("%d source transactions in %.1f s, target caught up %.1f s after the last; reader: %d "
                    + "polls, %d saw a partial transaction%s%s", transactions, seconds, caughtUpSeconds, polls,
                    brokenPolls, firstBroken == null ? "" : " (first: " + firstBroken + ")",
                    killedWorker == null ? "" : "; SIGKILLed " + killedWorker + " at 1/2 and, once the sink had caught "
                            + "up, after 3/4 of the workload");
        }
    }

    final class Pipeline {
        final String mode;
        final String db;
        final String prefix;
        final SourceEndpoint source;
        final String pgUrl;
        final String sinkName;

        Pipeline(String mode) throws Exception {
            this.mode = mode;
            int n = ++pipelines;
            db = TestServers.newName("txshop");
            prefix = "tx" + n;
            sinkName = prefix + "-sink";
            source = TestServers.source(db);
            try (Connection c = TestServers.sourceConnection(source, ""); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + db);
            }
            try (Connection c = TestServers.sourceConnection(source, db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(20) NOT NULL, line_count INT NOT "
                        + "NULL, total BIGINT NOT NULL)");
                st.execute("CREATE TABLE order_lines (id INT PRIMARY KEY, order_id INT NOT NULL, amount BIGINT NOT NULL, "
                        + "KEY (order_id))");
                st.execute("INSERT INTO orders SELECT seq, CONCAT('c', seq % 37), 2, 3 * seq FROM seq_1_to_300");
                st.execute("INSERT INTO order_lines SELECT seq, (seq + 1) DIV 2, IF(seq % 2 = 1, (seq + 1) DIV 2, "
                        + "(seq DIV 2) * 2) FROM seq_1_to_600");
            }
            pgUrl = TestServers.newPostgresDatabase(db);
            try (Connection c = target(); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA shop");
            }
        }

        Connection target() throws SQLException {
            return DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
        }

        void deploy() throws Exception {
            Path connectors = Path.of(System.getProperty("ferry.project.dir", "..")).resolve("connectors");
            Map<String, String> src = new LinkedHashMap<>(Overlays.source(source, cluster.bootstrapServers(), prefix));
            src.put("database.server.id", Integer.toString(7100 + pipelines));
            ConnectorFile sourceFile = ConnectorFile.read(connectors.resolve(TestServers.sourceConnectorFile()))
                    .renamed(prefix + "-source").with(src);
            Map<String, String> snk = new LinkedHashMap<>(Overlays.sink(pgUrl, TestServers.pgUser(),
                    TestServers.pgPassword(), prefix, db));
            snk.put("target.schema", "shop");
            snk.put("target.ddl", TARGET_DDL);
            snk.put("tasks.max", "1");
            snk.put("consumer.override.max.poll.records", "500");
            snk.put("consumer.override.metadata.max.age.ms", "1000");
            snk.put("retry.backoff.ms", "1000");
            snk.put("max.retries", "30");
            snk.put("cdc.apply.mode", mode);
            if (mode.equals("transactional")) {
                snk.put("transaction.topic", prefix + ".transaction");
                snk.put("topics.regex", prefix + "\\.(" + db + "\\..*|notifications|transaction)");
            }
            ConnectorFile sinkFile = ConnectorFile.read(connectors.resolve("postgres-sink.json")).renamed(sinkName).with(snk);
            ConnectClient rest = cluster.rest();
            rest.put(sinkFile.name(), sinkFile.config());
            rest.put(sourceFile.name(), sourceFile.config());
        }

        Run run(int transactions, boolean killSinkWorker) throws Exception {
            deploy();
            await(() -> scalar("SELECT count(*) FROM ferry.table_stats WHERE phase = 'STREAMING'") == 2
                    && scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated") == 1, 240,
                    "both tables loaded and the foreign key built");
            AtomicBoolean reading = new AtomicBoolean(true);
            AtomicLong polls = new AtomicLong();
            AtomicLong broken = new AtomicLong();
            AtomicReference<String> first = new AtomicReference<>();
            Thread reader = new Thread(() -> read(reading, polls, broken, first), "tx-reader");
            reader.start();
            String killed = null;
            long t0 = System.nanoTime();
            try (Connection src = TestServers.sourceConnection(source, db)) {
                Workload w = new Workload(src);
                boolean sourceKilled = false;
                for (int i = 1; i <= transactions; i++) {
                    w.next();
                    if (killSinkWorker && i == transactions / 2) {
                        killed = kill(sinkName);
                    }
                    // once the sink has caught up after its restart: what Debezium sends again is then applied already
                    if (killSinkWorker && !sourceKilled && i >= transactions * 3 / 4 && (i == transactions - 100
                            || i % 25 == 0 && caughtUp(w))) {
                        sourceKilled = true;
                        // Debezium's task dies too: it sends again what it had not flushed, maybe from inside a
                        // transaction
                        int sinkWorker = cluster.workerRunning(sinkName);
                        int sourceWorker = cluster.workerRunning(prefix + "-source");
                        killed += " and " + kill(prefix + "-source");
                        if (sinkWorker != sourceWorker) {
                            // and the sink task starts afresh, as when both share the killed worker: it knows no
                            // transaction it applied, so what Debezium sends again is recognised by the source
                            // positions stored in PostgreSQL
                            restartTask(sinkName);
                            killed += " (and restarted " + sinkName + ")";
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            try {
                await(() -> noTaskFailed() && targetEqualsSource(), 300, "the target to equal the source");
            } catch (AssertionError e) {
                // a CI run timed out here once with nothing else to go on: say what state the pipeline was left in
                String why = diagnosis();
                System.out.println(why);
                throw new AssertionError(e.getMessage() + "; " + why, e);
            }
            double caughtUp = (System.nanoTime() - t1) / 1e9;
            reading.set(false);
            reader.join(10_000);
            cluster.rest().delete(prefix + "-source");
            cluster.rest().delete(sinkName);
            return new Run(transactions, polls.get(), broken.get(), first.get(), killed, seconds, caughtUp);
        }

        /** True, or an AssertionError at once with the trace when a task FAILED (Connect never restarts it). */
        boolean noTaskFailed() throws Exception {
            for (String name : List.of(prefix + "-source", sinkName)) {
                var task = task(name);
                if (task.path("state").asText().equals("FAILED")) {
                    throw new AssertionError(name + " FAILED: " + task.path("trace").asText());
                }
            }
            return true;
        }

        /** The target has the orders the source made up to a few transactions ago. */
        boolean caughtUp(Workload w) {
            try {
                return scalar("SELECT coalesce(max(id), 0) FROM shop.orders") >= w.nextOrder - 10;
            } catch (SQLException e) {
                return false;
            }
        }

        /** The connectors' task states, how the target differs from the source, and the workers' Ferry warnings. */
        String diagnosis() {
            StringBuilder out = new StringBuilder();
            for (String name : List.of(prefix + "-source", sinkName)) {
                try {
                    var task = task(name);
                    out.append(name).append(' ').append(task.path("state").asText()).append(" on ")
                            .append(task.path("worker_id").asText());
                    String trace = task.path("trace").asText("");
                    if (!trace.isEmpty()) {
                        out.append(" (").append(trace.lines().findFirst().orElse("")).append(')');
                    }
                    out.append("; ");
                } catch (Exception e) {
                    out.append(name).append(" status unknown: ").append(e).append("; ");
                }
            }
            // a task that is RUNNING but applies nothing: what its threads and its PostgreSQL sessions wait for
            out.append("\nthe sink's threads:").append(cluster.threadStacks(sinkName));
            try {
                // what the transaction buffer holds and waits for (WaitingFor)
                out.append("\nthe sink's transaction buffer:");
                cluster.jmxDump().lines().filter(l -> l.contains("sink-transactions"))
                        .forEach(l -> out.append("\n  ").append(l));
            } catch (Exception e) {
                out.append(" unreadable: ").append(e);
            }
            try (Connection pg = target(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pid, application_name, state, wait_event_type, wait_event, "
                         + "now() - xact_start, left(query, 120), (SELECT string_agg(l.locktype || ' ' || l.mode, ', ') "
                         + "FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) FROM pg_stat_activity a "
                         + "WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
                out.append("\nPostgreSQL sessions:");
                while (rs.next()) {
                    out.append("\n  ");
                    for (int c = 1; c <= 8; c++) {
                        out.append(rs.getString(c)).append(c < 8 ? " | " : "");
                    }
                }
            } catch (SQLException e) {
                out.append("\nPostgreSQL sessions unreadable: ").append(e);
            }
            out.append('\n');
            try {
                List<String> src = dump(TestServers.sourceConnection(source, db), "");
                List<String> dst = dump(target(), "shop.");
                // removeAll asks its argument contains() per row: sets keep it linear over tens of thousands
                List<String> missing = new ArrayList<>(src);
                missing.removeAll(new java.util.HashSet<>(dst));
                List<String> extra = new ArrayList<>(dst);
                extra.removeAll(new java.util.HashSet<>(src));
                out.append("source ").append(src.size()).append(" rows, target ").append(dst.size())
                        .append("; only in source ").append(missing.size()).append(' ')
                        .append(missing.subList(0, Math.min(5, missing.size()))).append(", only in target ")
                        .append(extra.size()).append(' ').append(extra.subList(0, Math.min(5, extra.size())))
                        .append("; ");
            } catch (SQLException e) {
                out.append("no comparison: ").append(e).append("; ");
            }
            try {
                for (Path log : cluster.logs()) {
                    List<String> warnings = Files.readAllLines(log).stream()
                            .filter(l -> (l.contains(" WARN ") || l.contains(" ERROR ")) && l.contains(prefix + "-sink"))
                            .toList();
                    warnings.stream().skip(Math.max(0, warnings.size() - 5))
                            .forEach(l -> out.append('\n').append(log.getFileName()).append(": ")
                                    .append(l, 0, Math.min(l.length(), 400)));
                }
            } catch (Exception e) {
                out.append("logs unreadable: ").append(e);
            }
            return out.toString();
        }

        private String kill(String connector) throws Exception {
            int i = cluster.workerRunning(connector);
            cluster.stopWorker(i, true);
            cluster.startWorker(i);
            return "worker-" + i + " (running " + connector + ")";
        }

        /** Restarts the task through the REST API; a rebalance under way answers 409 for a while. */
        private void restartTask(String connector) throws Exception {
            await(() -> {
                cluster.rest().restartTask(connector, 0);
                return true;
            }, 60, "a restart of " + connector + " that the REST API takes");
        }

        /** The status of the connector's one task. */
        private com.fasterxml.jackson.databind.JsonNode task(String connector) throws java.io.IOException {
            return cluster.rest().status(connector).path("tasks").path(0);
        }

        private void read(AtomicBoolean reading, AtomicLong polls, AtomicLong broken, AtomicReference<String> first) {
            while (reading.get()) {
                try (Connection c = target(); Statement st = c.createStatement()) {
                    while (reading.get()) {
                        try (ResultSet rs = st.executeQuery(BROKEN)) {
                            rs.next();
                            polls.incrementAndGet();
                            if (rs.getLong(1) > 0) {
                                broken.incrementAndGet();
                                first.compareAndSet(null, rs.getLong(1) + " orders or lines out of step at poll "
                                        + polls.get());
                            }
                        }
                    }
                } catch (SQLException e) {
                    // PostgreSQL restarting or the schema not there yet: poll again
                }
            }
        }

        boolean targetEqualsSource() {
            try {
                return dump(TestServers.sourceConnection(source, db), "").equals(dump(target(), "shop."));
            } catch (SQLException e) {
                return false;
            }
        }

        void assertTargetEqualsSource() throws SQLException {
            assertThat(dump(target(), "shop.")).isEqualTo(dump(TestServers.sourceConnection(source, db), ""));
        }

        private List<String> dump(Connection c, String schema) throws SQLException {
            List<String> rows = new ArrayList<>();
            try (c; Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT id, customer, line_count, total FROM " + schema
                        + "orders ORDER BY id")) {
                    while (rs.next()) {
                        rows.add("o " + rs.getInt(1) + " " + rs.getString(2) + " " + rs.getInt(3) + " " + rs.getLong(4));
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT id, order_id, amount FROM " + schema + "order_lines ORDER BY id")) {
                    while (rs.next()) {
                        rows.add("l " + rs.getInt(1) + " " + rs.getInt(2) + " " + rs.getLong(3));
                    }
                }
            }
            return rows;
        }

        long scalar(String sql) throws SQLException {
            try (Connection c = target(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The source's transactions, each keeping the invariants: every order's line_count and total are those of its
     * lines. An order with 1-4 lines, a line added to an order, a line moved between two orders, an order deleted
     * with its lines.
     */
    static final class Workload {
        private final Connection c;
        private final Random random = new Random(15);
        private final Map<Integer, List<long[]>> orders = new HashMap<>();
        private final List<Integer> ids = new ArrayList<>();
        private int nextOrder = 1_000;
        private int nextLine = 10_000;

        Workload(Connection c) throws SQLException {
            this.c = c;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT order_id, id, amount FROM "
                    + "order_lines ORDER BY id")) {
                while (rs.next()) {
                    orders.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>()).add(new long[] {rs.getInt(2), rs.getLong(3)});
                }
            }
            ids.addAll(orders.keySet());
            c.setAutoCommit(false);
        }

        void next() throws SQLException {
            int op = random.nextInt(100);
            if (ids.size() < 50 || op < 35) {
                newOrder();
            } else if (op < 65) {
                addLine(pick());
            } else if (op < 85) {
                moveLine(pick(), pick());
            } else {
                deleteOrder(pick());
            }
            c.commit();
        }

        private int pick() {
            return ids.get(random.nextInt(ids.size()));
        }

        private void newOrder() throws SQLException {
            int id = nextOrder++;
            int k = 1 + random.nextInt(4);
            List<long[]> lines = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < k; i++) {
                long amount = 1 + random.nextInt(1000);
                lines.add(new long[] {nextLine++, amount});
                total += amount;
            }
            exec("INSERT INTO orders VALUES (?, ?, ?, ?)", id, "c" + (id % 37), k, total);
            for (long[] l : lines) {
                exec("INSERT INTO order_lines VALUES (?, ?, ?)", l[0], id, l[1]);
            }
            orders.put(id, lines);
            ids.add(id);
        }

        private void addLine(int order) throws SQLException {
            long amount = 1 + random.nextInt(1000);
            long line = nextLine++;
            exec("INSERT INTO order_lines VALUES (?, ?, ?)", line, order, amount);
            exec("UPDATE orders SET line_count = line_count + 1, total = total + ? WHERE id = ?", amount, order);
            orders.get(order).add(new long[] {line, amount});
        }

        private void moveLine(int from, int to) throws SQLException {
            List<long[]> lines = orders.get(from);
            if (from == to || lines.isEmpty()) {
                addLine(to);
                return;
            }
            long[] line = lines.remove(random.nextInt(lines.size()));
            exec("UPDATE orders SET line_count = line_count - 1, total = total - ? WHERE id = ?", line[1], from);
            exec("UPDATE order_lines SET order_id = ? WHERE id = ?", to, line[0]);
            exec("UPDATE orders SET line_count = line_count + 1, total = total + ? WHERE id = ?", line[1], to);
            orders.get(to).add(line);
        }

        private void deleteOrder(int order) throws SQLException {
            exec("DELETE FROM order_lines WHERE order_id = ?", order);
            exec("DELETE FROM orders WHERE id = ?", order);
            orders.remove(order);
            ids.remove(Integer.valueOf(order));
        }

        private void exec(String sql, Object... args) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                ps.executeUpdate();
            }
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(Check check, int seconds, String what) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                // not yet (a table not created, a server restarting)
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
    }
}
