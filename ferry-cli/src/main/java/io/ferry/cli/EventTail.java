package io.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The events topic of the runner's own broker (the sink's and the worker's events, see the README's catalogue), read
 * from its end on a daemon thread and handed to the progress board as one line each.
 */
final class EventTail implements AutoCloseable {

    /** The topic ferry migrate and ferry demo send the sink's and the worker's events to. */
    static final String TOPIC = "ferry.events";

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private static final ObjectMapper JSON = new ObjectMapper();

    EventTail(String bootstrap) {
        thread = new Thread(() -> run(bootstrap), "ferry-event-tail");
        thread.setDaemon(true);
        thread.start();
    }

    /** Sink settings that send its events to {@link #TOPIC} on the runner's broker. */
    static Map<String, String> sinkOverlay(String bootstrap) {
        return Map.of("events.topic", TOPIC, "events.bootstrap.servers", bootstrap);
    }

    private void run(String bootstrap) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "ferry-event-tail-" + ProcessHandle.current().pid(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2000);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            while (!closed) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    lines.add(line(r.value()));
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                lines.add("  (events are no longer shown: " + e.getMessage() + "; they are still in the worker log)");
            }
        }
    }

    static String line(String json) {
        try {
            JsonNode e = JSON.readTree(json);
            String table = e.path("table").isNull() || e.path("table").isMissingNode() ? "" : " " + e.path("table").asText();
            return String.format("  event %-7s %s %s%s: %s", e.path("severity").asText(), e.path("type").asText(),
                    e.path("connector").asText(), table, e.path("summary").asText());
        } catch (Exception ex) {
            return "  event " + json;
        }
    }

    /** The lines that came since the last call. */
    List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String l; (l = lines.poll()) != null; ) {
            out.add(l);
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
