package io.ferry.sink.state;

import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
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
}
