package io.ferry.sink.event;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SourceSnapshotNotificationTest {

    static SinkRecord notice(String topic, String aggregate, String type, long ts) {
        Struct v = new Struct(ReloadNotificationTest.SCHEMA).put("id", "n").put("aggregate_type", aggregate)
                .put("type", type).put("timestamp", ts).put("additional_data", Map.of("connector_name", "srv"));
        return new SinkRecord(topic, 0, null, null, ReloadNotificationTest.SCHEMA, v, 0);
    }

    @Test
    void aSnapshotsStartEndAndSkipNameTheSourceByItsTopicPrefix() {
        assertThat(SourceSnapshotNotification.from(notice("ferry.notifications", "Initial Snapshot", "STARTED", 1000)))
                .isEqualTo(new SourceSnapshotNotification("ferry", "STARTED", 1000));
        assertThat(SourceSnapshotNotification.from(notice("a.b.notifications", "Initial Snapshot", "COMPLETED", 2000)))
                .isEqualTo(new SourceSnapshotNotification("a.b", "COMPLETED", 2000));
        assertThat(SourceSnapshotNotification.from(notice("x.notifications", "Initial Snapshot", "ABORTED", 3)).status())
                .isEqualTo("ABORTED");
        assertThat(SourceSnapshotNotification.from(notice("x.notifications", "Initial Snapshot", "SKIPPED", 4)).status())
                .isEqualTo("SKIPPED");
    }

    @Test
    void perTableProgressReloadsAndOtherRecordsAreNotASnapshotsStartOrEnd() {
        assertThat(SourceSnapshotNotification.from(notice("x.notifications", "Initial Snapshot", "IN_PROGRESS", 1))).isNull();
        assertThat(SourceSnapshotNotification.from(notice("x.notifications", "Initial Snapshot", "TABLE_SCAN_COMPLETED", 1)))
                .as("a table's end is SnapshotNotification's").isNull();
        assertThat(SourceSnapshotNotification.from(notice("x.notifications", "Incremental Snapshot", "STARTED", 1)))
                .as("a reload is not the snapshot").isNull();
        assertThat(SourceSnapshotNotification.from(new SinkRecord("x.notifications", 0, null, null, null, null, 0)))
                .as("a tombstone").isNull();
        assertThat(SourceSnapshotNotification.from(new SinkRecord("x.notifications", 0, null, null, null,
                Map.of("aggregate_type", "Initial Snapshot", "type", "STARTED"), 0))).as("schemaless").isNull();
    }
}
