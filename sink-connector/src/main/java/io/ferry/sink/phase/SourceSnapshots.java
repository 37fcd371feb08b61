package io.ferry.sink.phase;

import io.ferry.sink.event.SourceSnapshotNotification;
import io.ferry.sink.state.StateSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Records where Debezium's snapshot of each source stands ({@code ferry.source_snapshots}), from its notifications,
 * for {@code ferry cutover-check}. Every table STREAMING is not enough evidence on its own: after a restart in the
 * middle of a snapshot Debezium reads every table again, and a table whose earlier pass had completed stays
 * STREAMING, with all its rows, until the repeated pass reaches the sink and empties it to load it again. Each table
 * has its own topic, read at its own pace, so that can happen after every other table is loaded. With the time the
 * last snapshot started, a table whose newest snapshot row is older than that start is known to be still waiting for
 * its repeated pass.
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
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(true);
        String t = state.table("source_snapshots");
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + t + " AS s (connector, source, status, "
                + "status_ts_ms, started_ts_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (connector, source) DO UPDATE SET "
                + "status = CASE WHEN EXCLUDED.status_ts_ms >= s.status_ts_ms THEN EXCLUDED.status ELSE s.status END, "
                + "status_ts_ms = GREATEST(s.status_ts_ms, EXCLUDED.status_ts_ms), "
                + "started_ts_ms = GREATEST(s.started_ts_ms, EXCLUDED.started_ts_ms), updated_at = now()")) {
            ps.setString(1, connector);
            ps.setString(2, n.source());
            ps.setString(3, n.status());
            ps.setLong(4, n.timestampMs());
            if ("STARTED".equals(n.status())) {
                ps.setLong(5, n.timestampMs());
            } else {
                ps.setNull(5, java.sql.Types.BIGINT);
            }
            ps.executeUpdate();
        } finally {
            conn.setAutoCommit(auto);
        }
        log.info("Ferry sink '{}': Debezium's snapshot of source '{}' {} at {}", connector, n.source(), n.status(),
                java.time.Instant.ofEpochMilli(n.timestampMs()));
    }
}
