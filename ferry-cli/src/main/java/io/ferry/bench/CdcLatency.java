package io.ferry.bench;

import io.ferry.cli.ConnectorFile;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * CDC latency under a mixed workload: at a steady rate of changes, 60% inserts, 30% updates and 10% deletes on a
 * MariaDB table the running source connector captures, each insert and update stamping the row with its commit time
 * (UTC_TIMESTAMP(6)). In the target, an AFTER INSERT OR UPDATE trigger logs every row a sink writes with PostgreSQL's
 * clock (clock_timestamp()), so latency = arrival - source commit, per insert and update, same machine clock. Deletes
 * load the pipeline and are checked by the end state (same rows, same stamps on both sides) but have no row to time.
 */
final class CdcLatency {

    record Result(String sink, int targetRate, double achievedRate, long changes, long samples, double p50, double p95,
                  double p99, double max, double drainSeconds) {

        /** A Ferry result with one sample per change (the chart's tests use it). */
        Result(int targetRate, double achievedRate, long changes, double p50, double p95, double p99, double max,
               double drainSeconds) {
            this("ferry", targetRate, achievedRate, changes, changes, p50, p95, p99, max, drainSeconds);
        }
    }

    private CdcLatency() {}

    static void prepareSource(MariaDbServer maria) throws Exception {
        try (Connection c = maria.connect(BenchData.DATABASE); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS events (id BIGINT PRIMARY KEY, payload VARCHAR(100), "
                    + "src_ts DATETIME(6) NOT NULL)");
        }
    }

    static void prepareTarget(PostgresServer pg, String targetDb) throws Exception {
        QuietPostgres.freshDatabase(pg, targetDb);
        try (Connection c = pg.connect(targetDb); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE events (id bigint PRIMARY KEY, payload varchar(100), src_ts timestamp(6) NOT NULL)");
            st.execute("CREATE TABLE arrivals (seq bigserial PRIMARY KEY, id bigint, src_ts timestamp(6), "
                    + "arrived timestamptz NOT NULL DEFAULT clock_timestamp())");
            // AFTER: an upsert that updates fires only the UPDATE trigger, so each applied change is logged once
            st.execute("CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "INSERT INTO arrivals (id, src_ts) VALUES (NEW.id, NEW.src_ts); RETURN NULL; END $$");
            st.execute("CREATE TRIGGER stamp AFTER INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION stamp()");
        }
    }

    static ConnectorFile sink(ConnectorFile base, String name, String pgUrl, PostgresServer pg, String topic) {
        return base.renamed(name).with(Map.of("connection.url", pgUrl, "connection.user", pg.user(),
                "connection.password", pg.password(), "topics.regex", topic.replace(".", "\\."),
                "errors.deadletterqueue.topic.name", name + ".dlq"));
    }

    /**
     * Waits until the target holds what the source holds (a sink just deployed first replays the topic). The source
     * is quiet by then, so its state is read once. On the target, one connection polls cheaply for the arrival of the
     * source's latest change (the arrivals logged since the last poll, by their key) before the full comparison, which
     * sums the whole table: run at every poll, as before, it took CPU from the sink being timed, most of all from a
     * sink still catching up for minutes.
     */
    static void awaitInSync(MariaDbServer maria, PostgresServer pg, String targetDb) throws Exception {
        long deadline = System.nanoTime() + 600_000_000_000L;
        String src;
        LocalDateTime latest;
        try (Connection c = maria.connect(BenchData.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), coalesce(DATE_FORMAT(max(src_ts), '%Y-%m-%d %H:%i:%s.%f'), "
                     + "''), coalesce(sum(length(payload)), 0), max(src_ts) FROM events")) {
            rs.next();
            src = rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getLong(3);
            latest = rs.getObject(4, LocalDateTime.class);
        }
        try (PgProbe target = new PgProbe(pg, targetDb)) {
            long seen = 0;
            boolean arrived = latest == null;
            while (true) {
                if (!arrived) {
                    // -1 once the latest change is among the new arrivals, else the last arrival seen
                    long r = target.longValue("SELECT CASE WHEN bool_or(src_ts = ?) THEN -1 ELSE coalesce(max(seq), ?) "
                            + "END FROM arrivals WHERE seq > ?", seen, latest, seen, seen);
                    arrived = r < 0;
                    seen = Math.max(seen, r);
                }
                if (arrived && src.equals(target.row(TARGET_STATE, ""))) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the CDC target did not catch up with the source within 10 minutes");
                }
                Thread.sleep(100);
            }
        }
    }

