package io.ferry.sink.event;

import io.ferry.sink.Envelopes;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.ferry.sink.event.ChangeEventDecoderTest.KEY;
import static io.ferry.sink.event.ChangeEventDecoderTest.ROW;
import static org.assertj.core.api.Assertions.assertThat;

class BatchDecoderTest {

    private final Struct key = new Struct(KEY).put("id", 1);
    private final Struct row = new Struct(ROW).put("id", 1).put("name", "x");

    private static SinkRecord scanCompleted(String aggregate, String collection, long rows) {
        return ReloadNotificationTest.record(aggregate, "TABLE_SCAN_COMPLETED", Map.of("scanned_collection", collection,
                "data_collection", collection, "total_rows_scanned", String.valueOf(rows), "status", "SUCCEEDED"));
    }

    @Test
    void aBatchIsSortedIntoEventsBadRecordsLoadTotalsAndReloadsWithMarkersLeftOut() {
        BatchDecoder batches = new BatchDecoder(new TableNamer("${table}"), "srv.shop.orders"::equals,
                r -> r.topic().equals("srv.transaction"));
        SinkRecord marker = new SinkRecord("srv.transaction", 0, null, null, ROW, row, 0);
        SinkRecord change = Envelopes.record("srv.shop.orders", 0, key, ROW, "r", null, row, null);
        SinkRecord schemaless = new SinkRecord("srv.shop.orders", 0, null, null, null, Map.of("id", 1), 1);
        SinkRecord loaded = scanCompleted("Initial Snapshot", "shop.orders", 7);
        SinkRecord notMine = scanCompleted("Initial Snapshot", "shop.customers", 3);
        SinkRecord reload = scanCompleted("Incremental Snapshot", "shop.orders", 5);

        DecodedBatch d = batches.decode(List.of(marker, change, schemaless, loaded, notMine, reload));

        assertThat(d.events()).extracting(ChangeEvent::record).containsExactly(change);
        assertThat(d.undecodable()).extracting(Map.Entry::getKey).containsExactly(schemaless);
        assertThat(d.snapshotTotals()).containsOnlyKeys("orders");
        assertThat(d.snapshotTotals().get("orders")[0]).isEqualTo(7);
        assertThat(d.reloadNotices()).extracting(ReloadNotification::table).containsExactly("orders");
        assertThat(d.fullLoadOnly()).as("a bad record or a reload is for the task thread").isFalse();
        assertThat(batches.decode(List.of(change)).fullLoadOnly()).isTrue();
        DecodedBatch started = batches.decode(List.of(change,
                SourceSnapshotNotificationTest.notice("srv.notifications", "Initial Snapshot", "STARTED", 5)));
        assertThat(started.snapshotRuns()).containsExactly(new SourceSnapshotNotification("srv", "STARTED", 5));
        assertThat(started.events()).hasSize(1);
        assertThat(started.fullLoadOnly()).as("the snapshot's start is recorded on the task thread").isFalse();
        assertThat(batches.decode(List.of(Envelopes.record("srv.shop.orders", 0, key, ROW, "c", null, row, null)))
                .fullLoadOnly()).as("a CDC change").isFalse();
    }
}
