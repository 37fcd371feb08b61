package io.ferry.sink.events;

import org.apache.kafka.connect.health.ConnectClusterDetails;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.apache.kafka.connect.health.ConnectorState;
import org.apache.kafka.connect.health.ConnectorType;
import org.apache.kafka.connect.health.TaskState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The state-change logic over a stand-in for the worker's cluster state; the real one runs in the fault matrix. */
class ConnectorStateEventsTest {

    static final String ME = "10.0.0.1:8083";
    static final String TRACE = "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSourceTask\n"
            + "\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:243)\n"
            + "Caused by: java.sql.SQLNonTransientConnectionException: Socket fail to connect to localhost:3306\n"
            + "\tat org.mariadb.jdbc.Driver.connect(Driver.java:1)";

    final List<FerryEvent> events = new CopyOnWriteArrayList<>();
    Map<Integer, TaskState> tasks;

    ConnectClusterState cluster() {
        return new ConnectClusterState() {
            @Override public java.util.Collection<String> connectors() { return List.of("src"); }
            @Override public ConnectorHealth connectorHealth(String name) {
                return new ConnectorHealth(name, new ConnectorState("RUNNING", ME, null), tasks, ConnectorType.SOURCE);
            }
            @Override public Map<String, String> connectorConfig(String name) { return Map.of(); }
            @Override public ConnectClusterDetails clusterDetails() { return () -> "cluster"; }
        };
    }

    @Test
    void aFailedTaskIsReportedWithItsRootCauseAndRunningAgainAfterItsRestart() throws Exception {
        EventChannel recording = new EventChannel() {
            @Override public String name() { return "recording"; }
            @Override public void deliver(FerryEvent e) { events.add(e); }
        };
        ConnectorStateEvents watcher = new ConnectorStateEvents(new EventPublisher(List.of(recording), 1), ME);
        ConnectClusterState cluster = cluster();
        tasks = Map.of(0, new TaskState(0, "RUNNING", ME, null), 1, new TaskState(1, "RUNNING", "10.0.0.2:8083", null));
        watcher.poll(cluster);
        tasks = Map.of(0, new TaskState(0, "FAILED", ME, TRACE), 1, new TaskState(1, "FAILED", "10.0.0.2:8083", TRACE));
        watcher.poll(cluster);
        watcher.poll(cluster);
        tasks = Map.of(0, new TaskState(0, "RESTARTING", ME, null), 1, new TaskState(1, "FAILED", "10.0.0.2:8083", TRACE));
        watcher.poll(cluster);
        tasks = Map.of(0, new TaskState(0, "RUNNING", ME, null), 1, new TaskState(1, "FAILED", "10.0.0.2:8083", TRACE));
        watcher.poll(cluster);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < 2 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        watcher.close();
        // task 1 runs on another worker: that worker reports it
        assertThat(events).extracting(FerryEvent::type).containsExactly("TASK_FAILED", "TASK_RUNNING");
        assertThat(events.get(0).summary()).isEqualTo("task src-0 FAILED: java.sql.SQLNonTransientConnectionException: "
                + "Socket fail to connect to localhost:3306");
        assertThat((String) events.get(0).details().get("trace")).contains("Exiting WorkerSourceTask", "Caused by:");
        assertThat(events.get(1).summary()).contains("RUNNING again (was FAILED)");
    }

    @Test
    void theWorkerIdIsConnectsAdvertisedHostAndPort() {
        assertThat(ConnectorStateEvents.workerId(Map.of("listeners", "http://127.0.0.1:8083"))).isEqualTo("127.0.0.1:8083");
        assertThat(ConnectorStateEvents.workerId(Map.of("listeners", "http://0.0.0.0:8083",
                "rest.advertised.host.name", "connect-1"))).isEqualTo("connect-1:8083");
        assertThat(ConnectorStateEvents.workerId(Map.of())).isNull();
    }
}
