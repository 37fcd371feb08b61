package io.ferry.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tables Debezium's restarted snapshot has still to read again. After a restart in the middle of a snapshot
 * Debezium reads every table again; a table whose earlier pass had completed is STREAMING, with all its rows, until
 * the repeated pass reaches the sink and empties it. Its newest snapshot row is then more than a second older than
 * the newest row marked as a snapshot's first (both on the source database's clock, to the second; the second of
 * slack covers parallel snapshot threads). A table the last pass found empty sends no row, only its scan's end with 0
 * rows (on Debezium's clock, as the start is): it waits for nothing. The sink records all of it
 * (phase.SourceSnapshots).
 */
final class SnapshotPasses {

    /** A table of a sink connector whose rows Debezium's repeated pass will replace. */
    record Awaiting(String connector, String table) {}

    private SnapshotPasses() {}

    /**
     * @param state     the quoted state schema
     * @param connector the sink connector, or null for all
     * @return the tables, ordered; none when the sink's state has no such records (a sink older than this)
     */
    static List<Awaiting> awaitingRepeatedPass(Connection pg, String state, String connector) throws SQLException {
        String sql = "SELECT t.connector, t.table_name FROM " + state + ".table_stats t JOIN " + state
                + ".snapshot_first_rows f ON f.connector = t.connector WHERE t.snapshot_rows > 0 "
                + "AND t.snapshot_max_ts_ms < f.first_ts_ms - 1000 AND NOT (coalesce(t.snapshot_expected, -1) = 0 AND "
                + "coalesce(t.snapshot_expected_at, 0) >= coalesce((SELECT max(o.started_ts_ms) FROM " + state
                + ".source_snapshots o WHERE o.connector = t.connector), 0))"
                + (connector == null ? "" : " AND t.connector = ?") + " ORDER BY 1, 2";
        List<Awaiting> out = new ArrayList<>();
        try (PreparedStatement ps = pg.prepareStatement(sql)) {
            if (connector != null) {
                ps.setString(1, connector);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Awaiting(rs.getString(1), rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return out;
            }
            throw e;
        }
        return out;
    }
}
