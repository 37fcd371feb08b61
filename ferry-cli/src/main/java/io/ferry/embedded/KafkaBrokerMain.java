package io.ferry.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A KRaft broker as a process of its own: {@code KafkaBrokerMain STATE_DIR}. It writes its bootstrap address to
 * STATE_DIR/bootstrap once it serves, and runs until killed; started again on the same directory it is the same
 * cluster with the same topics. Used where the broker must be restarted like a real one.
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        var broker = KafkaConnectServer.startBrokerOnly(dir);
        // written whole, then renamed: a reader polling for the file must never see it empty or half-written
        Path tmp = dir.resolve("bootstrap.tmp");
        Files.writeString(tmp, broker.getValue());
        Files.move(tmp, dir.resolve("bootstrap"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.getKey().shutdown();
            broker.getKey().awaitShutdown();
        }));
        broker.getKey().awaitShutdown();
    }
}
