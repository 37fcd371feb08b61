package io.ferry.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Connect worker in a JVM of its own, in a Connect cluster of its own (group and internal topics named after it)
 * on a running broker: what runs on it is all its heap holds, so the bench can report a sink task's memory apart
 * from the broker, the source and the other sinks. Its GC log is kept beside it.
 */
public final class WorkerProcess implements AutoCloseable {

    /** A pause line of -Xlog:gc with the timemillis decorator: "[1764...ms] GC(3) Pause Young ... 150M->30M(256M)". */
    private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+)ms\\].*Pause.* (\\d+)M->(\\d+)M\\(\\d+M\\)");

    private final Process process;
    private final URI rest;
    private final Path gcLog;

    private WorkerProcess(Process process, URI rest, Path gcLog) {
        this.process = process;
        this.rest = rest;
        this.gcLog = gcLog;
    }

    /**
     * Starts the worker and waits for its REST API; {@code heap} is the JVM's -Xmx, e.g. "1g"; {@code jvmArgs} go
     * before the class (a flight recording, say).
     */
    public static WorkerProcess start(String bootstrap, Path pluginPath, String group, String heap, Path dir,
                                      List<String> jvmArgs) throws Exception {
        Files.createDirectories(dir);
        int port = KafkaConnectServer.Ports.freePort();
        Path gcLog = dir.resolve("gc.log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                // epoch milliseconds on every line: the bench lines collections up with its own clock
                "-Xlog:gc:file=" + gcLog + ":timemillis"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerProcess.class.getName(),
                bootstrap, Integer.toString(port), pluginPath.toAbsolutePath().toString(), group));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile())
                .start();
        URI rest = URI.create("http://127.0.0.1:" + port);
        try {
            KafkaConnectServer.awaitRest(rest);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("the worker process did not start; its log: " + dir.resolve("worker.log"), e);
        }
        return new WorkerProcess(p, rest, gcLog);
    }

    public URI restUrl() {
        return rest;
    }

    public long pid() {
        return process.pid();
    }

    public Path gcLog() {
        return gcLog;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The worker's own main: bootstrap, REST port, plugin.path, group. */
    public static void main(String[] args) throws Exception {
        String group = args[3];
        Map<String, String> w = KafkaConnectServer.workerProps(args[0], Integer.parseInt(args[1]), Path.of(args[2]), null);
        w.put("group.id", group);
        w.put("config.storage.topic", group + "-configs");
        w.put("offset.storage.topic", group + "-offsets");
        w.put("status.storage.topic", group + "-status");
        KafkaConnectServer.startWorker(w);
        new CountDownLatch(1).await(); // until the bench stops this process
    }

    /** Heap in use after each collection, from the GC log: {epoch millis, bytes}. */
    public List<long[]> heapAfterGc() throws IOException {
        List<long[]> out = new ArrayList<>();
        if (!Files.exists(gcLog)) {
            return out;
        }
        for (String l : Files.readAllLines(gcLog)) {
            Matcher m = PAUSE.matcher(l);
            if (m.find()) {
                out.add(new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(3)) << 20});
            }
        }
        return out;
    }
}
