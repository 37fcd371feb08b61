package io.ferry.embedded;

import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A Connect worker in distributed mode as a process of its own: {@code ConnectWorkerMain worker.properties}.
 * Used where a worker must be killed like a real one (SIGKILL), which an in-JVM worker cannot be.
 */
public final class ConnectWorkerMain {
    private ConnectWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        }
        Map<String, String> props = new HashMap<>();
        p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
        Exit.setExitProcedure((code, message) -> {
            System.err.println("Connect worker failed to start: " + message);
            Runtime.getRuntime().halt(code);
        });
        var connect = new ConnectDistributed().startConnect(props);
        connect.awaitStop();
    }
}
