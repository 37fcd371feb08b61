package io.ferry.sink.event;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.Set;

/**
 * Debezium's word on a snapshot as a whole (aggregate type "Initial Snapshot"): STARTED when it begins one, again
 * after a restart in the middle of one; COMPLETED or ABORTED when it ends; SKIPPED when a restarted connector needs
 * none. The per-table notifications of the same snapshot are {@link SnapshotNotification}s.
 *
 * @param source      the source connector's topic prefix: its notification topic is {@code <prefix>.notifications}
 * @param status      STARTED, COMPLETED, ABORTED or SKIPPED
 * @param timestampMs when Debezium sent it (its own clock), or the record's timestamp
 */
public record SourceSnapshotNotification(String source, String status, long timestampMs) {

    static final Set<String> STATUSES = Set.of("STARTED", "COMPLETED", "ABORTED", "SKIPPED");

    /** The notification in a record, or null when the record is not a snapshot's start, end or skip. */
    public static SourceSnapshotNotification from(SinkRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("aggregate_type") == null
                || value.schema().field("type") == null
                || !"Initial Snapshot".equals(value.getString("aggregate_type"))) {
            return null;
        }
        String type = value.getString("type");
        if (!STATUSES.contains(type)) {
            return null;
        }
        return new SourceSnapshotNotification(SnapshotNotification.sourcePrefix(record), type,
                SnapshotNotification.sentAtMs(value, record));
    }
}
