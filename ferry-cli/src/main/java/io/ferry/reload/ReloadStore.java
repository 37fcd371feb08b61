package io.ferry.reload;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The runner's side of the state tables {@code reloads} and {@code reload_acks} the sink created. */
final class ReloadStore {

    private final String schema;
    private final String connector;

    ReloadStore(String stateSchema, String connector) {
        this.schema = "\"" + stateSchema.replace("\"", "\"\"") + "\"";
        this.connector = connector;
    }

    /** The states of a reload in progress. */
    private static final String OPEN = "('REQUESTED', 'RUNNING', 'SWEEPING')";

    String table(String name) {
        return schema + ".\"" + name.replace("\"", "\"\"") + "\"";
    }

    void request(Connection c, String reloadId, ReloadTarget t, String keysTable, boolean sweep, String filter)
            throws SQLException {
        try (PreparedStatement open = c.prepareStatement("SELECT reload_id FROM " + table("reloads") + " WHERE connector = ? "
                + "AND table_name = ? AND state IN " + OPEN)) {
            open.setString(1, connector);
            open.setString(2, t.table());
            try (ResultSet rs = open.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalStateException("table " + t.table() + " is already being reloaded (reload "
                            + rs.getString(1) + "); wait for it, or mark it ABORTED in " + table("reloads"));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table("reloads") + " (reload_id, connector, "
                + "table_name, target_table, keys_table, state, sweep, filter, reload_rows_before) VALUES (?, ?, ?, ?, ?, "
                + "'REQUESTED', ?, ?, (SELECT coalesce(max(reload_rows), 0) FROM " + table("table_stats")
                + " WHERE connector = ? AND table_name = ?))")) {
            int i = 1;
            ps.setString(i++, reloadId);
            ps.setString(i++, connector);
            ps.setString(i++, t.table());
            ps.setString(i++, t.qualified());
            ps.setString(i++, keysTable);
            ps.setBoolean(i++, sweep);
            ps.setString(i++, filter);
            ps.setString(i++, connector);
            ps.setString(i, t.table());
            ps.executeUpdate();
        }
    }

    List<String> acks(Connection c, String reloadId) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT task FROM " + table("reload_acks") + " WHERE reload_id = ?")) {
            ps.setString(1, reloadId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    void state(Connection c, String reloadId, String state, String detail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("reloads") + " SET state = ?, "
                + "detail = coalesce(?, detail), signalled_at = CASE WHEN ? = 'RUNNING' THEN now() ELSE signalled_at END, "
                + "completed_at = CASE WHEN ? IN ('DONE', 'ABORTED') THEN now() ELSE completed_at END WHERE reload_id = ?")) {
            ps.setString(1, state);
            ps.setString(2, detail);
            ps.setString(3, state);
            ps.setString(4, state);
            ps.setString(5, reloadId);
            ps.executeUpdate();
        }
    }

    /** Marks the reload ABORTED if it is still open (REQUESTED, RUNNING or SWEEPING); true if it was. */
    boolean abortIfOpen(Connection c, String reloadId, String detail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("reloads") + " SET state = 'ABORTED', detail = ?, "
                + "completed_at = now() WHERE reload_id = ? AND state IN " + OPEN)) {
            ps.setString(1, detail);
            ps.setString(2, reloadId);
            return ps.executeUpdate() > 0;
        }
    }

    boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table(name));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    void swept(Connection c, String reloadId, long swept, long kept) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("reloads") + " SET rows_swept = ?, rows_kept = ? "
                + "WHERE reload_id = ?")) {
            ps.setLong(1, swept);
            ps.setLong(2, kept);
            ps.setString(3, reloadId);
            ps.executeUpdate();
        }
    }

    /** What the sink has recorded of the reload so far. */
    record Progress(String state, Long rowsExpected, String scanStatus, boolean scanCompleted, long rowsDone) {}

    Progress progress(Connection c, String reloadId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.state, r.rows_expected, r.scan_status, "
                + "r.scan_completed_at IS NOT NULL, coalesce(s.reload_rows, 0) - coalesce(r.reload_rows_before, 0) FROM "
                + table("reloads") + " r LEFT JOIN " + table("table_stats") + " s ON s.connector = r.connector "
                + "AND s.table_name = r.table_name WHERE r.reload_id = ?")) {
            ps.setString(1, reloadId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("reload " + reloadId + " is gone from " + table("reloads"));
                }
                long expected = rs.getLong(2);
                boolean unknown = rs.wasNull();
                return new Progress(rs.getString(1), unknown ? null : expected, rs.getString(3), rs.getBoolean(4),
                        rs.getLong(5));
            }
        }
    }

    /** The next offset the sink has applied per partition of a topic (its offsets live beside the rows). */
    java.util.Map<Integer, Long> applied(Connection c, String topic) throws SQLException {
        java.util.Map<Integer, Long> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kafka_partition, next_offset FROM " + table("sink_offsets")
                + " WHERE connector = ? AND topic = ?")) {
            ps.setString(1, connector);
            ps.setString(2, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** A table reloaded because it was new to the pipeline streams once its rows are in. */
    void streaming(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("table_stats") + " SET phase = 'STREAMING', "
                + "snapshot_completed_at = coalesce(snapshot_completed_at, now()) WHERE connector = ? AND table_name = ?")) {
            ps.setString(1, connector);
            ps.setString(2, table);
            ps.executeUpdate();
        }
    }
}
