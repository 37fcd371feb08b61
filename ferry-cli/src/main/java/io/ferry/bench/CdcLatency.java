package io.ferry.bench;

import io.ferry.cli.ConnectClient;
import io.ferry.cli.ConnectorFile;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

/**
 * CDC latency: rows inserted at a steady rate into a MariaDB table the running source connector captures, each
 * stamped with its commit time (UTC_TIMESTAMP(6)); the target table has one more column, filled by PostgreSQL's
 * clock when the sink's transaction writes the row. Latency = arrival - source commit, per row, same machine clock.
 */
final class CdcLatency {

    record Result(int targetRate, double achievedRate, long rows, double p50, double p95, double p99, double max,
                  double drainSeconds) {}

    private CdcLatency() {}

    static void prepare(MariaDbServer maria, PostgresServer pg, String targetDb) throws Exception {
        try (Connection c = maria.connect(BenchData.DATABASE); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS events (id BIGINT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(100), "
                    + "src_ts DATETIME(6) NOT NULL)");
        }
        pg.createDatabase(targetDb);
        try (Connection c = pg.connect(targetDb); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE events (id bigint PRIMARY KEY, payload varchar(100), src_ts timestamp(6) NOT NULL, "
                    + "arrived timestamptz NOT NULL DEFAULT clock_timestamp())");
        }
    }

    static ConnectorFile sink(ConnectorFile base, String name, String pgUrl, PostgresServer pg, String topic) {
        return base.renamed(name).with(Map.of("connection.url", pgUrl, "connection.user", pg.user(),
                "connection.password", pg.password(), "topics.regex", topic.replace(".", "\\."),
                "errors.deadletterqueue.topic.name", name + ".dlq"));
    }

    /** Inserts at {@code rate} rows/s (0 = as fast as one connection can) for {@code seconds}, then waits for the target. */
    static Result run(MariaDbServer maria, PostgresServer pg, String targetDb, int rate, int seconds) throws Exception {
        long before = count(pg, targetDb);
        long inserted = 0;
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        try (Connection c = maria.connect(BenchData.DATABASE); Statement st = c.createStatement()) {
            int tick = 0;
            while (System.nanoTime() < end) {
                int batch = rate == 0 ? 500 : Math.max(1, rate / 100);
                StringBuilder sql = new StringBuilder("INSERT INTO events (payload, src_ts) VALUES ");
                for (int i = 0; i < batch; i++) {
                    sql.append(i == 0 ? "" : ",").append("('change payload ").append(inserted + i).append("', UTC_TIMESTAMP(6))");
                }
                st.execute(sql.toString());
                inserted += batch;
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
        double achieved = inserted / ((System.nanoTime() - t0) / 1e9);
        long drainStart = System.nanoTime();
        long deadline = drainStart + 600_000_000_000L;
        while (count(pg, targetDb) < before + inserted) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("CDC rows did not all arrive within 10 minutes");
            }
            Thread.sleep(100);
        }
        double drain = (System.nanoTime() - drainStart) / 1e9;
        try (Connection c = pg.connect(targetDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY l), "
                     + "max(l) FROM (SELECT extract(epoch FROM (arrived AT TIME ZONE 'UTC') - src_ts) AS l FROM events "
                     + "ORDER BY id OFFSET " + before + ") x")) {
            rs.next();
            Double[] p = (Double[]) rs.getArray(1).getArray();
            return new Result(rate, achieved, inserted, p[0], p[1], p[2], rs.getDouble(2), drain);
        }
    }

    private static long count(PostgresServer pg, String db) {
        return BenchCommand.count(pg, db, "events");
    }
}
