package io.ferry.sink.phase;

import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.Op;
import io.ferry.sink.schema.Identifiers;
import io.ferry.sink.state.StateSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debezium starts its initial snapshot again from zero when it stopped before finishing it (its source task, worker
 * or the whole runner killed in the middle of the load). A table's first row of the new pass carries the snapshot
 * marker {@code first} or {@code first_in_data_collection} while the sink already holds rows of an earlier pass: rows
 * all read before that first row (their latest source time is older), which tells them from rows of the same pass
 * that other partitions of the table delivered first. Those
 * rows are a partial, older read: rows deleted at the source in between would stay as phantoms, and counting the new
 * pass on top of the old one would call the table loaded long before it is. So, for a table no change event has
 * reached yet, the earlier pass is undone in the transaction of the new pass's first rows: the foreign keys involving
 * the table are dropped (rebuilt once it is loaded again), the table is emptied, its snapshot count and phase start
 * over, and its rows come again by COPY. A table that already takes changes (a re-snapshot of a live target) is not
 * emptied; that is logged, with `ferry verify` and `ferry reload` as the ways to find and clear phantoms.
 */
public final class SnapshotRestarts {

    private static final Logger log = LoggerFactory.getLogger(SnapshotRestarts.class);

    private final String targetSchema;
    private final StateSchema state;
    private final String connector;
    private final ConstraintBuilder constraints;

    public SnapshotRestarts(String targetSchema, StateSchema state, String connector, ConstraintBuilder constraints) {
        this.targetSchema = targetSchema;
        this.state = state;
        this.connector = connector;
        this.constraints = constraints;
    }

    /** The tables whose earlier pass is undone by this batch, each with the source time of its new first row. */
    public record Plan(Map<String, Long> tables, List<ChangeEvent> events) {
        public boolean isEmpty() {
            return tables.isEmpty();
        }
    }

    /**
     * Finds new first rows of tables that hold an earlier pass; the events of such a table that come before its new
     * first row in the batch belong to the earlier pass and are left out (the table is emptied anyway).
     */
    public Plan plan(Connection conn, List<ChangeEvent> events) throws SQLException {
        Map<String, Integer> lastFirst = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            ChangeEvent e = events.get(i);
            if (beginsPass(e)) {
                lastFirst.put(e.table(), i);
            }
        }
        if (lastFirst.isEmpty()) {
            return new Plan(Map.of(), events);
        }
        // an earlier pass in this very batch: the table's rows before its new first row, in the same partition
        Map<String, Integer> dropBefore = new HashMap<>();
        lastFirst.forEach((table, first) -> {
            ChangeEvent marker = events.get(first);
            for (int i = 0; i < first; i++) {
                ChangeEvent e = events.get(i);
                if (e.table().equals(table) && e.op() == Op.SNAPSHOT && samePartition(e, marker) && older(e, marker)) {
                    dropBefore.put(table, first);
                    break;
                }
            }
        });
        Map<String, long[]> held = held(conn, lastFirst.keySet());
        Map<String, Long> reset = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> f : lastFirst.entrySet()) {
            String table = f.getKey();
            long[] h = held.getOrDefault(table, new long[] {0, 0, Long.MIN_VALUE});
            Long ts = events.get(f.getValue()).sourceTsMs();
            boolean earlierPass = h[0] > 0 && ts != null && h[2] < ts;
            if (!earlierPass) {
                continue; // the first pass, or rows of this pass from another partition
            }
            if (h[1] > 0) {
                log.warn("Ferry sink '{}': Debezium snapshots table {} again although it takes changes already; its rows "
                        + "are applied as upserts. Rows deleted at the source while it was not streaming may remain: run "
                        + "`ferry verify`, and `ferry reload {}` to clear them", connector, table, table);
                dropBefore.remove(table);
                continue;
            }
            reset.put(table, ts);
        }
        if (reset.isEmpty() && dropBefore.isEmpty()) {
            return new Plan(Map.of(), events);
        }
        List<ChangeEvent> kept = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            ChangeEvent e = events.get(i);
            Integer first = dropBefore.get(e.table());
            if (first == null || i >= first) {
                kept.add(e);
            }
        }
        return new Plan(reset, kept);
    }

    /** Undoes the earlier pass of each table, inside the caller's transaction. */
    public void apply(Connection conn, Plan plan) throws SQLException {
        for (Map.Entry<String, Long> t : plan.tables().entrySet()) {
            String table = t.getKey();
            List<String> dropped = constraints.dropForReload(conn, table);
            try (Statement st = conn.createStatement()) {
                // DELETE, not TRUNCATE: TRUNCATE is not MVCC-safe, a reader's older snapshot would see the table
                // empty beside statistics that still call it loaded
                st.execute("DELETE FROM " + Identifiers.qualified(targetSchema, table));
            }
            try (PreparedStatement ps = conn.prepareStatement("UPDATE " + state.table("table_stats") + " SET "
                    + "snapshot_rows = 0, phase = 'LOADING', snapshot_completed_at = NULL, loaded_event_at = NULL, "
                    + "snapshot_restarts = snapshot_restarts + 1, snapshot_max_ts_ms = NULL, "
                    + "snapshot_expected = CASE WHEN snapshot_expected_at "
                    + ">= ? THEN snapshot_expected END WHERE connector = ? AND table_name = ?")) {
                ps.setLong(1, t.getValue());
                ps.setString(2, connector);
                ps.setString(3, table);
                ps.executeUpdate();
            }
            log.warn("Ferry sink '{}': Debezium started the snapshot of {} again (a new first row arrived after rows of "
                    + "an earlier pass that never finished); the earlier pass is undone: the table is emptied and "
                    + "loaded again by COPY, its snapshot count starts over{}", connector, table,
                    dropped.isEmpty() ? "" : ", and foreign keys " + dropped + " are dropped until it is loaded");
        }
    }

    /** Whether the row is the first of a table's snapshot pass (Debezium's first markers). */
    public static boolean beginsPass(ChangeEvent e) {
        return e.op() == Op.SNAPSHOT && ("first".equals(e.snapshot()) || "first_in_data_collection".equals(e.snapshot()));
    }

    private static boolean samePartition(ChangeEvent a, ChangeEvent b) {
        return a.record().originalTopic().equals(b.record().originalTopic())
                && java.util.Objects.equals(a.record().originalKafkaPartition(), b.record().originalKafkaPartition());
    }

    private static boolean older(ChangeEvent e, ChangeEvent marker) {
        return e.sourceTsMs() == null || marker.sourceTsMs() == null || e.sourceTsMs() < marker.sourceTsMs();
    }

    /** Per table: snapshot rows committed, change events applied, the latest source time of its snapshot rows. */
    private Map<String, long[]> held(Connection conn, java.util.Collection<String> tables) throws SQLException {
        Map<String, long[]> out = new HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, snapshot_rows, inserts + updates + deletes, "
                + "coalesce(snapshot_max_ts_ms, 0) FROM " + state.table("table_stats")
                + " WHERE connector = ? AND table_name = ANY(?)")) {
            ps.setString(1, connector);
            ps.setArray(2, conn.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                }
            }
        }
        return out;
    }
}
