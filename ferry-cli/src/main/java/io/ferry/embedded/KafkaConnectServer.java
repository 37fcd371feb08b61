package io.ferry.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One KRaft broker (combined broker + controller) and one Connect worker in distributed mode, in this JVM, without
 * Kafka's test jars. The worker's plugin.path is the directory the build lays out, as on a production worker.
 * State lives under one directory, so a restart on the same directory keeps topics, offsets and connectors.
 */
public final class KafkaConnectServer implements AutoCloseable {

    private final KafkaRaftServer broker;
    private final Connect<?> connect;
    private final String bootstrap;
    private final URI restUrl;
    private boolean closed;

    private final java.util.List<Connect<?>> extraWorkers = new java.util.ArrayList<>();

    private KafkaConnectServer(KafkaRaftServer broker, Connect<?> connect, String bootstrap, URI restUrl) {
        this.broker = broker;
        this.connect = connect;
        this.bootstrap = bootstrap;
        this.restUrl = restUrl;
    }

    public static KafkaConnectServer start(Path stateDir, Path pluginPath) throws Exception {
        Files.createDirectories(stateDir);
        Ports ports = Ports.load(stateDir.resolve("ports.properties"));
        String bootstrap = "127.0.0.1:" + ports.broker;
        KafkaRaftServer broker = startBroker(stateDir.resolve("kafka"), ports, bootstrap);
        Map<String, String> worker = workerProps(bootstrap, ports.rest, pluginPath, stateDir);
        // startConnect exits the JVM when the worker cannot start; keep the JVM and report instead
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Connect worker failed to start (exit " + code + "): " + message);
        });
        Connect<?> connect = startWorker(worker);
        URI rest = URI.create("http://127.0.0.1:" + ports.rest);
        KafkaConnectServer server = new KafkaConnectServer(broker, connect, bootstrap, rest);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "ferry-embedded-shutdown"));
        awaitRest(rest);
        return server;
    }

    static Connect<?> startWorker(Map<String, String> worker) {
        // Connect registers its own JVM shutdown hook, which would stop the worker while our close() stops the broker
        // underneath it: the worker then waits on a broker that is gone. One hook, ours, stops both in order.
        Exit.setShutdownHookAdder((name, hook) -> { });
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try {
            return new ConnectDistributed().startConnect(worker);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
            Exit.resetShutdownHookAdder();
        }
    }

    /**
     * A broker alone on a state directory (its ports kept there, so a restart finds the same cluster): for a broker
     * that must be killed and started again like a real one, beside workers in processes of their own.
     *
     * @return the running broker and its bootstrap address
     */
    public static Map.Entry<KafkaRaftServer, String> startBrokerOnly(Path stateDir) throws Exception {
        Files.createDirectories(stateDir);
        Ports ports = Ports.load(stateDir.resolve("ports.properties"));
        String bootstrap = "127.0.0.1:" + ports.broker;
        return Map.entry(startBroker(stateDir.resolve("kafka"), ports, bootstrap), bootstrap);
    }

    private static KafkaRaftServer startBroker(Path logDir, Ports ports, String bootstrap) throws Exception {
        Files.createDirectories(logDir);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + ports.controller);
        p.put("listeners", "PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + ports.controller);
        p.put("advertised.listeners", "PLAINTEXT://" + bootstrap);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // one broker on one machine: Kafka's 50 group-offset partitions and Connect's 25 + 5 for its own topics
        // only lengthen every new runner's start (each partition is a log made on the metadata thread, ~15 ms here
        // while the JVM is cold); topics that exist keep their partitions
        p.put("offsets.topic.num.partitions", "1");
        p.put("log.retention.hours", "-1");
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        new Formatter()
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(ports.clusterId)
                .setDirectories(List.of(logDir.toString()))
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true)
                .run();
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return server;
    }

    static Map<String, String> workerProps(String bootstrap, int restPort, Path pluginPath, Path stateDir) {
        Map<String, String> w = new HashMap<>();
        w.put("bootstrap.servers", bootstrap);
        w.put("group.id", "ferry-connect");
        w.put("config.storage.topic", "ferry-connect-configs");
        w.put("offset.storage.topic", "ferry-connect-offsets");
        w.put("status.storage.topic", "ferry-connect-status");
        w.put("config.storage.replication.factor", "1");
        w.put("offset.storage.replication.factor", "1");
        w.put("status.storage.replication.factor", "1");
        w.put("offset.storage.partitions", "1");
        w.put("status.storage.partitions", "1");
        w.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        w.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        w.put("listeners", "http://127.0.0.1:" + restPort);
        w.put("plugin.path", pluginPath.toAbsolutePath().toString());
        w.put("plugin.discovery", "service_load");
        w.put("offset.flush.interval.ms", "1000");
        w.put("connector.client.config.override.policy", "All");
        w.put("config.providers", "env,dir");
        w.put("config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        w.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        w.put("scheduled.rebalance.max.delay.ms", "5000");
        // Connect's topic tracking (KIP-558) writes a status record for every record a task sends or reads until it
        // reads its own first one back, so a burst of small tables is tracked record by record: 430,000 status
        // records for 215,500 rows in 100 tables, the broker's busiest work. Nothing here reads /connectors/x/topics.
        w.put("topic.tracking.enable", System.getProperty("ferry.topic.tracking", "false"));
        // connector and task state changes (a source task failing too) as events on the runner's events topic
        w.put("rest.extension.classes", "io.ferry.sink.events.ConnectorStateEvents");
        w.put("ferry.events.topic", "ferry.events");
        return w;
    }

    static void awaitRest(URI rest) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(rest.resolve("/connectors")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Connect REST API did not come up at " + rest);
    }

    /**
     * Starts one more Connect worker in this JVM, in the same group (distributed mode: the group spreads tasks over
     * its workers). Used by the benchmark's scale-out measurement; stopped by {@link #close()} before the broker.
     */
    public synchronized URI addWorker(Path pluginPath) throws Exception {
        int port = Ports.freePort();
        extraWorkers.add(startWorker(workerProps(bootstrap, port, pluginPath, null)));
        URI rest = URI.create("http://127.0.0.1:" + port);
        awaitRest(rest);
        return rest;
    }

    /** Stops the workers {@link #addWorker} started; the group moves their tasks back to the first worker. */
    public synchronized void removeExtraWorkers() {
        for (Connect<?> w : extraWorkers) {
            w.stop();
            w.awaitStop();
        }
        extraWorkers.clear();
    }

    public String bootstrapServers() { return bootstrap; }

    public URI restUrl() { return restUrl; }

    /** Worker first, then broker; idempotent, so the shutdown hook and a try-with-resources can both call it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeExtraWorkers();
        connect.stop();
        connect.awaitStop();
        broker.shutdown();
        broker.awaitShutdown();
    }

    /** Ports and cluster id chosen once per state directory, so a restart finds the same cluster. */
    record Ports(int broker, int controller, int rest, String clusterId) {
        static Ports load(Path file) throws IOException {
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (var in = Files.newInputStream(file)) {
                    p.load(in);
                }
                return new Ports(Integer.parseInt(p.getProperty("broker")), Integer.parseInt(p.getProperty("controller")),
                        Integer.parseInt(p.getProperty("rest")), p.getProperty("cluster.id"));
            }
            Ports ports = new Ports(freePort(), freePort(), freePort(), Uuid.randomUuid().toString());
            p.setProperty("broker", Integer.toString(ports.broker));
            p.setProperty("controller", Integer.toString(ports.controller));
            p.setProperty("rest", Integer.toString(ports.rest));
            p.setProperty("cluster.id", ports.clusterId);
            try (var out = Files.newOutputStream(file)) {
                p.store(out, "ports of the embedded Kafka broker and Connect worker");
            }
            return ports;
        }

        static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
    }
}
