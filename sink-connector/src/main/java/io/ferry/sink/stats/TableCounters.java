package io.ferry.sink.stats;

import io.ferry.sink.event.ChangeEvent;

/** What one flush did to one table; added to the stored and the JMX totals once the flush commits. */
public final class TableCounters {

    public long snapshotRows;
    public long inserts;
    public long updates;
    public long deletes;
    public long badRecords;
    public long nulStripped;
    /** Rows carrying a value in a column column.add.policy=ignore does not write. */
    public long ignoredValues;
    /** Change events Debezium delivered a second time, skipped (RedeliveryFence). */
    public long redelivered;
    /** Rows of an incremental snapshot (a reload) written as upserts. */
    public long reloadRows;
    public boolean snapshotEnded;
    public boolean streaming;
    public String lastTopic;
    public int lastPartition = -1;
    public long lastOffset = -1;
    public Long lastSourceTsMs;
    /** The latest source time of the snapshot rows (tells a restarted snapshot pass from this one's other partitions). */
    public Long snapshotMaxTsMs;
    /** Source commit times of the change events (not snapshot rows): the lag percentiles are taken at commit. */
    long[] changeTsMs = new long[0];
    int changeTsCount;

    public void count(ChangeEvent e) {
        if (e.record().value() == null) {
            return; // a tombstone repeats the delete before it for log compaction; counting it would double deletes
        }
        switch (e.op()) {
            case SNAPSHOT -> {
                if (e.isIncrementalSnapshot()) {
                    reloadRows++;
                    break;
                }
                snapshotRows++;
                if (e.sourceTsMs() != null && (snapshotMaxTsMs == null || e.sourceTsMs() > snapshotMaxTsMs)) {
                    snapshotMaxTsMs = e.sourceTsMs();
                }
            }
            case INSERT -> inserts++;
            case UPDATE -> updates++;
            case DELETE -> deletes++;
        }
        if (e.op().isChange()) {
            streaming = true;
            if (e.sourceTsMs() != null) {
                if (changeTsCount == changeTsMs.length) {
                    changeTsMs = java.util.Arrays.copyOf(changeTsMs, Math.max(16, changeTsCount * 2));
                }
                changeTsMs[changeTsCount++] = e.sourceTsMs();
            }
        }
        if (e.endsTableSnapshot()) {
            snapshotEnded = true;
        }
        lastTopic = e.record().topic();
        lastPartition = e.record().kafkaPartition();
        lastOffset = e.record().kafkaOffset();
        if (e.sourceTsMs() != null) {
            lastSourceTsMs = e.sourceTsMs();
        }
    }

    /** Whether this flush ends the table's full load (its snapshot_completed_at is set with it). */
    public boolean completesSnapshot() {
        return snapshotEnded || (streaming && snapshotRows > 0);
    }

    public String phase() {
        return streaming || snapshotEnded ? "STREAMING" : "LOADING";
    }
}
