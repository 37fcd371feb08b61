package io.ferry.sink.events;

import io.ferry.sink.events.FerryEvent.Severity;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.apache.kafka.connect.health.TaskState;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Connector and task state changes of every connector on the cluster (sources too: a Debezium task failing because
 * MySQL went away), seen from inside the worker as they happen: a Connect REST extension, enabled with
 * {@code rest.extension.classes=io.ferry.sink.events.ConnectorStateEvents} on each worker. Each worker reports the
 * connectors and tasks it runs itself, so a cluster sends each change once. Settings are worker properties
 * ({@code ferry.events.webhook.url}, {@code ferry.events.webhook.format}, {@code ferry.events.topic},
 * {@code ferry.events.bootstrap.servers} defaulting to the worker's own, {@code ferry.events.poll.ms}).
 */
public final class ConnectorStateEvents implements ConnectRestExtension {

    private static final Logger log = LoggerFactory.getLogger(ConnectorStateEvents.class);

    public static final String CONNECTOR_FAILED = "CONNECTOR_FAILED";
    public static final String TASK_FAILED = "TASK_FAILED";
    public static final String TASK_RUNNING = "TASK_RUNNING";
    public static final String CONNECTOR_RUNNING = "CONNECTOR_RUNNING";
    public static final String CONNECTOR_PAUSED = "CONNECTOR_PAUSED";

    private EventPublisher publisher;
    private long pollMs = 500;
    private String workerId;
    private volatile boolean closed;
    private Thread watcher;
    /** Last state seen per connector ("name") and task ("name/3"); absent: never seen. */
    private final Map<String, String> last = new HashMap<>();
    private SourceConnections sources;

    /** Connect creates it through the no-argument constructor, then calls {@link #configure}. */
    public ConnectorStateEvents() {}

    ConnectorStateEvents(EventPublisher publisher, String workerId) {
        this.publisher = publisher;
        this.workerId = workerId;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        List<EventChannel> channels = new ArrayList<>();
        String url = string(configs, "ferry.events.webhook.url");
        if (!url.isEmpty()) {
            channels.add(new WebhookChannel(URI.create(url), "slack".equalsIgnoreCase(string(configs,
                    "ferry.events.webhook.format")) ? WebhookChannel.Format.SLACK : WebhookChannel.Format.JSON));
        }
        String topic = string(configs, "ferry.events.topic");
        if (!topic.isEmpty()) {
            String bootstrap = string(configs, "ferry.events.bootstrap.servers");
            Map<String, Object> producer = new HashMap<>();
            producer.put("bootstrap.servers", bootstrap.isEmpty() ? string(configs, "bootstrap.servers") : bootstrap);
            configs.forEach((k, v) -> {
                if (k.startsWith("ferry.events.producer.")) {
                    producer.put(k.substring("ferry.events.producer.".length()), v);
                }
            });
            channels.add(new TopicChannel(topic, producer));
        }
        String poll = string(configs, "ferry.events.poll.ms");
        if (!poll.isEmpty()) {
            pollMs = Long.parseLong(poll);
        }
        workerId = workerId(configs);
        publisher = new EventPublisher(channels, 1000);
        String grace = string(configs, "ferry.events.source.disconnected.ms");
        sources = new SourceConnections(publisher, grace.isEmpty() ? 5000 : Long.parseLong(grace));
        log.info("Ferry connector state events on: {} channel(s), this worker is {}", channels.size(),
                workerId == null ? "(unknown: every worker reports every change)" : workerId);
    }

    @Override
    public void register(ConnectRestExtensionContext context) {
        ConnectClusterState cluster = context.clusterState();
        watcher = new Thread(() -> {
            while (!closed) {
                try {
                    poll(cluster);
                    if (sources != null) {
                        sources.poll(cluster, System.currentTimeMillis());
                    }
                } catch (RuntimeException e) {
                    log.debug("Ferry connector state events: the cluster's state is not readable now: {}", e.toString());
                }
                try {
                    Thread.sleep(pollMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ferry-connector-state-events");
        watcher.setDaemon(true);
        watcher.start();
    }

    void poll(ConnectClusterState cluster) {
        Set<String> present = new HashSet<>();
        for (String name : cluster.connectors()) {
            ConnectorHealth h = cluster.connectorHealth(name);
            present.add(name);
            if (mine(h.connectorState().workerId())) {
                changed(name, null, h.connectorState().state(), h.connectorState().traceMessage());
            }
            for (Map.Entry<Integer, TaskState> t : h.tasksState().entrySet()) {
                String key = name + "/" + t.getKey();
                present.add(key);
                if (mine(t.getValue().workerId())) {
                    changed(name, t.getKey(), t.getValue().state(), t.getValue().traceMessage());
                } else {
                    last.remove(key); // moved to another worker: it reports from there
                }
            }
        }
        last.keySet().retainAll(present);
    }

    private void changed(String connector, Integer task, String state, String trace) {
        String key = task == null ? connector : connector + "/" + task;
        if (state.equals("RESTARTING") || state.equals("UNASSIGNED")) {
            last.putIfAbsent(key, state); // on the way between states: FAILED -> RESTARTING -> RUNNING is "again"
            return;
        }
        String before = last.put(key, state);
        if (state.equals(before)) {
            return;
        }
        String what = task == null ? "connector " + connector : "task " + connector + "-" + task;
        Map<String, Object> details = new HashMap<>();
        details.put("state", state);
        details.put("previous_state", before);
        details.put("worker", workerId);
        switch (state) {
            case "FAILED" -> {
                details.put("trace", cause(trace, 12));
                publisher.emit(FerryEvent.of(task == null ? CONNECTOR_FAILED : TASK_FAILED, Severity.ERROR, connector,
                        task, null, what + " FAILED: " + rootCause(trace), details));
            }
            case "RUNNING" -> {
                // the first RUNNING of a new task is routine; RUNNING after FAILED or PAUSED is news
                if ("FAILED".equals(before) || "PAUSED".equals(before)) {
                    publisher.emit(FerryEvent.of(task == null ? CONNECTOR_RUNNING : TASK_RUNNING, Severity.INFO,
                            connector, task, null, what + " RUNNING again (was " + before + ")", details));
                }
            }
            case "PAUSED" -> {
                if (task == null) {
                    publisher.emit(FerryEvent.of(CONNECTOR_PAUSED, Severity.WARNING, connector, null, null,
                            what + " PAUSED", details));
                }
            }
            default -> { }
        }
    }

    private boolean mine(String runningOn) {
        return workerId == null || runningOn == null || workerId.equals(runningOn);
    }

    /** Connect's worker id: the advertised REST host and port. */
    static String workerId(Map<String, ?> configs) {
        String host = string(configs, "rest.advertised.host.name");
        String port = string(configs, "rest.advertised.port");
        String listeners = string(configs, "listeners");
        if (!listeners.isEmpty()) {
            URI first = URI.create(listeners.split(",")[0].trim());
            if (host.isEmpty() && first.getHost() != null && !first.getHost().equals("0.0.0.0")) {
                host = first.getHost();
            }
            if (port.isEmpty() && first.getPort() > 0) {
                port = Integer.toString(first.getPort());
            }
        }
        return host.isEmpty() || port.isEmpty() ? null : host + ":" + port;
    }

    /** The trace's first lines and every "Caused by:" line: Connect's own wrapper often says nothing by itself. */
    static String cause(String trace, int n) {
        if (trace == null) {
            return "";
        }
        String[] lines = trace.split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i < n || lines[i].startsWith("Caused by:")) {
                b.append(b.length() == 0 ? "" : "\n").append(lines[i]);
            }
        }
        return b.toString().trim();
    }

    /** The innermost cause's line: what an operator reads first. */
    static String rootCause(String trace) {
        if (trace == null || trace.isBlank()) {
            return "(no trace)";
        }
        String root = trace.split("\n")[0];
        for (String line : trace.split("\n")) {
            if (line.startsWith("Caused by:")) {
                root = line.substring("Caused by:".length()).trim();
            }
        }
        return root;
    }

    private static String string(Map<String, ?> configs, String key) {
        Object v = configs.get(key);
        return v == null ? "" : v.toString().trim();
    }

    @Override
    public String version() {
        return ConnectorStateEvents.class.getPackage().getImplementationVersion() == null ? "dev"
                : ConnectorStateEvents.class.getPackage().getImplementationVersion();
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
