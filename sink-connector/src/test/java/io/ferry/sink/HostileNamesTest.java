package io.ferry.sink;

import io.ferry.sink.config.FerrySinkConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Names and option values written to break SQL (quotes, semicolons, backslashes, comment markers, unicode, names
 * longer than PostgreSQL keeps): each round-trips as one quoted identifier, is refused at validate, or is a bad record
 * with the reason; none is ever executed. A table named "victim" must survive every one.
 */
class HostileNamesTest {

    static final String TABLE = "t\"; DROP TABLE victim; --\\ ünï 😀";
    static final String TOPIC = "srv.shop.events";

    String url;

    @BeforeEach
    void database() throws Exception {
        url = TestPostgres.newDatabaseUrl();
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE victim (id int)");
        }
    }

    private static Map<String, String> props(String url, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("name", "hostile-sink");
        p.put("connection.url", url);
        p.put("snapshot.write.overlap", "false"); // put() commits before it returns here
        p.put("connection.user", TestPostgres.user());
        if (TestPostgres.password() != null) {
            p.put("connection.password", TestPostgres.password());
        }
        p.putAll(extra);
        return p;
    }

    @Test
    void hostileTableAndColumnNamesRoundTripQuoted() throws Exception {
        Schema key = SchemaBuilder.struct().field("id\"; DROP TABLE victim; --", Schema.INT32_SCHEMA).build();
        Schema row = SchemaBuilder.struct().optional()
                .field("id\"; DROP TABLE victim; --", Schema.INT32_SCHEMA)
                .field("semi;colon", Schema.OPTIONAL_STRING_SCHEMA)
                .field("back\\slash 'quote'", Schema.OPTIONAL_STRING_SCHEMA)
                .field("ünï😀", Schema.OPTIONAL_STRING_SCHEMA).build();
        FerrySinkTask task = new FerrySinkTask();
        task.initialize(new RecordingContext(false));
        task.start(props(url, Map.of("table.name.format", TABLE + "${table}")));
        task.open(List.of(new TopicPartition(TOPIC, 0)));
        Struct after = new Struct(row).put("id\"; DROP TABLE victim; --", 1).put("semi;colon", "a;b")
                .put("back\\slash 'quote'", "c\\d'e").put("ünï😀", "😀");
        task.put(List.of(Envelopes.record(TOPIC, 0, new Struct(key).put("id\"; DROP TABLE victim; --", 1), row, "c",
                null, after, null)));
        task.put(List.of(Envelopes.record(TOPIC, 1, new Struct(key).put("id\"; DROP TABLE victim; --", 1), row, "d",
                after, null, null)));
        task.put(List.of(Envelopes.record(TOPIC, 2, new Struct(key).put("id\"; DROP TABLE victim; --", 2), row, "c",
                null, new Struct(row).put("id\"; DROP TABLE victim; --", 2).put("semi;colon", "x"), null)));
        task.stop();
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            assertThat(strings(st, "SELECT count(*) FROM victim")).as("victim survives").containsExactly("0");
            assertThat(strings(st, "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                    + "'public'::regnamespace ORDER BY 1")).contains(TABLE + "events", "victim");
            assertThat(strings(st, "SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                    + "to_regclass('public.' || quote_ident('" + (TABLE + "events").replace("'", "''") + "')) AND attnum > 0"))
                    .containsExactly("id\"; DROP TABLE victim; --|semi;colon|back\\slash 'quote'|ünï😀");
            assertThat(strings(st, "SELECT \"semi;colon\" FROM \"" + (TABLE + "events").replace("\"", "\"\"") + "\""))
                    .as("the delete and insert went to the same quoted names").containsExactly("x");
        }
    }

    @Test
    void aNameLongerThanPostgresKeepsIsABadRecordNotACutName() throws Exception {
        String longName = "c".repeat(60) + "éé"; // 64 bytes
        Schema key = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
        Schema row = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA)
                .field(longName, Schema.OPTIONAL_STRING_SCHEMA).build();
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = new FerrySinkTask();
        task.initialize(ctx);
        task.start(props(url, Map.of()));
        task.open(List.of(new TopicPartition(TOPIC, 0)));
        task.put(List.of(Envelopes.record(TOPIC, 0, new Struct(key).put("id", 1), row, "c", null,
                new Struct(row).put("id", 1).put(longName, "v"), null)));
        task.stop();
        assertThat(ctx.reportedErrors).singleElement().satisfies(e -> assertThat(e.getMessage())
                .contains("is 64 bytes; PostgreSQL keeps 63"));
    }

    @Test
    void hostileDeclarationsAreRefusedAtValidate() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("foreign.keys", "a(b)->c(d); DROP TABLE victim"),
                Map.entry("foreign.keys", "a(b)->c(d) ON DELETE CASCADE; DROP TABLE victim"),
                Map.entry("bigint.keys", "t.id=t(a+b); DROP TABLE victim"),
                Map.entry("bigint.keys", "t.id=t(a+b)) --"),
                Map.entry("table.name.format", "${table}${schema}"))) {
            assertThatThrownBy(() -> new FerrySinkConfig(props("jdbc:postgresql://x/y", Map.of(bad.getKey(), bad.getValue()))))
                    .as(bad.toString()).isInstanceOf(ConfigException.class).hasMessageContaining(bad.getKey());
        }
    }

    private static List<String> strings(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
