package io.ferry.sink.state;

import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.ChangeEventDecoder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Skips change events Debezium sends again after its task restarted (see {@link SourcePosition}). The latest source
 * position applied per partition is stored in {@code sink_offsets} in the same transaction as the rows, so the fence
 * holds across sink restarts and rebalances too. Kafka offsets cannot tell these events apart: they are new records.
 */
public final class RedeliveryFence {

    private static final Logger log = LoggerFactory.getLogger(RedeliveryFence.class);

    /** What one batch keeps, what it skipped, and the positions to store with it. */
    public record Result(List<ChangeEvent> kept, Map<TopicPartition, SourcePosition> positions,
                         Map<String, Long> skippedByTable) {
        public static Result none(List<ChangeEvent> events) {
            return new Result(events, Map.of(), Map.of());
        }
    }

    private final StateSchema state;
    private final String connector;
    private final boolean enabled;
    /** Latest position committed per partition; an absent key: none known (no CDC yet, or since a new snapshot). */
    private final Map<TopicPartition, SourcePosition> applied = new HashMap<>();
    /** Partitions whose stored position was read (absent from {@link #applied} then means none is stored). */
    private final java.util.Set<TopicPartition> loaded = new java.util.HashSet<>();
    /** Partitions whose last change event was skipped (or unknown since this task started): their tombstones too. */
    private final Map<TopicPartition, Boolean> lastSkipped = new HashMap<>();

    public RedeliveryFence(StateSchema state, String connector, boolean enabled) {
        this.state = state;
        this.connector = connector;
        this.enabled = enabled;
    }

    /** Reads the stored positions of these partitions (on assignment, and after any failure). */
    public void load(Connection conn, Collection<TopicPartition> partitions) throws SQLException {
        if (!enabled) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT source_server_id, source_file, source_file_number, "
                + "source_pos, source_order FROM " + state.table("sink_offsets")
                + " WHERE connector = ? AND topic = ? AND kafka_partition = ? AND source_pos IS NOT NULL")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, connector);
                ps.setString(2, tp.topic());
                ps.setInt(3, tp.partition());
                applied.remove(tp);
                loaded.add(tp);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long order = rs.getLong(5);
                        applied.put(tp, new SourcePosition(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                                rs.wasNull() ? null : order));
                    }
                }
            }
        }
    }

    /** Reads the stored positions of the partitions of these records that were not read yet. */
    public void loadMissing(Connection conn, List<ChangeEvent> events) throws SQLException {
        if (!enabled) {
            return;
        }
        java.util.Set<TopicPartition> missing = new java.util.HashSet<>();
        for (ChangeEvent e : events) {
            TopicPartition tp = new TopicPartition(e.record().originalTopic(), e.record().originalKafkaPartition());
            if (!loaded.contains(tp)) {
                missing.add(tp);
            }
        }
        if (!missing.isEmpty()) {
            load(conn, missing);
        }
    }

    public void revoke(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            loaded.remove(tp);
            applied.remove(tp);
            lastSkipped.remove(tp);
        });
    }

    public Result filter(List<ChangeEvent> events) {
        if (!enabled) {
            return Result.none(events);
        }
        Map<TopicPartition, SourcePosition> batch = new LinkedHashMap<>();
        Map<String, Long> skipped = new LinkedHashMap<>();
        Map<TopicPartition, SourcePosition[]> skippedRange = new LinkedHashMap<>();
        List<ChangeEvent> kept = new ArrayList<>(events.size());
        for (ChangeEvent e : events) {
            SinkRecord r = e.record();
            TopicPartition tp = new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
            SourcePosition mark = batch.containsKey(tp) ? batch.get(tp) : applied.get(tp);
            if (r.value() == null) {
                // a tombstone repeats the delete before it: after a skipped delete it must not delete a row written since
                if (mark == null || !lastSkipped.getOrDefault(tp, true)) {
                    kept.add(e);
                }
                continue;
            }
            if (!(r.value() instanceof Struct value) || !ChangeEventDecoder.isEnvelope(value.schema())) {
                kept.add(e);
                continue;
            }
            if (!e.op().isChange()) {
                batch.put(tp, null); // a snapshot row: a new pass, positions start afresh
                lastSkipped.put(tp, false);
                kept.add(e);
                continue;
            }
            SourcePosition at = SourcePosition.of(value);
            if (at == null) {
                kept.add(e);
                continue;
            }
            if (at.notAfter(mark)) {
                skipped.merge(e.table(), 1L, Long::sum);
                skippedRange.putIfAbsent(tp, new SourcePosition[] {at, mark});
                lastSkipped.put(tp, true);
                continue;
            }
            if (mark != null && !at.comparableTo(mark)) {
                log.warn("Ferry sink '{}': {} now reads from {} after {}: another server or binlog series, so "
                        + "re-delivered events are recognised from here on", connector, tp, at, mark);
            }
            batch.put(tp, at);
            lastSkipped.put(tp, false);
            kept.add(e);
        }
        if (!skipped.isEmpty()) {
            log.warn("Ferry sink '{}': skipped {} change event(s) Debezium delivered a second time after its task "
                    + "restarted (source positions at or before the ones applied: {}); per table {}, counted in "
                    + "redelivered_skipped", connector, skipped.values().stream().mapToLong(Long::longValue).sum(),
                    describe(skippedRange), skipped);
        }
        return new Result(kept, batch, skipped);
    }

    /** The batch committed: its positions are the ones to compare with from now on. */
    public void committed(Map<TopicPartition, SourcePosition> positions) {
        positions.forEach((tp, p) -> {
            if (p == null) {
                applied.remove(tp);
            } else {
                applied.put(tp, p);
            }
        });
    }

    private static String describe(Map<TopicPartition, SourcePosition[]> ranges) {
        StringBuilder b = new StringBuilder();
        ranges.forEach((tp, r) -> b.append(b.length() == 0 ? "" : ", ").append(tp).append(" from ").append(r[0])
                .append(", applied up to ").append(r[1]));
        return b.toString();
    }
}
