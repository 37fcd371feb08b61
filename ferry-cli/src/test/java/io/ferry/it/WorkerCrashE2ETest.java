package io.ferry.it;

import io.ferry.cli.ConnectorFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Connect workers, one of them a separate process that is killed with SIGKILL while it runs a sink task in the
 * middle of the full load. The surviving worker takes the task over; the target must end equal to the source,
 * with no row lost and none doubled.
 */
@Tag("e2e")
class WorkerCrashE2ETest {

    PipelineHarness pipeline;
    Process external;

    @AfterEach
    void cleanUp() {
        if (external != null) {
            external.destroyForcibly();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void workerKilledDuringTheFullLoadLosesAndDoublesNothing() throws Exception {
        pipeline = new PipelineHarness("crash", 1);
        int restPort = freePort();
        external = startExternalWorker(restPort);
        awaitRest(URI.create("http://127.0.0.1:" + restPort + "/connectors"));

        // small polls so the load lasts long enough to be interrupted
        ConnectorFile sink = pipeline.sinkConnector().with(Map.of("tasks.max", "2",
                "consumer.override.max.poll.records", "100"));
        ConnectorFile source = pipeline.sourceConnector();
        pipeline.deploy(source);
        pipeline.deploy(sink);

        String externalWorker = "127.0.0.1:" + restPort;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long writtenAtKill = -1;
        List<String> killedTasks = List.of();
        while (System.nanoTime() < deadline && writtenAtKill < 0) {
            List<String> onExternal = new ArrayList<>();
            for (ConnectorFile c : List.of(source, sink)) {
                try {
                    pipeline.connect.connectorStatus(c.name()).tasks().stream()
                            .filter(t -> "RUNNING".equals(t.state()) && t.workerId().contains(externalWorker))
                            .forEach(t -> onExternal.add(c.name() + "/" + t.id()));
                } catch (org.apache.kafka.connect.runtime.rest.errors.ConnectRestException e) {
                    // just deployed: no status yet
                }
            }
            long written = snapshotRowsWritten();
            if (!onExternal.isEmpty() && written >= 500) {
                writtenAtKill = written;
                killedTasks = onExternal;
            }
            Thread.sleep(50);
        }
        assertThat(writtenAtKill).as("the external worker ran a task while the full load was under way").isPositive();
        external.destroyForcibly().waitFor();
        System.out.printf("SIGKILLed worker %s running %s after %d snapshot rows were written%n", externalWorker,
                killedTasks, writtenAtKill);
        assertThat(writtenAtKill).as("killed before the full load ended").isLessThan(46_000);

        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(4));
    }

    private long snapshotRowsWritten() {
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(sum(snapshot_rows), 0) FROM ferry.table_stats")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return 0;
        }
    }

    private Process startExternalWorker(int restPort) throws IOException {
        Properties p = new Properties();
        PipelineHarness.workerProps().forEach(p::setProperty);
        p.setProperty("bootstrap.servers", pipeline.connect.kafka().bootstrapServers());
        p.setProperty("listeners", "http://127.0.0.1:" + restPort);
        PipelineHarness.sharedGroupProps(pipeline.name).forEach(p::setProperty);
        Path dir = Files.createTempDirectory("ferry-worker");
        Path props = dir.resolve("worker.properties");
        try (var out = Files.newOutputStream(props)) {
            p.store(out, "external worker for " + pipeline.name);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        File log = new File("target/external-worker-" + pipeline.name + ".log");
        return new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "io.ferry.embedded.ConnectWorkerMain", props.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
    }

    private static void awaitRest(URI uri) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("external worker did not start: " + uri);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
