package io.ferry.faults;

import io.ferry.cli.ConnectClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A Kafka Connect cluster as production runs one: a KRaft broker in its own JVM, and Connect workers in distributed
 * mode, each its own JVM, in one group, with the plugin.path the build lays out. Any of them can be stopped cleanly
 * (SIGTERM) or killed (SIGKILL) and started again on the same state, ports and REST address.
 */
public final class FaultCluster implements AutoCloseable {

    private final Path dir;
    private final Map<String, String> env;
    private final JavaProcess broker;
    private String bootstrap;
    private final List<JavaProcess> workers = new ArrayList<>();
    private final List<Integer> restPorts = new ArrayList<>();
    private final String group;

    /** A broker and {@code workers} workers, running. */
    public static FaultCluster start(Path dir, Map<String, String> env, int workers) throws Exception {
        return start(dir, env, workers, null);
    }

    /** @param eventsWebhook where the workers' ConnectorStateEvents extension posts (null: not enabled) */
    public static FaultCluster start(Path dir, Map<String, String> env, int workers, String eventsWebhook)
            throws Exception {
        return start(dir, env, workers, eventsWebhook, List.of());
    }

    /** @param workerJvmArgs JVM options of every worker; {@code {worker}} in one is replaced by the worker's index */
    public static FaultCluster start(Path dir, Map<String, String> env, int workers, String eventsWebhook,
                                     List<String> workerJvmArgs) throws Exception {
        FaultCluster c = new FaultCluster(dir, env);
        c.eventsWebhook = eventsWebhook;
        c.workerJvmArgs = workerJvmArgs;
        for (int i = 0; i < workers; i++) {
            c.addWorker();
        }
        return c;
    }

    /** @param env variables every worker gets (credentials the connector configs name as ${env:...}) */
    private String eventsWebhook;
    private List<String> workerJvmArgs = List.of();

    FaultCluster(Path dir, Map<String, String> env) throws Exception {
        this.dir = dir;
        this.env = env;
        this.group = "ferry-faults-" + ProcessHandle.current().pid();
        Files.createDirectories(dir);
        broker = new JavaProcess("broker", "io.ferry.embedded.KafkaBrokerMain", List.of(dir.resolve("broker").toString()),
                Map.of(), dir.resolve("broker.log"), "768m");
        startBroker();
    }

