package io.ferry.sink.events;

import io.ferry.sink.events.FerryEvent.Severity;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Debezium MySQL/MariaDB task does not fail when the database goes away: its binlog client keeps reconnecting
 * while the task stays RUNNING (which is why a source restart needs no operator). So the connection itself is
 * watched: Debezium's streaming metrics in this worker's JVM ({@code Connected}) are read at each poll, and a loss
 * that lasts is reported as SOURCE_DISCONNECTED, its end as SOURCE_CONNECTED. Each worker sees only the tasks it
 * runs, so each loss is reported once.
 */
final class SourceConnections {

    private static final Logger log = LoggerFactory.getLogger(SourceConnections.class);

    static final String SOURCE_DISCONNECTED = "SOURCE_DISCONNECTED";
    static final String SOURCE_CONNECTED = "SOURCE_CONNECTED";

    private final EventPublisher publisher;
    private final long graceMs;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    /** server (topic.prefix) -> since when it is disconnected, and whether that was reported. */
    private final Map<String, long[]> down = new HashMap<>();
    /**
     * Servers seen connected since their task started: before that, {@code Connected} is false because streaming
     * has not begun (a snapshot of any length), not because the database went away.
     */
    private final java.util.Set<String> streamed = new java.util.HashSet<>();

    SourceConnections(EventPublisher publisher, long graceMs) {
        this.publisher = publisher;
        this.graceMs = graceMs;
    }

    void poll(ConnectClusterState cluster, long now) {
        Map<String, Boolean> connected = new HashMap<>();
        try {
            for (ObjectName n : server.queryNames(new ObjectName("debezium.*:type=connector-metrics,context=streaming,*"), null)) {
                Object c = server.getAttribute(n, "Connected");
                if (c instanceof Boolean b && n.getKeyProperty("server") != null) {
                    connected.merge(n.getKeyProperty("server"), b, Boolean::logicalAnd);
                }
            }
        } catch (Exception e) {
            log.debug("Debezium's streaming metrics are not readable now: {}", e.toString());
            return;
        }
        down.keySet().retainAll(connected.keySet());
        streamed.retainAll(connected.keySet());
        connected.forEach((prefix, up) -> {
            if (up) {
                streamed.add(prefix);
            } else if (!streamed.contains(prefix)) {
                return;
            }
            long[] since = down.get(prefix);
            if (!up && since == null) {
                down.put(prefix, new long[] {now, 0});
            } else if (!up && since[1] == 0 && now - since[0] >= graceMs) {
                since[1] = 1;
                emit(cluster, prefix, SOURCE_DISCONNECTED, Severity.ERROR, now - since[0]);
            } else if (up && since != null) {
                down.remove(prefix);
                if (since[1] == 1) {
                    emit(cluster, prefix, SOURCE_CONNECTED, Severity.INFO, now - since[0]);
                }
            }
        });
    }

    private void emit(ConnectClusterState cluster, String prefix, String type, Severity severity, long forMs) {
        String connector = connectorOf(cluster, prefix);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("topic_prefix", prefix);
        details.put(type.equals(SOURCE_DISCONNECTED) ? "disconnected_for_ms" : "was_disconnected_ms", forMs);
        String summary = type.equals(SOURCE_DISCONNECTED)
                ? "source connector " + connector + " has lost its connection to the database for " + forMs / 1000
                + " s; Debezium keeps reconnecting (the task stays RUNNING), the target does not advance meanwhile"
                : "source connector " + connector + " is connected to the database again after " + forMs / 1000 + " s";
        publisher.emit(FerryEvent.of(type, severity, connector, null, null, summary, details));
    }

    private static String connectorOf(ConnectClusterState cluster, String prefix) {
        try {
            for (String name : cluster.connectors()) {
                if (prefix.equals(cluster.connectorConfig(name).get("topic.prefix"))) {
                    return name;
                }
            }
        } catch (RuntimeException e) {
            // the cluster's state is not readable now: the prefix names it well enough
        }
        return prefix;
    }
}
