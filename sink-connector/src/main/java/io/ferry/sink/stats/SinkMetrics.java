package io.ferry.sink.stats;

import javax.management.ObjectName;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers one MBean per table a task writes:
 * {@code io.ferry:type=sink-table,connector=<name>,task=<id>,table=<table>}.
 */
public final class SinkMetrics implements AutoCloseable {

    private final String connector;
    private final String task;
    private final Map<String, TableMetrics> tables = new ConcurrentHashMap<>();
    private final Set<ObjectName> names = ConcurrentHashMap.newKeySet();

    public SinkMetrics(String connector, String task) {
        this.connector = connector;
        this.task = task;
    }

    private long lastLagCheck;

    /**
     * LAG_HIGH once a table's p99 lag of the last minute has stayed above the threshold for the duration, LAG_OK
     * when it is below again (checked at most every 5 s; per task, for the partitions it writes).
     */
    public void checkLag(io.ferry.sink.events.SinkEvents events, long thresholdMs, long durationMs) {
        long now = System.currentTimeMillis();
        if (thresholdMs <= 0 || now - lastLagCheck < 5_000) {
            return;
        }
        lastLagCheck = now;
        tables.forEach((table, m) -> {
            long p99 = m.getLagP99Ms();
            if (p99 > thresholdMs) {
                if (m.lagHighSince == 0) {
                    m.lagHighSince = now;
                }
                if (!m.lagReported && now - m.lagHighSince >= durationMs) {
                    m.lagReported = true;
                    events.lag(table, p99, true);
                }
            } else {
                m.lagHighSince = 0;
                if (m.lagReported) {
                    m.lagReported = false;
                    events.lag(table, p99, false);
                }
            }
        });
    }

    public void add(Map<String, TableCounters> committed) {
        committed.forEach((table, c) -> tables.computeIfAbsent(table, this::register).add(c));
    }

    private TableMetrics register(String table) {
        TableMetrics m = new TableMetrics();
        ObjectName name = Jmx.register(m, objectName(table), "the metrics of table " + table);
        if (name != null) {
            names.add(name);
        }
        return m;
    }

    private String objectName(String table) {
        return "io.ferry:type=sink-table,connector=" + ObjectName.quote(connector) + ",task=" + task + ",table="
                + ObjectName.quote(table);
    }

    @Override
    public void close() {
        names.forEach(Jmx::unregister);
        names.clear();
        tables.clear();
    }
}