    /** Target rows, latest stamp, payload length: as the source's, when every change has arrived. */
    private static final String TARGET_STATE = "SELECT count(*), coalesce(to_char(max(src_ts), "
            + "'YYYY-MM-DD HH24:MI:SS.US'), ''), coalesce(sum(length(payload)), 0) FROM events";

    /**
     * Changes at {@code rate} per second (0 = as fast as one connection can) for {@code seconds}, then waits for the
     * target to hold the same rows.
     */
    static Result run(String sink, MariaDbServer maria, PostgresServer pg, String targetDb, int rate, int seconds)
            throws Exception {
        long seqBefore;
        try (Connection c = pg.connect(targetDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(seq), 0) FROM arrivals")) {
            rs.next();
            seqBefore = rs.getLong(1);
        }
        long changes = 0;
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        try (Connection c = maria.connect(BenchData.DATABASE); Statement st = c.createStatement()) {
            long nextId;
            try (ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) + 1 FROM events")) {
                rs.next();
                nextId = rs.getLong(1);
            }
            ArrayDeque<Long> live = new ArrayDeque<>();
            int tick = 0;
            while (System.nanoTime() < end) {
                int batch = rate == 0 ? 500 : Math.max(1, rate / 100);
                int inserts = Math.max(1, batch * 6 / 10);
                int updates = Math.min(live.size(), batch * 3 / 10);
                int deletes = Math.min(live.size() - updates, batch - inserts - updates);
                StringBuilder sql = new StringBuilder("INSERT INTO events (id, payload, src_ts) VALUES ");
                for (int i = 0; i < inserts; i++) {
                    sql.append(i == 0 ? "" : ",").append('(').append(nextId).append(", 'change payload ")
                            .append(nextId).append("', UTC_TIMESTAMP(6))");
                    live.addLast(nextId++);
                }
                st.execute(sql.toString());
                if (updates > 0) {
                    StringBuilder ids = new StringBuilder();
                    var it = live.descendingIterator();
                    for (int i = 0; i < updates; i++) {
                        ids.append(i == 0 ? "" : ",").append(it.next());
                    }
                    st.execute("UPDATE events SET payload = CONCAT('updated ', id), src_ts = UTC_TIMESTAMP(6) "
                            + "WHERE id IN (" + ids + ")");
                }
                if (deletes > 0) {
                    StringBuilder ids = new StringBuilder();
                    for (int i = 0; i < deletes; i++) {
                        ids.append(i == 0 ? "" : ",").append(live.pollFirst());
                    }
                    st.execute("DELETE FROM events WHERE id IN (" + ids + ")");
                }
                changes += inserts + updates + deletes;
                tick++;
                if (rate > 0) {
                    long due = t0 + tick * 10_000_000L;
                    long sleep = due - System.nanoTime();
                    if (sleep > 0) {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    }
                }
            }
        }
        double achieved = changes / ((System.nanoTime() - t0) / 1e9);
        long drainStart = System.nanoTime();
        awaitInSync(maria, pg, targetDb);
        double drain = (System.nanoTime() - drainStart) / 1e9;
        try (Connection c = pg.connect(targetDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY l), "
                     + "max(l), count(*) FROM (SELECT extract(epoch FROM (arrived AT TIME ZONE 'UTC') - src_ts) AS l "
                     + "FROM arrivals WHERE seq > " + seqBefore + ") x")) {
            rs.next();
            Double[] p = (Double[]) rs.getArray(1).getArray();
            return new Result(sink, rate, achieved, changes, rs.getLong(3), p[0], p[1], p[2], rs.getDouble(2), drain);
        }
    }
}
