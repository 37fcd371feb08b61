package io.ferry.sink.state;

import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Kafka offsets of what the sink has written, kept in the target database beside the rows. */
public final class OffsetStore {

    private final StateSchema state;
    private final String connector;

    public OffsetStore(StateSchema state, String connector) {
        this.state = state;
        this.connector = connector;
    }

    /** The next offset to consume per partition, for the partitions that have one stored. */
    public Map<TopicPartition, Long> load(Connection conn, Collection<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT next_offset FROM " + state.table("sink_offsets")
                + " WHERE connector = ? AND topic = ? AND kafka_partition = ?")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, connector);
                ps.setString(2, tp.topic());
                ps.setInt(3, tp.partition());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(tp, rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Another writer already committed records of this batch (a task Connect still ran while the partition moved to
     * another, or this task's own commit whose acknowledgement was lost): nothing of the transaction may commit.
     */
    public static final class Moved extends RuntimeException {
        private final Map<TopicPartition, Long> stored;

        Moved(Map<TopicPartition, Long> stored) {
            super("the stored offsets moved past this batch: " + stored, null, false, false);
            this.stored = stored;
        }

        public Map<TopicPartition, Long> stored() {
            return stored;
        }
    }

    /**
     * Claims the batch's partitions for the caller's transaction: one transaction-scoped advisory lock per partition
     * (taken in a fixed order, so two writers cannot deadlock), then the stored offsets read under it. If any stored
     * offset is past the batch's first offset, another writer committed some of these records since this task last
     * looked: {@link Moved} is thrown and the caller must roll back. Gaps the other way (stored below the first offset)
     * are normal in Kafka (transaction markers, records an SMT dropped) and are not refused.
     */
    public void claim(Connection conn, Map<TopicPartition, Long> firstOffsets) throws SQLException {
        List<TopicPartition> ordered = new ArrayList<>(firstOffsets.keySet());
        ordered.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        try (PreparedStatement lock = conn.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))")) {
            for (TopicPartition tp : ordered) {
                lock.setString(1, "ferry-offsets:" + connector);
                lock.setString(2, tp.topic() + "/" + tp.partition());
                lock.execute();
            }
        }
        Map<TopicPartition, Long> moved = new HashMap<>();
        load(conn, ordered).forEach((tp, stored) -> {
            if (stored > firstOffsets.get(tp)) {
                moved.put(tp, stored);
            }
        });
        if (!moved.isEmpty()) {
            throw new Moved(moved);
        }
    }

    /** Stores next offsets inside the caller's transaction; never moves an offset backwards. */
    public void save(Connection conn, Map<TopicPartition, Long> nextOffsets) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + state.table("sink_offsets")
                + " AS o (connector, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (connector, topic, kafka_partition) DO UPDATE SET "
                + "next_offset = GREATEST(o.next_offset, EXCLUDED.next_offset), updated_at = now()")) {
            for (Map.Entry<TopicPartition, Long> e : nextOffsets.entrySet()) {
                ps.setString(1, connector);
                ps.setString(2, e.getKey().topic());
                ps.setInt(3, e.getKey().partition());
                ps.setLong(4, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Stores the batch's source positions ({@link RedeliveryFence}) inside the caller's transaction, after its offsets. */
    public void savePositions(Connection conn, Map<TopicPartition, RedeliveryFence.Mark> positions) throws SQLException {
        if (positions.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("UPDATE " + state.table("sink_offsets") + " SET "
                + "source_server_id = ?, source_file = ?, source_file_number = ?, source_pos = ?, source_order = ?, "
                + "source_tx_prints = ? WHERE connector = ? AND topic = ? AND kafka_partition = ?")) {
            for (Map.Entry<TopicPartition, RedeliveryFence.Mark> e : positions.entrySet()) {
                RedeliveryFence.Mark m = e.getValue();
                if (m == null) {
                    for (int i = 1; i <= 6; i++) {
                        ps.setNull(i, i == 2 || i == 6 ? Types.VARCHAR : Types.BIGINT);
                    }
                } else {
                    SourcePosition p = m.at();
                    ps.setLong(1, p.serverId());
                    ps.setString(2, p.fileBase());
                    ps.setLong(3, p.fileNumber());
                    ps.setLong(4, p.pos());
                    if (p.order() == null) {
                        ps.setNull(5, Types.BIGINT);
                    } else {
                        ps.setLong(5, p.order());
                    }
                    ps.setString(6, m.printsText());
                }
                ps.setString(7, connector);
                ps.setString(8, e.getKey().topic());
                ps.setInt(9, e.getKey().partition());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
