package io.ferry.sink.event;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.Map;

/**
 * Debezium's snapshot notification (notification.enabled.channels=sink). TABLE_SCAN_COMPLETED names a table and how
 * many rows its snapshot read; it is sent before the table's last row reaches its topic, so a table counts as
 * loaded once the rows written reach that number.
 *
 * @param table             the target table, named by the same rule as the change events
 * @param totalRowsScanned  rows the snapshot read from the table
 * @param topic             the table's change topic, assuming the notification topic sits beside it
 *                          ({@code <prefix>.notifications})
 * @param timestampMs       when Debezium sent it (its own clock), or the record's timestamp
 */
public record SnapshotNotification(String table, long totalRowsScanned, String topic, long timestampMs) {

    /** The notification in a record, or null when the record is not a TABLE_SCAN_COMPLETED notification. */
    public static SnapshotNotification from(SinkRecord record, TableNamer namer) {
        if (!(record.value() instanceof Struct value) || value.schema().field("aggregate_type") == null
                || value.schema().field("additional_data") == null || value.schema().field("type") == null) {
            return null;
        }
        if (!"TABLE_SCAN_COMPLETED".equals(value.getString("type"))) {
            return null;
        }
        // an incremental snapshot (a reload) reports the same type: it must not count as the initial load
        if ("Incremental Snapshot".equals(value.getString("aggregate_type"))) {
            return null;
        }
        Map<?, ?> data = value.getMap("additional_data");
        // Debezium 3.5 names it scanned_collection; older releases and the docs say data_collection
        Object collection = data == null ? null : data.get("scanned_collection");
        if (collection == null && data != null) {
            collection = data.get("data_collection");
        }
        Object total = data == null ? null : data.get("total_rows_scanned");
        if (collection == null || total == null) {
            return null;
        }
        String[] parts = collection.toString().split("\\.");
        String table = parts[parts.length - 1];
        String db = parts.length >= 2 ? parts[parts.length - 2] : null;
        try {
            // the change topic of that table, assuming the notification topic sits beside it (<prefix>.notifications)
            String prefix = sourcePrefix(record);
            return new SnapshotNotification(namer.tableFor(prefix + "." + collection, db, table),
                    Long.parseLong(total.toString().trim()), prefix + "." + collection, sentAtMs(value, record));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The source connector's topic prefix: its notification topic is {@code <prefix>.notifications}. */
    static String sourcePrefix(SinkRecord record) {
        String topic = record.topic();
        return topic.contains(".") ? topic.substring(0, topic.lastIndexOf('.')) : topic;
    }

    /** When Debezium sent the notification (its own clock), or the record's timestamp, or now. */
    static long sentAtMs(Struct value, SinkRecord record) {
        Object ts = value.schema().field("timestamp") == null ? null : value.get("timestamp");
        return ts instanceof Number n ? n.longValue()
                : record.timestamp() == null ? System.currentTimeMillis() : record.timestamp();
    }

    /** Any Debezium notification, whatever its type: consumed, never written as a row. */
    public static boolean isNotification(SinkRecord record) {
        return record.value() instanceof Struct value && value.schema().field("aggregate_type") != null
                && value.schema().field("additional_data") != null;
    }
}
