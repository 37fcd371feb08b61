package io.ferry.sink.events;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Each event as a JSON record on a Kafka topic, keyed by connector, for any consumer to subscribe to. */
public final class TopicChannel implements EventChannel {

    private final String topic;
    private final KafkaProducer<String, String> producer;

    public TopicChannel(String topic, Map<String, Object> producerConfig) {
        this.topic = topic;
        Map<String, Object> config = new java.util.HashMap<>(producerConfig);
        config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    @Override
    public String name() {
        return "topic " + topic;
    }

    @Override
    public void deliver(FerryEvent event) throws Exception {
        producer.send(new ProducerRecord<>(topic, event.connector(), event.toJson())).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
