package io.ferry.sink.flow;

import io.ferry.sink.jdbc.Transactions;
import io.ferry.sink.schema.UnsafeTypeChange;
import io.ferry.sink.state.StateSchema;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tables stopped by a source change Ferry will not apply by itself (unsafe.change.policy=stop). A stopped table's
 * topic-partitions are paused and rewound to their first unwritten record, so nothing of it is written or skipped
 * while every other partition keeps flowing. The stop is kept in the state schema ({@code stopped_tables}), so it
 * outlives restarts and rebalances; it ends when the target column's type is no longer what it was when the table
 * stopped, i.e. once someone ran the DDL the error named (or another they chose).
 */
public final class StoppedTables {

    /** One stop, as stored. */
    public record Stop(String table, String column, String targetType, String ddl, String reason) {}

    private final StateSchema state;
    private final String connector;
    private final Map<String, Stop> stops = new LinkedHashMap<>();
    /** Per paused partition, the offset it resumes from (the lowest unwritten one seen). */
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    private final Map<TopicPartition, String> pausedFor = new HashMap<>();

    public StoppedTables(StateSchema state, String connector) {
        this.state = state;
        this.connector = connector;
    }

    public void load(Connection conn) throws SQLException {
        stops.clear();
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, column_name, target_type, ddl, reason FROM "
                + state.table("stopped_tables") + " WHERE connector = ?")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stops.put(rs.getString(1), new Stop(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5)));
                }
            }
        }
    }

    public boolean isEmpty() { return stops.isEmpty(); }

    public boolean isStopped(String table) { return stops.containsKey(table); }

    public Collection<Stop> all() { return List.copyOf(stops.values()); }

    public boolean isPaused(TopicPartition tp) { return resumeAt.containsKey(tp); }

    public boolean anyPaused() { return !resumeAt.isEmpty(); }

    /** Records and stores the stop (committed at once: it must hold even if the batch around it fails). */
    public Stop stop(Connection conn, UnsafeTypeChange change) throws SQLException {
        Stop stop = new Stop(change.table(), change.column(), change.targetType(), change.ddl(), change.getMessage());
        Transactions.commit(conn, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + state.table("stopped_tables")
                    + " (connector, table_name, column_name, target_type, ddl, reason) VALUES (?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (connector, table_name) DO UPDATE SET column_name = EXCLUDED.column_name, "
                    + "target_type = EXCLUDED.target_type, ddl = EXCLUDED.ddl, reason = EXCLUDED.reason, "
                    + "stopped_at = now()")) {
                ps.setString(1, connector);
                ps.setString(2, stop.table());
                ps.setString(3, stop.column());
                ps.setString(4, stop.targetType());
                ps.setString(5, stop.ddl());
                ps.setString(6, stop.reason());
                ps.executeUpdate();
            }
        });
        stops.put(stop.table(), stop);
        return stop;
    }

    /**
     * Pauses the partitions and rewinds each to its first record in this put (never past an unwritten record seen
     * before), so nothing of them is skipped.
     *
     * @param partitions each with the stopped table whose records it carries
     */
    public void hold(SinkTaskContext context, Collection<SinkRecord> records, Map<TopicPartition, String> partitions) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (SinkRecord r : records) {
            TopicPartition tp = partition(r);
            if (partitions.containsKey(tp)) {
                first.merge(tp, r.originalKafkaOffset(), Math::min);
            }
        }
        first.forEach((tp, offset) -> {
            pausedFor.putIfAbsent(tp, partitions.get(tp));
            context.offset(tp, resumeAt.merge(tp, offset, Math::min));
        });
        context.pause(partitions.keySet().toArray(new TopicPartition[0]));
    }

    /** Records of an already paused partition may still come with a poll made before the pause: rewind to them. */
    public void holdPaused(SinkTaskContext context, Collection<SinkRecord> records) {
        Map<TopicPartition, String> paused = new HashMap<>();
        for (SinkRecord r : records) {
            TopicPartition tp = partition(r);
            if (isPaused(tp)) {
                paused.put(tp, pausedFor.get(tp));
            }
        }
        if (!paused.isEmpty()) {
            hold(context, records, paused);
        }
    }

    /** Where a record was consumed from (an SMT may have renamed its topic; offsets belong to the original). */
    public static TopicPartition partition(SinkRecord r) {
        return new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
    }

    /**
     * Ends the stops whose target column changed since.
     *
     * @param currentType reads a target column's type now (null when it is gone)
     * @return the partitions to resume, each with the offset it resumes from
     */
    public Map<TopicPartition, Long> release(Connection conn, ColumnTypes currentType) throws SQLException {
        Set<String> ended = new HashSet<>();
        for (Stop s : stops.values()) {
            // a missing column reads as "", so a stop for a column to add ends once it exists
            String now = currentType.of(conn, s.table(), s.column());
            if (!s.targetType().equals(now == null ? UnsafeTypeChange.MISSING : now)) {
                ended.add(s.table());
            }
        }
        if (ended.isEmpty()) {
            return Map.of();
        }
        Transactions.commit(conn, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + state.table("stopped_tables")
                    + " WHERE connector = ? AND table_name = ?")) {
                for (String table : ended) {
                    ps.setString(1, connector);
                    ps.setString(2, table);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
        ended.forEach(stops::remove);
        Map<TopicPartition, Long> resumed = new LinkedHashMap<>();
        for (TopicPartition tp : new ArrayList<>(pausedFor.keySet())) {
            if (!stops.containsKey(pausedFor.get(tp))) {
                resumed.put(tp, resumeAt.remove(tp));
                pausedFor.remove(tp);
            }
        }
        return resumed;
    }

    /** Partitions no longer assigned to this task: whoever gets them reads the stop from the state schema. */
    public void revoke(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            resumeAt.remove(tp);
            pausedFor.remove(tp);
        });
    }

    @FunctionalInterface
    public interface ColumnTypes {
        String of(Connection conn, String table, String column) throws SQLException;
    }
}
