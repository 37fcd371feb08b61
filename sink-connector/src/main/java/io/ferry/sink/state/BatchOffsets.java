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
        // a batch is long runs of one partition: its range is kept unboxed until the partition changes
        String topic = null;
        int partition = -1;
        long low = Long.MAX_VALUE;
        long high = Long.MIN_VALUE;
        for (SinkRecord r : records) {
            // the original coordinates: an SMT may have renamed the topic, but offsets belong to what was consumed
            String t = r.originalTopic();
            int p = r.originalKafkaPartition();
            if (p != partition || !t.equals(topic)) {
                if (topic != null) {
                    add(first, next, new TopicPartition(topic, partition), low, high);
                }
                topic = t;
                partition = p;
                low = Long.MAX_VALUE;
                high = Long.MIN_VALUE;
            }
            long offset = r.originalKafkaOffset();
            low = Math.min(low, offset);
            high = Math.max(high, offset + 1);
        }
        if (topic != null) {
            add(first, next, new TopicPartition(topic, partition), low, high);
        }
        return new BatchOffsets(first, next, Map.of(), Map.of());
    }

    private static void add(Map<TopicPartition, Long> first, Map<TopicPartition, Long> next, TopicPartition tp,
                            long low, long high) {
        first.merge(tp, low, Math::min);
        next.merge(tp, high, Math::max);
    }

    /** With the source positions to store and the re-delivered events skipped, per table, to count. */
    public BatchOffsets with(RedeliveryFence.Result fenced) {
        return new BatchOffsets(first, next, fenced.positions(), fenced.skippedByTable());
    }
}
