package io.ferry.sink.stats;

/** Per-table JMX view of a sink task, since the task started. */
public interface TableMetricsMBean {
    long getSnapshotRows();
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
}
