package io.ferry.sink.state;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a batch starts and ends in each partition: the first offset is checked against what is stored (another
 * writer may have committed part of it), the next offset is stored with the rows, and so is the latest source
 * position applied ({@link RedeliveryFence}).
 */
public record BatchOffsets(Map<TopicPartition, Long> first, Map<TopicPartition, Long> next,
                           Map<TopicPartition, RedeliveryFence.Mark> positions, Map<String, Long> redelivered) {

    public static BatchOffsets of(Iterable<SinkRecord> records) {
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        for (SinkRecord r : records) {
            // the original coordinates: an SMT may have renamed the topic, but offsets belong to what was consumed
            TopicPartition tp = new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
            first.merge(tp, r.originalKafkaOffset(), Math::min);
            next.merge(tp, r.originalKafkaOffset() + 1, Math::max);
        }
        return new BatchOffsets(first, next, Map.of(), Map.of());
    }

    /** With the source positions to store and the re-delivered events skipped, per table, to count. */
    public BatchOffsets with(RedeliveryFence.Result fenced) {
        return new BatchOffsets(first, next, fenced.positions(), fenced.skippedByTable());
    }
}
