package io.ferry.sink.stats;

/** Per-table JMX view of a sink task, since the task started. */
public interface TableMetricsMBean {
    long getSnapshotRows();
    /** Rows of reloads (incremental snapshots, ferry reload) written. */
    long getReloadRows();
    long getInserts();
    long getUpdates();
    long getDeletes();
    long getBadRecords();
    long getNulStripped();
    String getPhase();
    long getLastOffset();
    long getLastSourceTimestampMs();
    /** Wall-clock time between the last applied event's source commit and now, in ms; -1 when unknown. */
    long getMillisBehindSource();
    /** Lag (source commit to target commit) of the change events applied in the last minute; 0 when none were. */
    long getLagP50Ms();
    long getLagP95Ms();
    long getLagP99Ms();
    long getLagMaxMs();
    /** Change events applied in the last minute (sampled above 2,048 per commit). */
    long getLagSamples();
}
