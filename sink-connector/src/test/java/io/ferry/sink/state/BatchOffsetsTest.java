package io.ferry.sink.state;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BatchOffsetsTest {

    static SinkRecord rec(String topic, int partition, long offset) {
        return new SinkRecord(topic, partition, null, null, null, null, offset);
    }

    @Test
    void firstAndNextPerPartitionAcrossInterleavedRuns() {
        BatchOffsets b = BatchOffsets.of(List.of(rec("a", 0, 10), rec("a", 0, 11), rec("a", 1, 5), rec("b", 0, 7),
                rec("a", 0, 12), rec("a", 1, 4), rec("a", 1, 9)));
        TopicPartition a0 = new TopicPartition("a", 0);
        TopicPartition a1 = new TopicPartition("a", 1);
        TopicPartition b0 = new TopicPartition("b", 0);
        assertThat(b.first()).isEqualTo(Map.of(a0, 10L, a1, 4L, b0, 7L));
        assertThat(b.next()).isEqualTo(Map.of(a0, 13L, a1, 10L, b0, 8L));
        assertThat(b.first().keySet()).containsExactly(a0, a1, b0); // in order of first appearance
    }

    @Test
    void theConsumedCoordinatesNotWhatAnSmtRenamedThemTo() {
        SinkRecord consumed = rec("src.db.t", 2, 40);
        SinkRecord renamed = consumed.newRecord("t", 0, null, null, null, null, null);
        BatchOffsets b = BatchOffsets.of(List.of(renamed, rec("src.db.t", 2, 41)));
        assertThat(b.first()).isEqualTo(Map.of(new TopicPartition("src.db.t", 2), 40L));
        assertThat(b.next()).isEqualTo(Map.of(new TopicPartition("src.db.t", 2), 42L));
        assertThat(BatchOffsets.of(List.of()).first()).isEmpty();
    }
}
