package io.ferry.sink;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/** Builds Debezium-shaped and flat records for tests. */
public final class Envelopes {
    private Envelopes() {}

    public static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
            .field("db", Schema.STRING_SCHEMA).field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA).build();

    public static Schema envelope(Schema row) {
        return SchemaBuilder.struct().name("test.Envelope")
                .field("before", row).field("after", row).field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
    }

    public static SinkRecord record(String topic, long offset, Struct key, Schema rowSchema, String op,
                                    Struct before, Struct after, String snapshot) {
        Schema env = envelope(rowSchema);
        String[] parts = topic.split("\\.");
        Struct source = new Struct(SOURCE).put("db", parts[1]).put("table", parts[2]).put("snapshot", snapshot)
                .put("ts_ms", 1_700_000_000_000L + offset);
        Struct value = new Struct(env).put("before", before).put("after", after).put("source", source).put("op", op);
        return new SinkRecord(topic, 0, key == null ? null : key.schema(), key, env, value, offset);
    }
}
