package io.ferry.sink.stats;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers one MBean per table a task writes:
 * {@code io.ferry:type=sink-table,connector=<name>,task=<id>,table=<table>}.
 */
public final class SinkMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SinkMetrics.class);

    private final String connector;
    private final String task;
    private final Map<String, TableMetrics> tables = new ConcurrentHashMap<>();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

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
        try {
            ObjectName name = objectName(table);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(m, name);
        } catch (Exception e) {
            log.warn("Could not register JMX metrics for table {}: {}", table, e.toString());
        }
        return m;
    }

    private ObjectName objectName(String table) throws Exception {
        return new ObjectName("io.ferry:type=sink-table,connector=" + ObjectName.quote(connector)
                + ",task=" + task + ",table=" + ObjectName.quote(table));
    }

    @Override
    public void close() {
        for (String table : tables.keySet()) {
            try {
                server.unregisterMBean(objectName(table));
            } catch (Exception ignored) {
                // already gone: nothing to release
            }
        }
        tables.clear();
    }
}
