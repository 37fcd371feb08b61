package io.ferry.bench;

import io.ferry.embedded.PostgresServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What the bench asks a target database while it waits for a load to finish, over one connection opened before the
 * clock starts. A connection per poll, as before, cost PostgreSQL a backend start each time: 18 ms of CPU here
 * (PostgreSQL 17, `pgbench -C`, 200 connections), so polling every 100 ms took about a tenth of this machine's two
 * cores from the very load being timed, and raw COPY and pgloader, timed without a poller, did not pay it.
 */
final class PgProbe implements AutoCloseable {

    private final PostgresServer pg;
    private final String db;
    private Connection connection;

    PgProbe(PostgresServer pg, String db) {
        this.pg = pg;
        this.db = db;
        try {
            connection = pg.connect(db);
        } catch (SQLException e) {
            connection = null; // the first poll tries again
        }
    }

    /**
     * The first column of the first row as a long, or {@code orElse} while the query cannot run yet (the sink has not
     * created its table).
     */
    long longValue(String sql, long orElse, Object... params) {
        return first(sql, rs -> rs.getLong(1), orElse, params);
    }

    /** The first row's columns joined by '|', or {@code orElse} while the query cannot run yet. */
    String row(String sql, String orElse, Object... params) {
        return first(sql, rs -> {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                b.append(i == 1 ? "" : "|").append(rs.getString(i));
            }
            return b.toString();
        }, orElse, params);
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Autocommit, so a failed query leaves the connection usable; a broken one is replaced at the next poll. */
    private <T> T first(String sql, Reader<T> reader, T orElse, Object... params) {
        try {
            if (connection == null || connection.isClosed()) {
                connection = pg.connect(db);
            }
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? reader.read(rs) : orElse;
                }
            }
        } catch (SQLException e) {
            if (connection != null && !"42P01".equals(e.getSQLState())) {
                close(); // not just a table still missing: start over with a fresh connection
            }
            return orElse;
        }
    }

    /** Rows the Ferry sink has recorded as loaded, over all its tables. */
    long ferryRows() {
        return longValue("SELECT coalesce(sum(snapshot_rows), 0) FROM ferry.table_stats", 0);
    }

    /** Every row in and every table LOADED (the sink records the completion when it sends TABLE_LOADED). */
    boolean loaded(long rows) {
        return longValue("SELECT CASE WHEN coalesce(sum(snapshot_rows), 0) >= ? AND count(*) > 0 AND count(*) FILTER "
                + "(WHERE loaded_event_at IS NULL) = 0 THEN 1 ELSE 0 END FROM ferry.table_stats", 0, rows) == 1;
    }

    /** Whether a row with this key is in the table: an index lookup, where a count would scan the growing table. */
    boolean hasKey(String table, String keyColumn, long key) {
        return longValue("SELECT count(*) FROM \"" + table + "\" WHERE \"" + keyColumn + "\" = ?", 0, key) > 0;
    }

    long count(String table) {
        return longValue("SELECT count(*) FROM \"" + table + "\"", 0);
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing after a failure: nothing left to release
            }
            connection = null;
        }
    }
}
