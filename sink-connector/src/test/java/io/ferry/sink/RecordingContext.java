package io.ferry.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Stands in for the Connect worker around a task in unit tests: records seeks and reported records. */
final class RecordingContext implements SinkTaskContext {

    final Map<TopicPartition, Long> seeks = new HashMap<>();
    final List<SinkRecord> reported = new ArrayList<>();
    final java.util.Set<TopicPartition> paused = new java.util.HashSet<>();
    final List<Throwable> reportedErrors = new ArrayList<>();
    private final boolean withReporter;

    RecordingContext(boolean withReporter) {
        this.withReporter = withReporter;
    }

    @Override public Map<String, String> configs() { return Map.of(); }
    @Override public void offset(Map<TopicPartition, Long> offsets) { seeks.putAll(offsets); }
    @Override public void offset(TopicPartition tp, long offset) { seeks.put(tp, offset); }
    /** The last poll timeout the task asked for (-1: none). */
    long timeout = -1;

    @Override public void timeout(long timeoutMs) { timeout = timeoutMs; }
    @Override public Set<TopicPartition> assignment() { return Set.of(); }
    @Override public void pause(TopicPartition... partitions) { paused.addAll(List.of(partitions)); }
    @Override public void resume(TopicPartition... partitions) { List.of(partitions).forEach(paused::remove); }
    @Override public void requestCommit() { }
    @Override public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() { return null; }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        if (!withReporter) {
            return null;
        }
        return (record, error) -> {
            reported.add(record);
            reportedErrors.add(error);
            return CompletableFuture.completedFuture(null);
        };
    }
}
