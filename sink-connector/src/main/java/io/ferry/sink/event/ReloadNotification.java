package io.ferry.sink.event;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.Map;

/**
 * Debezium's incremental-snapshot notification (a reload): TABLE_SCAN_COMPLETED names the table and the rows read,
 * ABORTED ends it early. The sink records them on the table's reload, where {@code ferry reload} waits for them.
 *
 * @param table            the target table, named by the same rule as the change events; null for ABORTED (all)
 * @param type             TABLE_SCAN_COMPLETED or ABORTED
 * @param totalRowsScanned rows the reload read from the table (TABLE_SCAN_COMPLETED), else -1
 * @param status           Debezium's status of the scan (SUCCEEDED, EMPTY, NO_PRIMARY_KEY, SQL_EXCEPTION, ...)
 */
public record ReloadNotification(String table, String type, long totalRowsScanned, String status) {

    /** The notification in a record, or null when it is not an incremental snapshot's scan end or abort. */
    public static ReloadNotification from(SinkRecord record, TableNamer namer) {
        if (!(record.value() instanceof Struct value) || value.schema().field("aggregate_type") == null
                || value.schema().field("type") == null
                || !"Incremental Snapshot".equals(value.getString("aggregate_type"))) {
            return null;
        }
        String type = value.getString("type");
        Map<?, ?> data = value.schema().field("additional_data") == null ? null : value.getMap("additional_data");
        if ("ABORTED".equals(type)) {
            return new ReloadNotification(null, type, -1, "ABORTED");
        }
        if (!"TABLE_SCAN_COMPLETED".equals(type) || data == null) {
            return null;
        }
        Object collection = data.get("scanned_collection");
        if (collection == null) {
            collection = data.get("data_collection");
        }
        if (collection == null) {
            return null;
        }
        String[] parts = collection.toString().split("\\.");
        String db = parts.length >= 2 ? parts[parts.length - 2] : null;
        String prefix = SnapshotNotification.sourcePrefix(record);
        Object total = data.get("total_rows_scanned");
        long rows;
        try {
            rows = total == null ? -1 : Long.parseLong(total.toString().trim());
        } catch (NumberFormatException e) {
            rows = -1;
        }
        Object status = data.get("status");
        return new ReloadNotification(namer.tableFor(prefix + "." + collection, db, parts[parts.length - 1]), type, rows,
                status == null ? "SUCCEEDED" : status.toString());
    }
}
