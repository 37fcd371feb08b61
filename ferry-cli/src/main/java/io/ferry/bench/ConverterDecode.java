package io.ferry.bench;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.storage.Converter;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The converter's decode rate alone: reads a finished topic's raw values and times only
 * {@code Converter.toConnectData} on them, the work every sink task does before it sees a row.
 */
public final class ConverterDecode {

    private ConverterDecode() {
    }

    static Measurement measure(String system, String bootstrap, String topic, long rows, long bytes, Converter converter,
                               int runs) {
        Measurement m = new Measurement(system, rows, bytes);
        for (int run = 0; run < runs; run++) {
            m.seconds.add(decodeSeconds(bootstrap, topic, rows, converter));
        }
        m.note = "Converter.toConnectData alone over the snapshot topic's values (consuming not timed)";
        return m;
    }

    private static double decodeSeconds(String bootstrap, String topic, long rows, Converter converter) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "enable.auto.commit", "false",
                "max.poll.records", "5000", "fetch.max.bytes", "52428800", "max.partition.fetch.bytes", "10485760");
        long nanos = 0;
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            while (seen < rows) {
                ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofSeconds(5));
                if (batch.isEmpty()) {
                    throw new IllegalStateException(topic + " ended after " + seen + " records, " + rows + " expected");
                }
                long t0 = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    if (r.value() != null) {
                        converter.toConnectData(topic, r.value());
                        seen++;
                    }
                }
                nanos += System.nanoTime() - t0;
            }
        }
        return nanos / 1e9;
    }

    /** The JSON converter with schemas, as the shipped connectors configure it. */
    static Converter json() {
        var c = new org.apache.kafka.connect.json.JsonConverter();
        c.configure(Map.of("schemas.enable", "true"), false);
        return c;
    }

    /** Ferry's binary converter from its plugin directory, loaded the way a worker isolates it. */
    public static Converter binary(Path pluginPath) throws Exception {
        Path lib = pluginPath.resolve("ferry-connect-converter").resolve("lib");
        URL[] jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).map(p -> {
                try {
                    return p.toUri().toURL();
                } catch (java.net.MalformedURLException e) {
                    throw new IllegalStateException(e);
                }
            }).toArray(URL[]::new);
        }
        ClassLoader loader = new URLClassLoader(jars, ConverterDecode.class.getClassLoader());
        Converter c = (Converter) loader.loadClass("io.ferry.converter.FerryBinaryConverter").getDeclaredConstructor()
                .newInstance();
        c.configure(Map.of(), false);
        return c;
    }
}
