package io.ferry.sink.event;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReloadNotificationTest {

    static final Schema SCHEMA = SchemaBuilder.struct().name("io.debezium.connector.common.Notification")
            .field("id", Schema.STRING_SCHEMA).field("aggregate_type", Schema.STRING_SCHEMA)
            .field("type", Schema.STRING_SCHEMA)
            .field("additional_data", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).optional().build())
            .field("timestamp", Schema.INT64_SCHEMA).build();

    private final TableNamer namer = new TableNamer("${table}");

    static SinkRecord record(String aggregate, String type, Map<String, String> data) {
        Struct v = new Struct(SCHEMA).put("id", "n").put("aggregate_type", aggregate).put("type", type)
                .put("timestamp", 0L).put("additional_data", data);
        return new SinkRecord("srv.notifications", 0, null, null, SCHEMA, v, 0);
    }

    @Test
    void anIncrementalScanEndNamesTheTableAndItsRowsAndIsNotAnInitialLoadEnd() {
        SinkRecord r = record("Incremental Snapshot", "TABLE_SCAN_COMPLETED", Map.of("data_collection", "shop.orders",
                "total_rows_scanned", "1234", "status", "SUCCEEDED"));
        assertThat(ReloadNotification.from(r, namer)).isEqualTo(new ReloadNotification("orders", "TABLE_SCAN_COMPLETED", 1234,
                "SUCCEEDED"));
        assertThat(SnapshotNotification.from(r, namer)).as("must not mark the table loaded again").isNull();
    }

    @Test
    void anAbortEndsEveryReloadAndTheInitialSnapshotsNotificationsAreNotReloads() {
        assertThat(ReloadNotification.from(record("Incremental Snapshot", "ABORTED", Map.of()), namer).type())
                .isEqualTo("ABORTED");
        assertThat(ReloadNotification.from(record("Incremental Snapshot", "IN_PROGRESS", Map.of()), namer)).isNull();
        SinkRecord initial = record("Initial Snapshot", "TABLE_SCAN_COMPLETED", Map.of("scanned_collection", "shop.orders",
                "total_rows_scanned", "5", "status", "SUCCEEDED"));
        assertThat(ReloadNotification.from(initial, namer)).isNull();
        assertThat(SnapshotNotification.from(initial, namer).totalRowsScanned()).isEqualTo(5);
    }
}
