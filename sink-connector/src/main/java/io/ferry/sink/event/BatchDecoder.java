package io.ferry.sink.event;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Sorts one put()'s records into change events, records that are none, and Debezium's notifications. It uses only
 * its own state, so it may run on the task thread while a background write of the previous batch is in flight.
 */
public final class BatchDecoder {

    private final ChangeEventDecoder decoder;
    private final TableNamer namer;
    private final Predicate<String> subscribed;
    private final Predicate<SinkRecord> skipped;
    private Schema notificationCheckedFor;
    private boolean notificationSchema;

    /**
     * @param subscribed whether a topic is one this sink consumes: every sink of a source reads its notifications,
     *                   but only the tables this sink writes are its business
     * @param skipped    records that carry no row and are here for their offsets only (transaction BEGIN/END)
     */
    public BatchDecoder(TableNamer namer, Predicate<String> subscribed, Predicate<SinkRecord> skipped) {
        this.decoder = new ChangeEventDecoder(namer);
        this.namer = namer;
        this.subscribed = subscribed;
        this.skipped = skipped;
    }

    public DecodedBatch decode(List<SinkRecord> records) {
        List<ChangeEvent> events = new ArrayList<>(records.size());
        List<Map.Entry<SinkRecord, BadRecordException>> undecodable = new ArrayList<>();
        Map<String, long[]> snapshotTotals = new LinkedHashMap<>();
        List<ReloadNotification> reloadNotices = new ArrayList<>();
        List<SourceSnapshotNotification> snapshotRuns = new ArrayList<>();
        for (SinkRecord record : records) {
            if (skipped.test(record)) {
                continue;
            }
            if (isNotification(record)) {
                ReloadNotification reload = ReloadNotification.from(record, namer);
                if (reload != null) {
                    reloadNotices.add(reload);
                    continue;
                }
                SourceSnapshotNotification run = SourceSnapshotNotification.from(record);
                if (run != null) {
                    snapshotRuns.add(run);
                    continue;
                }
                SnapshotNotification n = SnapshotNotification.from(record, namer);
                if (n != null && subscribed.test(n.topic())) {
                    snapshotTotals.put(n.table(), new long[] {n.totalRowsScanned(), n.timestampMs()});
                }
                continue;
            }
            try {
                events.add(decoder.decode(record));
            } catch (BadRecordException e) {
                undecodable.add(Map.entry(record, e));
            }
        }
        return new DecodedBatch(events, undecodable, snapshotTotals, reloadNotices, snapshotRuns);
    }

    /** Whether the record is Debezium's notification; decided once per value schema, as records come in runs. */
    private boolean isNotification(SinkRecord record) {
        if (!(record.value() instanceof Struct value)) {
            return false;
        }
        if (value.schema() != notificationCheckedFor) {
            notificationCheckedFor = value.schema();
            notificationSchema = SnapshotNotification.isNotification(record);
        }
        return notificationSchema;
    }
}
