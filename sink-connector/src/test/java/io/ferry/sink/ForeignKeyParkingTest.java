package io.ferry.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
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

/**
 * Declared foreign keys on a real PostgreSQL: built once both tables are loaded, and in CDC a child that arrives
 * before its parent (another topic) is parked, then applied when the parent is in; later changes of a parked row
 * wait behind it. Nothing goes to the dead-letter queue.
 */
class ForeignKeyParkingTest {

    static final Schema PKEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    static final Schema PARENT = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema CKEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    static final Schema CHILD = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA)
            .field("parent_id", Schema.INT32_SCHEMA).field("note", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final String PT = "srv.shop.parent";
    static final String CT = "srv.shop.child";

    String url;
    RecordingContext ctx;
    FerrySinkTask task;
    long pOffset;
    long cOffset;

    @BeforeEach
    void start() throws Exception {
        url = TestPostgres.newDatabaseUrl();
        ctx = new RecordingContext(true);
        Map<String, String> props = new HashMap<>();
        props.put("name", "fk-sink");
        props.put("connection.url", url);
        props.put("connection.user", TestPostgres.user());
        props.put("connection.password", TestPostgres.password());
        props.put("foreign.keys", "child(parent_id)->parent(id)");
        task = new FerrySinkTask();
        task.initialize(ctx);
        props.putIfAbsent("snapshot.write.overlap", "false"); // put() commits before it returns here
        task.start(props);
        task.open(List.of(new TopicPartition(PT, 0), new TopicPartition(CT, 0)));
    }

    SinkRecord parent(String op, int id, String name, String snapshot) {
        Struct row = new Struct(PARENT).put("id", id).put("name", name);
        boolean d = op.equals("d");
        return Envelopes.record(PT, pOffset++, new Struct(PKEY).put("id", id), PARENT, op, d ? row : null, d ? null : row, snapshot);
    }

    SinkRecord child(String op, int id, int parentId, String note, String snapshot) {
        Struct row = new Struct(CHILD).put("id", id).put("parent_id", parentId).put("note", note);
        boolean d = op.equals("d");
        return Envelopes.record(CT, cOffset++, new Struct(CKEY).put("id", id), CHILD, op, d ? row : null, d ? null : row, snapshot);
    }

    List<String> query(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void keyIsBuiltAfterTheLoadAndEarlyChildrenWaitForTheirParents() throws Exception {
        task.put(List.of(parent("r", 1, "one", "first"), parent("r", 2, "two", "last_in_data_collection")));
        assertThat(query("SELECT conname FROM pg_constraint WHERE contype = 'f'")).as("child not loaded yet").isEmpty();
        task.put(List.of(child("r", 10, 1, "a", "first_in_data_collection"), child("r", 11, 2, "b", "last")));
        assertThat(query("SELECT conname || ' ' || convalidated FROM pg_constraint WHERE contype = 'f'"))
                .containsExactly("fk_child_parent_id true");

        // CDC: the child's topic is ahead of the parent's
        task.put(List.of(child("c", 12, 3, "early", null)));
        assertThat(query("SELECT count(*) FROM child WHERE id = 12")).containsExactly("0");
        assertThat(query("SELECT row_key FROM ferry.parked")).containsExactly("12");
        task.put(List.of(child("u", 12, 3, "early, updated", null)));
        assertThat(query("SELECT count(*) FROM child WHERE id = 12")).containsExactly("0");

        task.put(List.of(parent("c", 3, "three", null)));
        assertThat(query("SELECT note FROM child WHERE id = 12")).containsExactly("early, updated");
        assertThat(query("SELECT count(*) FROM ferry.parked")).containsExactly("0");

        // a parent delete that arrives before its children's deletes waits for them
        task.put(List.of(parent("d", 1, "one", null)));
        assertThat(query("SELECT count(*) FROM parent WHERE id = 1")).containsExactly("1");
        task.put(List.of(child("d", 10, 1, "a", null)));
        assertThat(query("SELECT count(*) FROM parent WHERE id = 1")).containsExactly("0");
        assertThat(query("SELECT count(*) FROM ferry.parked")).containsExactly("0");
        assertThat(ctx.reported).isEmpty();
        task.stop();
    }

    static SinkRecord notification(String topic, long offset, String collection, long rows) {
        Schema schema = SchemaBuilder.struct().name("io.debezium.connector.common.Notification")
                .field("id", Schema.STRING_SCHEMA).field("aggregate_type", Schema.STRING_SCHEMA)
                .field("type", Schema.STRING_SCHEMA)
                .field("additional_data", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).optional().build())
                .field("timestamp", Schema.INT64_SCHEMA).build();
        Struct value = new Struct(schema).put("id", "n" + offset).put("aggregate_type", "Initial Snapshot")
                .put("type", "TABLE_SCAN_COMPLETED").put("timestamp", 0L)
                .put("additional_data", Map.of("scanned_collection", collection, "total_rows_scanned", Long.toString(rows),
                        "status", "SUCCEEDED"));
        return new SinkRecord(topic, 0, null, null, schema, value, offset);
    }

    @Test
    void notificationsMarkTablesLoadedWhenTheLastRowMarkerIsMissing() throws Exception {
        String notifications = "srv.notifications";
        task.open(List.of(new TopicPartition(notifications, 0)));
        // snapshot rows without any last_in_data_collection/last marker, and Debezium's table-scan notifications
        task.put(List.of(notification(notifications, 0, "shop.parent", 2), notification(notifications, 1, "shop.child", 1),
                parent("r", 1, "one", "first"), parent("r", 2, "two", "true")));
        assertThat(query("SELECT table_name || ':' || phase FROM ferry.table_stats ORDER BY 1"))
                .containsExactly("child:LOADING", "parent:STREAMING");
        assertThat(query("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).containsExactly("0");
        task.put(List.of(child("r", 10, 1, "a", "true")));
        assertThat(query("SELECT table_name || ':' || phase FROM ferry.table_stats ORDER BY 1"))
                .containsExactly("child:STREAMING", "parent:STREAMING");
        assertThat(query("SELECT conname || ' ' || convalidated FROM pg_constraint WHERE contype = 'f'"))
                .containsExactly("fk_child_parent_id true");
        assertThat(query("SELECT count(*) FROM pg_tables WHERE tablename = 'notifications'")).containsExactly("0");
        task.stop();
    }

    @Test
    void parkedRowsSurviveARestart() throws Exception {
        task.put(List.of(parent("r", 1, "one", "last_in_data_collection")));
        task.put(List.of(child("r", 10, 1, "a", "last")));
        task.put(List.of(child("c", 12, 5, "orphan for now", null)));
        task.stop();

        FerrySinkTask again = new FerrySinkTask();
        again.initialize(new RecordingContext(true));
        Map<String, String> props = new HashMap<>(Map.of("name", "fk-sink", "connection.url", url,
                "connection.user", TestPostgres.user(), "connection.password", TestPostgres.password(),
                "foreign.keys", "child(parent_id)->parent(id)"));
        props.putIfAbsent("snapshot.write.overlap", "false"); // put() commits before it returns here
        again.start(props);
        again.open(List.of(new TopicPartition(PT, 0), new TopicPartition(CT, 0)));
        again.put(List.of(parent("c", 5, "five", null)));
        assertThat(query("SELECT note FROM child WHERE id = 12")).containsExactly("orphan for now");
        again.stop();
    }
}