    private void startBroker() throws Exception {
        Files.deleteIfExists(dir.resolve("broker").resolve("bootstrap"));
        broker.start();
        Path file = dir.resolve("broker").resolve("bootstrap");
        long deadline = System.nanoTime() + 120_000_000_000L;
        String address = "";
        while (System.nanoTime() < deadline && address.isEmpty()) {
            if (!broker.alive()) {
                throw new IllegalStateException("the broker did not start: see " + broker.log());
            }
            Thread.sleep(200);
            // empty means "not written yet": a CI run read the file between its creation and its content
            address = Files.exists(file) ? Files.readString(file).trim() : "";
        }
        if (address.isEmpty()) {
            throw new IllegalStateException("the broker wrote no bootstrap address in 120 s: see " + broker.log());
        }
        bootstrap = address;
        awaitPort(Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1)));
    }

    String bootstrap() { return bootstrap; }

    /** The broker as a connector config names it. */
    public String bootstrapServers() { return bootstrap; }

    /** Starts one more worker in the group; returns its index. */
    int addWorker() throws Exception {
        int i = workers.size();
        int port = freePort();
        Properties p = new Properties();
        p.putAll(workerProps(port));
        Path props = dir.resolve("worker-" + i + ".properties");
        try (var out = Files.newOutputStream(props)) {
            p.store(out, "Connect worker " + i);
        }
        JavaProcess w = new JavaProcess("worker-" + i, "io.ferry.embedded.ConnectWorkerMain", List.of(props.toString()),
                env, dir.resolve("worker-" + i + ".log"), "1g",
                workerJvmArgs.stream().map(a -> a.replace("{worker}", Integer.toString(i))).toList());
        workers.add(w);
        restPorts.add(port);
        w.start();
        awaitRest(i);
        return i;
    }

    public int workerCount() { return workers.size(); }

    boolean workerAlive(int i) { return workers.get(i).alive(); }

    public void stopWorker(int i, boolean hard) throws InterruptedException {
        workers.get(i).stop(hard);
    }

    public void startWorker(int i) throws Exception {
        workers.get(i).start();
        awaitRest(i);
    }

    /** Stops every worker from index {@code from} on at once (SIGTERM or SIGKILL), each waited for. */
    void stopWorkers(int from, boolean hard) throws Exception {
        for (int i = from; i < workers.size(); i++) {
            workers.get(i).signal(hard);
        }
        for (int i = from; i < workers.size(); i++) {
            stopWorker(i, hard);
        }
    }

    /** Starts every worker from index {@code from} on at once; returns when all of their REST APIs answer. */
    void startWorkers(int from) throws Exception {
        for (int i = from; i < workers.size(); i++) {
            workers.get(i).start();
        }
        for (int i = from; i < workers.size(); i++) {
            awaitRest(i);
        }
    }

    /** Stops the broker (SIGTERM or SIGKILL), then starts it again on the same log directory and ports. */
    void restartBroker(boolean hard, long downMillis) throws Exception {
        broker.stop(hard);
        Thread.sleep(downMillis);
        startBroker();
    }

    /** The REST API of a live worker (any of them forwards to the leader). */
    public ConnectClient rest() {
        for (int i = 0; i < workers.size(); i++) {
            if (workers.get(i).alive()) {
                return new ConnectClient(URI.create("http://127.0.0.1:" + restPorts.get(i)));
            }
        }
        throw new IllegalStateException("no live worker");
    }

    public String workerId(int i) {
        return "127.0.0.1:" + restPorts.get(i);
    }

    /** The index of the worker running the connector's first task (one being moved has none for up to a minute). */
    public int workerRunning(String connector) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        String worker = "";
        while (System.currentTimeMillis() < deadline) {
            worker = rest().status(connector).path("tasks").path(0).path("worker_id").asText("");
            for (int i = 0; i < workers.size(); i++) {
                if (workerId(i).equals(worker)) {
                    return i;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no worker runs the task of " + connector + ": '" + worker + "'");
    }

    /** Every log this cluster's processes wrote, for scanning (credentials must not appear). */
    public List<Path> logs() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out")).toList();
        }
    }

    /** The JVMs of the workers alive now (their JMX is read by pid). */
    List<Long> workerPids() {
        List<Long> out = new ArrayList<>();
        workers.stream().filter(JavaProcess::alive).forEach(w -> out.add(w.pid()));
        return out;
    }

    private Map<String, String> workerProps(int restPort) {
        Map<String, String> w = new java.util.HashMap<>();
        w.put("bootstrap.servers", bootstrap);
        w.put("group.id", group);
        w.put("config.storage.topic", group + "-configs");
        w.put("offset.storage.topic", group + "-offsets");
        w.put("status.storage.topic", group + "-status");
        w.put("config.storage.replication.factor", "1");
        w.put("offset.storage.replication.factor", "1");
        w.put("status.storage.replication.factor", "1");
        w.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        w.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        w.put("listeners", "http://127.0.0.1:" + restPort);
        w.put("rest.advertised.host.name", "127.0.0.1");
        w.put("plugin.path", io.ferry.it.TestServers.pluginPath().toAbsolutePath().toString());
        w.put("plugin.discovery", "service_load");
        w.put("offset.flush.interval.ms", "1000");
        w.put("connector.client.config.override.policy", "All");
        w.put("config.providers", "env,dir");
        w.put("config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        w.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        // a killed worker's tasks move on after this, not after Connect's default of five minutes
        w.put("scheduled.rebalance.max.delay.ms", "3000");
        w.put("consumer.session.timeout.ms", "10000");
        w.put("consumer.heartbeat.interval.ms", "1000");
        w.put("task.shutdown.graceful.timeout.ms", "10000");
        if (eventsWebhook != null) {
            // connector and task state changes from inside each worker, to the operator's webhook
            w.put("rest.extension.classes", "io.ferry.sink.events.ConnectorStateEvents");
            w.put("ferry.events.webhook.url", eventsWebhook);
        }
        return w;
    }

    private void awaitRest(int i) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + restPorts.get(i));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!workers.get(i).alive()) {
                throw new IllegalStateException("worker " + i + " died starting: see " + workers.get(i).log());
            }
            try {
                new ConnectClient(uri).connectors();
                return;
            } catch (IOException e) {
                Thread.sleep(300);
            }
        }
        throw new IllegalStateException("worker " + i + " REST did not come up");
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Every header of every record in the dead-letter queues, as text. */
    public String deadLetterHeaders() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "dlq-scan-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        StringBuilder sb = new StringBuilder();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            consumer.subscribe(java.util.regex.Pattern.compile(".*\\.sink\\.dlq"));
            long deadline = System.currentTimeMillis() + 15_000;
            int empty = 0;
            while (System.currentTimeMillis() < deadline && empty < 4) {
                var records = consumer.poll(java.time.Duration.ofSeconds(1));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (var r : records) {
                    for (var h : r.headers()) {
                        sb.append(h.key()).append('=').append(h.value() == null ? ""
                                : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8)).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * Every record of every topic (data, schema history, notifications, DLQs, Connect's configs, offsets and status
     * topics): keys, values and headers searched for the secrets, streamed, nothing kept. Returns what was found where.
     */
    public List<String> topicsContaining(List<String> secrets) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "secret-scan-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("max.poll.records", "5000");
        p.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        List<byte[]> needles = secrets.stream().map(x -> x.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
        java.util.Set<String> found = new java.util.TreeSet<>();
        long records = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            consumer.subscribe(java.util.regex.Pattern.compile(".*"));
            long deadline = System.currentTimeMillis() + 120_000;
            int empty = 0;
            while (System.currentTimeMillis() < deadline && empty < 4) {
                var batch = consumer.poll(java.time.Duration.ofSeconds(1));
                empty = batch.isEmpty() ? empty + 1 : 0;
                for (var r : batch) {
                    records++;
                    for (int i = 0; i < needles.size(); i++) {
                        boolean hit = contains(r.key(), needles.get(i)) || contains(r.value(), needles.get(i));
                        for (var h : r.headers()) {
                            hit |= contains(h.value(), needles.get(i));
                        }
                        if (hit) {
                            found.add(r.topic() + " holds secret #" + (i + 1));
                        }
                    }
                }
            }
        }
        if (records == 0) {
            found.add("no record was read: the scan itself failed");
        }
        return new ArrayList<>(found);
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        if (hay == null || hay.length < needle.length) {
            return false;
        }
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The stacks of the live workers' threads whose name contains {@code part} (jcmd Thread.print), for a test that
     * timed out waiting: where a task was stuck, not only that it was.
     */
    public String threadStacks(String part) {
        StringBuilder sb = new StringBuilder();
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (int i = 0; i < workers.size(); i++) {
            JavaProcess w = workers.get(i);
            if (!w.alive()) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(w.pid()), "Thread.print")
                        .redirectErrorStream(true).start();
                String dump = new String(p.getInputStream().readAllBytes());
                p.waitFor();
                // a thread's stack runs from its quoted name line to the next blank line
                for (String block : dump.split("\n\\s*\n")) {
                    String first = block.lines().findFirst().orElse("");
                    if (first.startsWith("\"") && first.contains(part)) {
                        sb.append("\nworker-").append(i).append(": ").append(block.strip());
                    }
                }
            } catch (IOException e) {
                sb.append("\nworker-").append(i).append(": no thread dump: ").append(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return sb.toString();
            }
        }
        return sb.toString();
    }

    /** Every readable MBean attribute of every live worker JVM, as text (read through the JDK's attach API). */
    public String jmxDump() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (long pid : workerPids()) {
            var vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
            try {
                String address = vm.startLocalManagementAgent();
                try (var connector = javax.management.remote.JMXConnectorFactory.connect(
                        new javax.management.remote.JMXServiceURL(address))) {
                    var server = connector.getMBeanServerConnection();
                    for (var name : server.queryNames(null, null)) {
                        for (var attr : server.getMBeanInfo(name).getAttributes()) {
                            try {
                                Object v = server.getAttribute(name, attr.getName());
                                sb.append(name).append(' ').append(attr.getName()).append('=')
                                        .append(v instanceof Object[] a ? java.util.Arrays.deepToString(a) : String.valueOf(v))
                                        .append('\n');
                            } catch (Exception | Error e) {
                                // an attribute that cannot be read holds nothing to leak
                            }
                        }
                    }
                }
            } finally {
                vm.detach();
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (JavaProcess w : workers) {
            try {
                w.stop(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            broker.stop(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
