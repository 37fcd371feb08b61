package io.ferry.sink.stats;

import java.util.concurrent.atomic.AtomicLong;

final class TableMetrics implements TableMetricsMBean {
    final AtomicLong snapshotRows = new AtomicLong();
    final AtomicLong reloadRows = new AtomicLong();
    final AtomicLong inserts = new AtomicLong();
    final AtomicLong updates = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicLong badRecords = new AtomicLong();
    final AtomicLong nulStripped = new AtomicLong();
    final AtomicLong lastOffset = new AtomicLong(-1);
    final AtomicLong lastSourceTsMs = new AtomicLong(-1);
    volatile String phase = "LOADING";
    private final LagWindow lag = new LagWindow();
    /** For LAG_HIGH: since when the p99 is above the threshold (0: it is not), and whether that was reported. */
    long lagHighSince;
    boolean lagReported;

    void add(TableCounters c) {
        snapshotRows.addAndGet(c.snapshotRows);
        reloadRows.addAndGet(c.reloadRows);
        inserts.addAndGet(c.inserts);
        updates.addAndGet(c.updates);
        deletes.addAndGet(c.deletes);
        badRecords.addAndGet(c.badRecords);
        nulStripped.addAndGet(c.nulStripped);
        if (c.lastOffset >= 0) {
            lastOffset.set(c.lastOffset);
        }
        if (c.lastSourceTsMs != null) {
            lastSourceTsMs.set(c.lastSourceTsMs);
        }
        if (c.changeTsCount > 0) {
            lag.record(c.changeTsMs, c.changeTsCount, System.currentTimeMillis());
        }
        if ("STREAMING".equals(c.phase())) {
            phase = "STREAMING";
        }
    }

    @Override public long getSnapshotRows() { return snapshotRows.get(); }
    @Override public long getReloadRows() { return reloadRows.get(); }
    @Override public long getInserts() { return inserts.get(); }
    @Override public long getUpdates() { return updates.get(); }
    @Override public long getDeletes() { return deletes.get(); }
    @Override public long getBadRecords() { return badRecords.get(); }
    @Override public long getNulStripped() { return nulStripped.get(); }
    @Override public String getPhase() { return phase; }
    @Override public long getLastOffset() { return lastOffset.get(); }
    @Override public long getLastSourceTimestampMs() { return lastSourceTsMs.get(); }
    @Override public long getMillisBehindSource() {
        long ts = lastSourceTsMs.get();
        return ts < 0 ? -1 : Math.max(0, System.currentTimeMillis() - ts);
    }
    @Override public long getLagP50Ms() { return lag.percentile(50, System.currentTimeMillis()); }
    @Override public long getLagP95Ms() { return lag.percentile(95, System.currentTimeMillis()); }
    @Override public long getLagP99Ms() { return lag.percentile(99, System.currentTimeMillis()); }
    @Override public long getLagMaxMs() { return lag.percentile(100, System.currentTimeMillis()); }
    @Override public long getLagSamples() { return lag.count(System.currentTimeMillis()); }
}
