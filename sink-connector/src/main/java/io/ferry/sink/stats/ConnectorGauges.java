package io.ferry.sink.stats;

import io.ferry.sink.state.StateSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ObjectName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads what alerts need beyond the write counters (parked rows, stopped tables, constraints, the latest verification)
 * from the state schema every few seconds and publishes it as
 * {@code io.ferry:type=sink-table-state,connector=<name>,table=<table>}. One query per kind, on the task's own
 * connection between writes: cheap, and right even for tables another task writes.
 */
public final class ConnectorGauges implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectorGauges.class);

    /** How often the state schema is read (the default Prometheus scrape interval is 15 s or more). */
    static final long REFRESH_MS = 5_000;

    private final StateSchema state;
    private final String connector;
    private final Map<String, TableState> tables = new HashMap<>();
    private long lastRefresh;

    public ConnectorGauges(StateSchema state, String connector) {
        this.state = state;
        this.connector = connector;
    }

    private io.ferry.sink.events.SinkEvents events;
    private long parkedRowsThreshold;
    private long parkedAgeSeconds;
    /** Tables whose backlog was reported (until it clears), and the verification state last seen per table. */
    private final java.util.Set<String> backlogged = new java.util.HashSet<>();
    private final Map<String, String> verified = new HashMap<>();

    /** PARKED_BACKLOG / PARKED_CLEARED and VERIFY_MISMATCHED from what each refresh reads. */
    public ConnectorGauges reportingTo(io.ferry.sink.events.SinkEvents events, long parkedRowsThreshold, long parkedAgeSeconds) {
        this.events = events;
        this.parkedRowsThreshold = parkedRowsThreshold;
        this.parkedAgeSeconds = parkedAgeSeconds;
        return this;
    }

    private void report(Map<String, TableState.Values> now) {
        if (events == null) {
            return;
        }
        now.forEach((table, v) -> {
            boolean over = (parkedRowsThreshold > 0 && v.parkedRows > parkedRowsThreshold)
                    || (parkedAgeSeconds > 0 && v.parkedRows > 0 && v.parkedOldestSeconds > parkedAgeSeconds);
            if (over && backlogged.add(table)) {
                events.parkedBacklog(table, v.parkedRows, v.parkedOldestSeconds, true);
            } else if (!over && backlogged.remove(table)) {
                events.parkedBacklog(table, v.parkedRows, v.parkedOldestSeconds, false);
            }
            String before = verified.put(table, v.validationState);
            if ("MISMATCHED".equals(v.validationState) && !"MISMATCHED".equals(before)) {
                events.verifyMismatched(table, v.validationMismatched, v.validationState);
            }
        });
    }

    /** Refreshes when due; a failed read keeps the last values (the next write will reset the connection anyway). */
    public void refreshIfDue(Connection conn) {
        long now = System.currentTimeMillis();
        if (now - lastRefresh < REFRESH_MS) {
            return;
        }
        lastRefresh = now;
        try {
            refresh(conn);
        } catch (SQLException e) {
            log.debug("Ferry sink '{}' could not read its table state for the metrics: {}", connector, e.toString());
        } finally {
            try {
                if (!conn.getAutoCommit()) {
                    conn.rollback(); // a read must not hold its snapshot until the next write
                }
            } catch (SQLException ignored) {
                // the connection is broken: the write path replaces it
            }
        }
    }

    void refresh(Connection conn) throws SQLException {
        Map<String, TableState.Values> next = new HashMap<>();
        // every table of the connector has its series, 0 while nothing is wrong (an absent series alerts nobody)
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name FROM " + state.table("table_stats")
                + " WHERE connector = ?")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    next.put(rs.getString(1), new TableState.Values());
                }
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, count(*), "
                + "coalesce(extract(epoch FROM now() - min(parked_at)), 0)::bigint FROM " + state.table("parked")
                + " WHERE connector = ? GROUP BY table_name")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableState.Values v = next.computeIfAbsent(rs.getString(1), t -> new TableState.Values());
                    v.parkedRows = rs.getLong(2);
                    v.parkedOldestSeconds = rs.getLong(3);
                }
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name FROM " + state.table("stopped_tables")
                + " WHERE connector = ?")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    next.computeIfAbsent(rs.getString(1), t -> new TableState.Values()).stopped = 1;
                }
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, count(*) FILTER (WHERE state <> 'BUILT' "
                + "AND state <> 'FAILED'), count(*) FILTER (WHERE state = 'FAILED') FROM "
                + state.table("design_constraints") + " WHERE connector = ? GROUP BY table_name")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableState.Values v = next.computeIfAbsent(rs.getString(1), t -> new TableState.Values());
                    v.constraintsPending = rs.getLong(2);
                    v.constraintsFailed = rs.getLong(3);
                }
            }
        }
        // written by `ferry verify` (outside the sink): absent until the first verification
        try (Statement st = conn.createStatement();
             ResultSet exists = st.executeQuery("SELECT to_regclass('" + state.table("validation").replace("'", "''") + "')")) {
            if (exists.next() && exists.getString(1) != null) {
                try (Statement q = conn.createStatement();
                     ResultSet rs = q.executeQuery("SELECT coalesce(target_table, table_name), state, mismatched FROM "
                             + state.table("validation"))) {
                    while (rs.next()) {
                        TableState.Values v = next.computeIfAbsent(rs.getString(1), t -> new TableState.Values());
                        v.validationState = rs.getString(2);
                        v.validationMismatched = rs.getLong(3);
                    }
                }
            }
        }
        // a table whose rows left the parked table must read 0 again, not keep its last backlog
        tables.forEach((table, s) -> s.set(next.getOrDefault(table, new TableState.Values())));
        next.forEach((table, v) -> tables.computeIfAbsent(table, this::register).set(v));
        report(next);
    }

    private TableState register(String table) {
        TableState s = new TableState();
        s.name = Jmx.register(new javax.management.StandardMBean(s, TableStateMBean.class, false),
                "io.ferry:type=sink-table-state,connector=" + ObjectName.quote(connector) + ",table="
                        + ObjectName.quote(table), "the state metrics of table " + table);
        return s;
    }

    @Override
    public void close() {
        tables.values().forEach(s -> Jmx.unregister(s.name));
        tables.clear();
    }

    static final class TableState implements TableStateMBean {
        static final class Values {
            long parkedRows;
            long parkedOldestSeconds;
            int stopped;
            long constraintsPending;
            long constraintsFailed;
            long validationMismatched = -1;
            String validationState = "NONE";
        }

        private volatile Values v = new Values();
        ObjectName name;

        void set(Values values) { v = values; }

        @Override public long getParkedRows() { return v.parkedRows; }
        @Override public long getParkedOldestSeconds() { return v.parkedOldestSeconds; }
        @Override public int getStopped() { return v.stopped; }
        @Override public long getConstraintsPending() { return v.constraintsPending; }
        @Override public long getConstraintsFailed() { return v.constraintsFailed; }
        @Override public long getValidationMismatched() { return v.validationMismatched; }
        @Override public String getValidationState() { return v.validationState; }
    }
}
