package io.ferry.sink.phase;

import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.Op;
import io.ferry.sink.event.SourceSnapshotNotification;
import io.ferry.sink.jdbc.Transactions;
import io.ferry.sink.state.StateSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * Records where Debezium's snapshot of each source stands, for {@code ferry cutover-check}. Every table STREAMING is
 * not enough evidence on its own: after a restart in the middle of a snapshot Debezium reads every table again, and a
 * table whose earlier pass had completed stays STREAMING, with all its rows, until the repeated pass reaches the sink
 * and empties it to load it again. Each table has its own topic, read at its own pace, so that can happen after every
 * other table is loaded.
 * <ul>
 * <li>{@code ferry.source_snapshots}: Debezium's notifications per source (STARTED, COMPLETED, ABORTED, SKIPPED), on
 * Debezium's clock.</li>
 * <li>{@code ferry.snapshot_first_rows}: the source time of the newest row marked as a snapshot's very first, and
 * when the sink saw it. Snapshot rows carry the source database's clock (its CURRENT_TIMESTAMP when Debezium began
 * reading the table, to the second), so only another row tells which pass a table's rows came from: a table whose
 * newest snapshot row is older than the newest first row is waiting for its repeated pass.</li>
 * </ul>
 */
public final class SourceSnapshots {

    private static final Logger log = LoggerFactory.getLogger(SourceSnapshots.class);

    private final StateSchema state;
    private final String connector;

    public SourceSnapshots(StateSchema state, String connector) {
        this.state = state;
        this.connector = connector;
    }

    /**
     * Keeps the newest status per source and the newest start. Idempotent and order-proof: a batch tried again, or a
     * notification read after a newer one, changes nothing.
     */
    public void notified(Connection conn, SourceSnapshotNotification n) throws SQLException {
        String t = state.table("source_snapshots");
        Transactions.commit(conn, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " AS s (connector, source, status, "
                    + "status_ts_ms, started_ts_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (connector, source) DO UPDATE "
                    + "SET status = CASE WHEN EXCLUDED.status_ts_ms >= s.status_ts_ms THEN EXCLUDED.status ELSE "
                    + "s.status END, status_ts_ms = GREATEST(s.status_ts_ms, EXCLUDED.status_ts_ms), "
                    + "started_ts_ms = GREATEST(s.started_ts_ms, EXCLUDED.started_ts_ms), updated_at = now()")) {
                ps.setString(1, connector);
                ps.setString(2, n.source());
                ps.setString(3, n.status());
                ps.setLong(4, n.timestampMs());
                if ("STARTED".equals(n.status())) {
                    ps.setLong(5, n.timestampMs());
                } else {
                    ps.setNull(5, Types.BIGINT);
                }
                ps.executeUpdate();
            }
        });
        log.info("Ferry sink '{}': Debezium's snapshot of source '{}' {} at {}", connector, n.source(), n.status(),
                java.time.Instant.ofEpochMilli(n.timestampMs()));
    }

    /**
     * Keeps the source time of the newest row marked as a snapshot's very first ({@code snapshot=first}) among these
     * change events, if any. Idempotent: an older or repeated first row changes nothing.
     */
    public void firstRows(Connection conn, List<ChangeEvent> events) throws SQLException {
        Long newest = null;
        for (ChangeEvent e : events) {
            if (e.op() == Op.SNAPSHOT && "first".equals(e.snapshot()) && !e.isIncrementalSnapshot()
                    && e.sourceTsMs() != null && (newest == null || e.sourceTsMs() > newest)) {
                newest = e.sourceTsMs();
            }
        }
        if (newest == null) {
            return;
        }
        long firstTs = newest;
        Transactions.commit(conn, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + state.table("snapshot_first_rows")
                    + " AS f (connector, first_ts_ms) VALUES (?, ?) ON CONFLICT (connector) DO UPDATE SET "
                    + "first_ts_ms = EXCLUDED.first_ts_ms, seen_at = now() WHERE EXCLUDED.first_ts_ms > f.first_ts_ms")) {
                ps.setString(1, connector);
                ps.setLong(2, firstTs);
                ps.executeUpdate();
            }
        });
    }
}
