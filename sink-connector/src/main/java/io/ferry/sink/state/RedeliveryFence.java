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
    public record Result(List<ChangeEvent> kept, Map<TopicPartition, Mark> positions,
                         Map<String, Long> skippedByTable) {
        public static Result none(List<ChangeEvent> events) {
            return new Result(events, Map.of(), Map.of());
        }
    }

    /**
     * The latest transaction applied on a partition and the prints of its events applied so far (a repeat inside that
     * transaction is recognised by its print). Null in a batch's positions: none any more (a new snapshot).
     *
     * @param legacy the prints were stored by a Ferry before {@link EventPrint}'s streaming format: the rest of
     *               this transaction is printed the old way, so a repeat of an event applied before the upgrade is known
     */
    public record Mark(SourcePosition at, java.util.Set<Long> prints, boolean legacy) {
        /** Marks the current format's prints start with; text without it was stored in the legacy format. */
        static final String FORMAT = "v2";

        /** The prints as stored: the format, then hex, space-separated. */
        public String printsText() {
            StringBuilder b = new StringBuilder(legacy ? "" : FORMAT);
            prints.forEach(p -> b.append(b.length() == 0 ? "" : " ").append(Long.toHexString(p)));
            return b.toString();
        }

        static Mark parse(SourcePosition at, String text) {
            String[] tokens = text == null || text.isBlank() ? new String[0] : text.trim().split(" ");
            // no prints at all: nothing to compare with, so the rest is printed the current way
            boolean legacy = tokens.length > 0 && !tokens[0].equals(FORMAT);
            java.util.Set<Long> out = new java.util.LinkedHashSet<>();
            for (int i = legacy ? 0 : 1; i < tokens.length; i++) {
                out.add(Long.parseUnsignedLong(tokens[i], 16));
            }
            return new Mark(at, out, legacy);
        }
    }

    /** Prints kept per transaction and partition; beyond, events of a huge transaction are applied unchecked. */
    static final int MAX_PRINTS = 20_000;

    private final StateSchema state;
    private final String connector;
    private final boolean enabled;
    /** Latest position committed per partition; an absent key: none known (no CDC yet, or since a new snapshot). */
    private final Map<TopicPartition, Mark> applied = new HashMap<>();
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
                + "source_pos, source_order, source_tx_prints FROM " + state.table("sink_offsets")
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
                        Long o = rs.wasNull() ? null : order;
                        applied.put(tp, Mark.parse(new SourcePosition(rs.getLong(1), rs.getString(2), rs.getLong(3),
                                rs.getLong(4), o), rs.getString(6)));
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

    /**
     * A partition's latest transaction as this batch sees it. The first event of a transaction is printed only when
     * the batch ends on that transaction or a second event of it arrives: most transactions a batch passes through
     * are single rows and are never printed. Every later event is printed once, for the comparison, and that print is
     * kept (the set is copied once per batch, not per event).
     */
    private static final class Tx {
        final SourcePosition at;
        final boolean legacy;
        final java.util.Set<Long> prints;
        Struct firstEnvelope;
        Object firstKey;
        boolean full;

        /** A stored transaction, or (no prints) one this batch starts. */
        Tx(SourcePosition at, java.util.Set<Long> prints, boolean legacy) {
            this.at = at;
            this.prints = prints;
            this.legacy = legacy;
            this.full = prints.size() >= MAX_PRINTS;
        }

        /** A transaction this batch starts, with its first event: printed later, if at all. */
        Tx(SourcePosition at, Struct firstEnvelope, Object firstKey) {
            this(at, new java.util.LinkedHashSet<>(), false);
            this.firstEnvelope = firstEnvelope;
            this.firstKey = firstKey;
        }

        Mark mark() {
            return new Mark(at, prints(), legacy);
        }

        java.util.Set<Long> prints() {
            if (firstEnvelope != null) {
                prints.add(print(firstEnvelope, firstKey));
                firstEnvelope = null;
                firstKey = null;
            }
            return prints;
        }

        long print(Struct envelope, Object key) {
            return legacy ? EventPrint.legacy(envelope, key) : EventPrint.of(envelope, key);
        }

        /** False when the transaction is past what is checked (the caller says so once). */
        boolean add(long print) {
            if (prints().size() < MAX_PRINTS) {
                prints.add(print);
                return true;
            }
            boolean first = !full;
            full = true;
            return !first;
        }
    }

    public Result filter(List<ChangeEvent> events) {
        if (!enabled) {
            return Result.none(events);
        }
        Map<TopicPartition, Tx> batch = new LinkedHashMap<>();
        Map<String, Long> skipped = new LinkedHashMap<>();
        Map<TopicPartition, SourcePosition[]> skippedRange = new LinkedHashMap<>();
        List<ChangeEvent> kept = new ArrayList<>(events.size());
        for (ChangeEvent e : events) {
            SinkRecord r = e.record();
            TopicPartition tp = new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
            if (r.value() == null) {
                boolean marked = batch.containsKey(tp) ? batch.get(tp) != null : applied.containsKey(tp);
                // a tombstone repeats the delete before it: after a skipped delete it must not delete a row written since
                if (!marked || !lastSkipped.getOrDefault(tp, true)) {
                    kept.add(e);
                }
                continue;
            }
            if (!(r.value() instanceof Struct value) || !ChangeEventDecoder.isEnvelope(value.schema())) {
                kept.add(e);
                continue;
            }
            if (e.isIncrementalSnapshot()) {
                kept.add(e); // a reload's row between live changes: the changes' positions go on around it
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
            Tx tx = batch.containsKey(tp) ? batch.get(tp) : stored(tp);
            SourcePosition last = tx == null ? null : tx.at;
            boolean same = at.sameTransactionAs(last);
            long print = same ? tx.print(value, r.key()) : 0;
            if (at.earlierTransactionThan(last) || (same && tx.prints().contains(print))) {
                skipped.merge(e.table(), 1L, Long::sum);
                skippedRange.putIfAbsent(tp, new SourcePosition[] {at, last});
                lastSkipped.put(tp, true);
                continue;
            }
            if (!same) {
                if (last != null && !at.comparableTo(last)) {
                    log.warn("Ferry sink '{}': {} now reads from {} after {}: another server or binlog series, so "
                            + "re-delivered events are recognised from here on", connector, tp, at, last);
                }
                tx = new Tx(at, value, r.key());
            }
            batch.put(tp, tx);
            if (same && !tx.add(print)) {
                log.warn("Ferry sink '{}': the transaction at {} has more than {} changes on {}; the rest of it is "
                        + "applied without the check for re-delivered changes", connector, at, MAX_PRINTS, tp);
            }
            lastSkipped.put(tp, false);
            kept.add(e);
        }
        if (!skipped.isEmpty()) {
            log.warn("Ferry sink '{}': skipped {} change event(s) Debezium delivered a second time after its task "
                    + "restarted (source positions at or before the ones applied: {}); per table {}, counted in "
                    + "redelivered_skipped", connector, skipped.values().stream().mapToLong(Long::longValue).sum(),
                    describe(skippedRange), skipped);
        }
        Map<TopicPartition, Mark> positions = new LinkedHashMap<>();
        batch.forEach((tp, tx) -> positions.put(tp, tx == null ? null : tx.mark()));
        return new Result(kept, positions, skipped);
    }

    /** The committed mark as this batch's starting point: its prints copied once, so a failed batch leaves it. */
    private Tx stored(TopicPartition tp) {
        Mark m = applied.get(tp);
        return m == null ? null : new Tx(m.at(), new java.util.LinkedHashSet<>(m.prints()), m.legacy());
    }

    /**
     * Whether an event at this position on this partition belongs to a transaction PostgreSQL already has: the one
     * last applied there or an earlier one. It holds across restarts (the marks are stored with the rows), so a task
     * that knows nothing of what it applied before can still tell a transaction Debezium sends again.
     */
    public boolean appliedBefore(TopicPartition tp, SourcePosition at) {
        Mark m = enabled && at != null ? applied.get(tp) : null;
        return m != null && (at.earlierTransactionThan(m.at()) || at.sameTransactionAs(m.at()));
    }

    /** The batch committed: its positions are the ones to compare with from now on. */
    public void committed(Map<TopicPartition, Mark> positions) {
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
