package io.ferry.sink.stats;

import io.ferry.sink.state.StateSchema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;

/**
 * Adds a flush's counters to ferry.table_stats inside the flush's transaction, so the totals are exact across
 * crashes and replays. A table moves from LOADING to STREAMING on its first change event or on Debezium's
 * last-snapshot-row marker, and never back.
 */
public final class StatsStore {

    private final StateSchema state;
    private final String connector;

    public StatsStore(StateSchema state, String connector) {
        this.state = state;
        this.connector = connector;
    }

    /**
     * Rows Debezium's snapshot read per table (TABLE_SCAN_COMPLETED: {rows, notification time ms}), inside the flush's
     * transaction. The time tells an announcement of a restarted snapshot from one of the pass before.
     */
    public void expect(Connection conn, Map<String, long[]> totals) throws SQLException {
        if (totals.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + state.table("table_stats") + " AS s "
                + "(connector, table_name, phase, snapshot_expected, snapshot_expected_at) VALUES (?, ?, 'LOADING', ?, ?) "
                + "ON CONFLICT (connector, table_name) DO UPDATE SET snapshot_expected = EXCLUDED.snapshot_expected, "
                + "snapshot_expected_at = EXCLUDED.snapshot_expected_at")) {
            for (Map.Entry<String, long[]> e : totals.entrySet()) {
                ps.setString(1, connector);
                ps.setString(2, e.getKey());
                ps.setLong(3, e.getValue()[0]);
                ps.setLong(4, e.getValue()[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * A table whose written snapshot rows reached what Debezium read is loaded, even without its last-row marker
     * (which can go missing) and before any change event. Rows that were bad records (in the dead-letter queue,
     * counted in bad_records) count as read: they will not come again.
     *
     * @return how many tables it promoted
     */
    public int promoteCompleted(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE " + state.table("table_stats") + " SET phase = "
                + "'STREAMING', snapshot_completed_at = coalesce(snapshot_completed_at, now()) WHERE connector = ? AND "
                + "phase = 'LOADING' AND snapshot_expected IS NOT NULL AND snapshot_rows + bad_records >= snapshot_expected")) {
            ps.setString(1, connector);
            return ps.executeUpdate();
        }
    }

    public void add(Connection conn, Map<String, TableCounters> byTable) throws SQLException {
        if (byTable.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + state.table("table_stats") + " AS s "
                + "(connector, table_name, phase, snapshot_rows, inserts, updates, deletes, bad_records, nul_stripped, "
                + "ignored_values, last_topic, last_partition, last_offset, last_source_ts_ms, snapshot_completed_at, "
                + "last_bad_record_at, snapshot_max_ts_ms, redelivered_skipped, reload_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                + "CASE WHEN ? THEN now() END, CASE WHEN ? > 0 THEN now() END, ?, ?, ?) "
                + "ON CONFLICT (connector, table_name) DO UPDATE SET "
                + "phase = CASE WHEN s.phase = 'STREAMING' THEN s.phase ELSE EXCLUDED.phase END, "
                + "snapshot_rows = s.snapshot_rows + EXCLUDED.snapshot_rows, inserts = s.inserts + EXCLUDED.inserts, "
                + "updates = s.updates + EXCLUDED.updates, deletes = s.deletes + EXCLUDED.deletes, "
                + "bad_records = s.bad_records + EXCLUDED.bad_records, "
                + "last_bad_record_at = CASE WHEN EXCLUDED.bad_records > 0 THEN now() ELSE s.last_bad_record_at END, "
                + "snapshot_max_ts_ms = GREATEST(s.snapshot_max_ts_ms, EXCLUDED.snapshot_max_ts_ms), "
                + "nul_stripped = s.nul_stripped + EXCLUDED.nul_stripped, "
                + "redelivered_skipped = s.redelivered_skipped + EXCLUDED.redelivered_skipped, "
                + "reload_rows = s.reload_rows + EXCLUDED.reload_rows, "
                + "ignored_values = s.ignored_values + EXCLUDED.ignored_values, "
                + "last_topic = COALESCE(EXCLUDED.last_topic, s.last_topic), "
                + "last_partition = COALESCE(EXCLUDED.last_partition, s.last_partition), "
                + "last_offset = COALESCE(EXCLUDED.last_offset, s.last_offset), "
                + "last_source_ts_ms = COALESCE(EXCLUDED.last_source_ts_ms, s.last_source_ts_ms), "
                + "snapshot_completed_at = COALESCE(s.snapshot_completed_at, EXCLUDED.snapshot_completed_at), "
                + "updated_at = now()")) {
            for (Map.Entry<String, TableCounters> e : byTable.entrySet()) {
                TableCounters c = e.getValue();
                int i = 1;
                ps.setString(i++, connector);
                ps.setString(i++, e.getKey());
                ps.setString(i++, c.phase());
                ps.setLong(i++, c.snapshotRows);
                ps.setLong(i++, c.inserts);
                ps.setLong(i++, c.updates);
                ps.setLong(i++, c.deletes);
                ps.setLong(i++, c.badRecords);
                ps.setLong(i++, c.nulStripped);
                ps.setLong(i++, c.ignoredValues);
                ps.setString(i++, c.lastTopic);
                if (c.lastOffset >= 0) {
                    ps.setInt(i++, c.lastPartition);
                    ps.setLong(i++, c.lastOffset);
                } else {
                    ps.setNull(i++, Types.INTEGER);
                    ps.setNull(i++, Types.BIGINT);
                }
                if (c.lastSourceTsMs != null) {
                    ps.setLong(i++, c.lastSourceTsMs);
                } else {
                    ps.setNull(i++, Types.BIGINT);
                }
                ps.setBoolean(i++, c.completesSnapshot());
                ps.setLong(i++, c.badRecords);
                if (c.snapshotMaxTsMs != null) {
                    ps.setLong(i++, c.snapshotMaxTsMs);
                } else {
                    ps.setNull(i++, Types.BIGINT);
                }
                ps.setLong(i++, c.redelivered);
                ps.setLong(i, c.reloadRows);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A table whose load ended and whose TABLE_LOADED event nobody sent yet. */
    public record Loaded(String table, long rows, long badRecords, String completedAt) {}

    /**
     * Claims, in its own transaction, the loaded tables whose event is still to be sent: of all the connector's
     * tasks exactly one gets each table, once.
     */
    public java.util.List<Loaded> claimLoaded(Connection conn) throws SQLException {
        java.util.List<Loaded> out = new java.util.ArrayList<>();
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement("UPDATE " + state.table("table_stats") + " SET "
                + "loaded_event_at = now() WHERE connector = ? AND phase = 'STREAMING' AND loaded_event_at IS NULL "
                + "AND snapshot_completed_at IS NOT NULL RETURNING table_name, snapshot_rows, bad_records, "
                + "snapshot_completed_at::text")) {
            ps.setString(1, connector);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Loaded(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4)));
                }
            }
            conn.commit();
        } catch (SQLException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(auto);
        }
        return out;
    }
}
