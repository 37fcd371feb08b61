package io.ferry.transforms;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.Map;

/** film_actor-shaped Debezium records for transform tests. */
final class Records {
    private Records() {}

    static final Schema KEY = SchemaBuilder.struct().name("srv.sakila.film_actor.Key")
            .field("actor_id", Schema.INT32_SCHEMA).field("film_id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("srv.sakila.film_actor.Value").optional()
            .field("actor_id", Schema.INT32_SCHEMA).field("film_id", Schema.INT32_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
            .field("db", Schema.STRING_SCHEMA).field("table", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema ENVELOPE = SchemaBuilder.struct().name("srv.sakila.film_actor.Envelope")
            .field("before", ROW).field("after", ROW).field("source", SOURCE).field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
    static final String TOPIC = "srv.sakila.film_actor";

    static Struct row(int actor, Integer film) {
        Struct r = new Struct(ROW).put("actor_id", actor).put("note", "n");
        return film == null ? r : r.put("film_id", film);
    }

    static Struct key(int actor, int film) {
        return new Struct(KEY).put("actor_id", actor).put("film_id", film);
    }

    static SourceRecord envelope(String op, Struct before, Struct after) {
        Struct image = after != null ? after : before;
        Struct value = new Struct(ENVELOPE).put("before", before).put("after", after).put("op", op)
                .put("source", new Struct(SOURCE).put("db", "sakila").put("table", "film_actor"));
        return new SourceRecord(Map.of(), Map.of(), TOPIC, 0, KEY, key(image.getInt32("actor_id"), image.getInt32("film_id")),
                ENVELOPE, value);
    }
}
