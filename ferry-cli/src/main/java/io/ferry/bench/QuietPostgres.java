package io.ferry.bench;

import io.ferry.embedded.PostgresServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Every timed run starts on a quiet PostgreSQL. Each earlier run left a freshly loaded table of --rows rows; PostgreSQL
 * vacuums and analyzes such a table on its own (insert-triggered autovacuum, within a minute) and checkpoints its WAL,
 * and that work fell inside whichever run came next, raw COPY and the sinks alike. So before a run's database is made,
 * the tables written since their last vacuum are vacuumed and analyzed here, a checkpoint is taken, and running
 * autovacuum workers are waited for. None of it is timed.
 */
final class QuietPostgres {

    private static final long WORKERS_WAIT_MILLIS = 60_000;

    private QuietPostgres() {
    }

    /** Settles PostgreSQL, then creates the run's database. */
    static void freshDatabase(PostgresServer pg, String db) throws SQLException, InterruptedException {
        settle(pg);
        pg.createDatabase(db);
    }

    private static void settle(PostgresServer pg) throws SQLException, InterruptedException {
        for (String db : databases(pg)) {
            try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables "
                        + "WHERE n_ins_since_vacuum > 0 OR n_dead_tup > 0 OR n_mod_since_analyze > 0 "
                        // a run's counts reach these views when its connections end: never vacuumed covers the rest
                        + "OR coalesce(last_vacuum, last_autovacuum) IS NULL")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                for (String table : tables) {
                    st.execute("VACUUM (ANALYZE) " + table);
                }
            }
        }
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
            long deadline = System.currentTimeMillis() + WORKERS_WAIT_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                try (ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(200);
            }
        }
    }

    private static List<String> databases(PostgresServer pg) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
