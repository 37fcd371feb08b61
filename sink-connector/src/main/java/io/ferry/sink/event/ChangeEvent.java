package io.ferry.sink.event;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One decoded record: what happens ({@link #op}), to which table, with which key and row.
 *
 * @param row        the new row image (after) for snapshot/insert/update; the old image (before, may be null)
 *                   for deletes
 * @param key        the record key as a struct of the primary-key columns; null for keyless tables
 * @param snapshot   Debezium's source.snapshot marker ("first", "true", "last_in_data_collection", ...) or null
 * @param sourceTsMs the source's commit time (source.ts_ms), or null for flat records
 */
public record ChangeEvent(SinkRecord record, Op op, String table, Struct key, Struct row, String snapshot,
                          Long sourceTsMs) {

    /** True when this is the last snapshot row of its table according to Debezium's marker. */
    public boolean endsTableSnapshot() {
        return "last_in_data_collection".equals(snapshot) || "last".equals(snapshot);
    }

    /**
     * A row of an incremental snapshot (a reload, {@code ferry reload}): read while the table streams, interleaved
     * with live changes, so it is written like a change (an idempotent upsert), never by COPY.
     */
    public boolean isIncrementalSnapshot() {
        return op == Op.SNAPSHOT && "incremental".equals(snapshot);
    }
}
