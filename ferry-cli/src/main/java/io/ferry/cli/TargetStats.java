package io.ferry.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the sink's per-table statistics (ferry.table_stats) from the target database. */
public final class TargetStats {

    public record Row(String table, String phase, long snapshotRows, long inserts, long updates, long deletes,
                      long badRecords, long nulStripped, Long lastSourceTsMs) {}

    private TargetStats() {}

    public static Map<String, Row> read(Connection pg, String stateSchema, String connector) throws SQLException {
        Map<String, Row> out = new LinkedHashMap<>();
        String state = "\"" + stateSchema.replace("\"", "\"\"") + "\"";
        // a table stopped by an unsafe source change shows as STOPPED: ferry.stopped_tables says what to run
        String sql = "SELECT table_name, CASE WHEN EXISTS (SELECT 1 FROM " + state + ".stopped_tables s WHERE "
                + "s.connector = t.connector AND s.table_name = t.table_name) THEN 'STOPPED' ELSE phase END, "
                + "snapshot_rows, inserts, updates, deletes, bad_records, nul_stripped, "
                + "last_source_ts_ms FROM " + state + ".table_stats t "
                + (connector == null ? "" : "WHERE connector = ? ") + "ORDER BY table_name";
        try (PreparedStatement ps = pg.prepareStatement(sql)) {
            if (connector != null) {
                ps.setString(1, connector);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ts = rs.getLong(9);
                    Long lastTs = rs.wasNull() ? null : ts;
                    out.put(rs.getString(1), new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), lastTs));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return out; // the sink has not created its state tables yet
            }
            throw e;
        }
        // a table `ferry reload` is rewriting shows as RELOADING (state tables of older sinks have no reloads)
        try (PreparedStatement ps = pg.prepareStatement("SELECT DISTINCT table_name FROM " + state + ".reloads WHERE "
                + "state IN ('REQUESTED', 'RUNNING', 'SWEEPING')" + (connector == null ? "" : " AND connector = ?"))) {
            if (connector != null) {
                ps.setString(1, connector);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfPresent(rs.getString(1), (t, r) -> new Row(r.table(), "RELOADING", r.snapshotRows(),
                            r.inserts(), r.updates(), r.deletes(), r.badRecords(), r.nulStripped(), r.lastSourceTsMs()));
                }
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
        }
        // a STREAMING table Debezium's restarted snapshot has still to read again shows as RESNAPSHOT: loaded, but its
        // rows will be emptied and loaded again when the repeated pass reaches the sink (STOPPED and RELOADING stay)
        for (SnapshotPasses.Awaiting awaiting : SnapshotPasses.awaitingRepeatedPass(pg, state, connector)) {
            out.computeIfPresent(awaiting.table(), (t, r) -> !"STREAMING".equals(r.phase()) ? r : new Row(r.table(),
                    "RESNAPSHOT", r.snapshotRows(), r.inserts(), r.updates(), r.deletes(), r.badRecords(),
                    r.nulStripped(), r.lastSourceTsMs()));
        }
        return out;
    }

    public static String table(Map<String, Row> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-22s %-10s %10s %8s %8s %8s %6s%n", "table", "phase",
                "snapshot", "inserts", "updates", "deletes", "bad"));
        long s = 0, i = 0, u = 0, d = 0, b = 0;
        for (Row r : rows.values()) {
            sb.append(String.format("%-22s %-10s %10d %8d %8d %8d %6d%n", r.table(), r.phase(), r.snapshotRows(),
                    r.inserts(), r.updates(), r.deletes(), r.badRecords()));
            s += r.snapshotRows(); i += r.inserts(); u += r.updates(); d += r.deletes(); b += r.badRecords();
        }
        sb.append(String.format("%-22s %-10s %10d %8d %8d %8d %6d%n", "total", "", s, i, u, d, b));
        return sb.toString();
    }
}
