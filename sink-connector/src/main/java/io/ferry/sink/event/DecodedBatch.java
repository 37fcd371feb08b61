package io.ferry.sink.event;

import org.apache.kafka.connect.sink.SinkRecord;

import java.util.List;
import java.util.Map;

/**
 * One put()'s records decoded, before anything of them touches PostgreSQL.
 *
 * @param events         the change events, in record order
 * @param undecodable    records that are not change events this sink can write, with the reason
 * @param snapshotTotals per table, Debezium's count of rows its snapshot scanned and when ({rows, epoch ms})
 * @param reloadNotices  Debezium's notifications about reloads (incremental snapshots) of tables
 * @param snapshotRuns   Debezium's notifications that a snapshot as a whole started, ended or was skipped
 */
public record DecodedBatch(List<ChangeEvent> events, List<Map.Entry<SinkRecord, BadRecordException>> undecodable,
                           Map<String, long[]> snapshotTotals, List<ReloadNotification> reloadNotices,
                           List<SourceSnapshotNotification> snapshotRuns) {

    /** Only rows of the full load (COPY): nothing a background thread could not finish alone. */
    public boolean fullLoadOnly() {
        if (events.isEmpty() || !undecodable.isEmpty() || !reloadNotices.isEmpty() || !snapshotRuns.isEmpty()) {
            return false;
        }
        for (ChangeEvent e : events) {
            if (e.op() != Op.SNAPSHOT || e.isIncrementalSnapshot()) {
                return false;
            }
        }
        return true;
    }
}
