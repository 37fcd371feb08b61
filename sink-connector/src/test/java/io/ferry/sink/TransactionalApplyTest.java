package io.ferry.sink;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task in cdc.apply.mode=transactional against a real PostgreSQL: nothing of a source transaction is visible
 * before all of it is, the transaction topic's offset is stored with it, Kafka's commit stays behind held records,
 * and a restarted task applies nothing twice.
 */
class TransactionalApplyTest {

    static final String ORDERS = "srv.shop.orders";
    static final String LINES = "srv.shop.lines";
    static final String TX = "srv.transaction";
    static final Schema KEY = SchemaBuilder.struct().name("k").field("id", Schema.INT32_SCHEMA).build();
    static final Schema ORDER = SchemaBuilder.struct().name("o").optional().field("id", Schema.INT32_SCHEMA)
            .field("line_count", Schema.INT32_SCHEMA).build();
    static final Schema LINE = SchemaBuilder.struct().name("l").optional().field("id", Schema.INT32_SCHEMA)
            .field("order_id", Schema.INT32_SCHEMA).build();
    static final Schema BLOCK = SchemaBuilder.struct().optional().field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA).field("data_collection_order", Schema.INT64_SCHEMA).build();
    static final Schema MARKER = SchemaBuilder.struct().name("io.debezium.connector.common.TransactionMetadataValue")
            .field("status", Schema.STRING_SCHEMA).field("id", Schema.STRING_SCHEMA)
            .field("event_count", Schema.OPTIONAL_INT64_SCHEMA).build();
    static final List<TopicPartition> ALL = List.of(new TopicPartition(ORDERS, 0), new TopicPartition(LINES, 0),
            new TopicPartition(TX, 0));

    String url;
    final Map<String, Long> offsets = new HashMap<>();

    @BeforeEach
    void database() throws Exception {
        url = TestPostgres.newDatabaseUrl();
    }

    FerrySinkTask task(RecordingContext ctx) {
        return task(ctx, Map.of());
    }

    FerrySinkTask task(RecordingContext ctx, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "tx-sink");
        props.put("connection.url", url);
        props.put("connection.user", TestPostgres.user());
        if (TestPostgres.password() != null) {
            props.put("connection.password", TestPostgres.password());
        }
        props.put("cdc.apply.mode", "transactional");
        props.put("transaction.topic", TX);
        props.put("topics.regex", "srv\\.(shop\\..*|transaction)");
        props.putAll(extra);
        FerrySinkTask task = new FerrySinkTask();
        task.initialize(ctx);
        task.start(props);
        task.open(ALL);
        return task;
    }

    SinkRecord event(String topic, Schema row, Struct after, String tx, long order) {
        Schema env = SchemaBuilder.struct().name("test.Envelope").field("before", row).field("after", row)
                .field("source", Envelopes.SOURCE).field("op", Schema.STRING_SCHEMA).field("transaction", BLOCK).build();
        Struct source = new Struct(Envelopes.SOURCE).put("db", "shop").put("table", topic.substring(9))
                .put("ts_ms", 1_700_000_000_000L);
        Struct value = new Struct(env).put("after", after).put("source", source).put("op", "c")
                .put("transaction", new Struct(BLOCK).put("id", tx).put("total_order", order).put("data_collection_order", order));
        long offset = offsets.merge(topic, 1L, Long::sum) - 1;
        return new SinkRecord(topic, 0, KEY, new Struct(KEY).put("id", after.getInt32("id")), env, value, offset);
    }

    SinkRecord marker(String status, String tx, Long count) {
        long offset = offsets.merge(TX, 1L, Long::sum) - 1;
        return new SinkRecord(TX, 0, null, null, MARKER, new Struct(MARKER).put("status", status).put("id", tx)
                .put("event_count", count), offset);
    }

    long count(String sql) throws SQLException {
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    @Test
    void aTransactionBecomesVisibleWholeWithItsOffsetsAndIsNotAppliedTwiceAfterARestart() throws Exception {
        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = task(ctx);
        SinkRecord begin = marker("BEGIN", "t1", null);
        SinkRecord order = event(ORDERS, ORDER, new Struct(ORDER).put("id", 1).put("line_count", 2), "t1", 1);
        task.put(List.of(begin, order, event(LINES, LINE, new Struct(LINE).put("id", 10).put("order_id", 1), "t1", 2)));
        assertThat(count("SELECT count(*) FROM pg_tables WHERE tablename IN ('orders', 'lines')"))
                .as("nothing of t1 written before its END").isZero();
        Map<TopicPartition, OffsetAndMetadata> consumed = Map.of(new TopicPartition(ORDERS, 0), new OffsetAndMetadata(1),
                new TopicPartition(TX, 0), new OffsetAndMetadata(1));
        assertThat(task.preCommit(consumed)).as("Kafka's commit stays at the first held record")
                .containsEntry(new TopicPartition(ORDERS, 0), new OffsetAndMetadata(0))
                .containsEntry(new TopicPartition(TX, 0), new OffsetAndMetadata(0));

        task.put(List.of(marker("END", "t1", 3L)));
        assertThat(count("SELECT count(*) FROM pg_tables WHERE tablename IN ('orders', 'lines')"))
                .as("END says 3 events, 2 arrived").isZero();
        // the third event and the next transaction's first, in one poll
        task.put(List.of(event(LINES, LINE, new Struct(LINE).put("id", 11).put("order_id", 1), "t1", 3),
                marker("BEGIN", "t2", null), event(ORDERS, ORDER, new Struct(ORDER).put("id", 2).put("line_count", 0), "t2", 1)));
        assertThat(count("SELECT count(*) FROM orders")).as("t1 whole, t2 not yet").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM lines")).isEqualTo(2);
        assertThat(count("SELECT next_offset FROM ferry.sink_offsets WHERE topic = '" + TX + "'"))
                .as("the transaction topic resumes after t1's END").isEqualTo(2);
        assertThat(count("SELECT next_offset FROM ferry.sink_offsets WHERE topic = '" + ORDERS + "'"))
                .as("t2's order is read again after a restart").isEqualTo(1);
        task.stop();

        // a new task (a worker killed): it resumes from PostgreSQL, t2 is assembled again and applied once
        RecordingContext again = new RecordingContext(false);
        FerrySinkTask restarted = task(again);
        assertThat(again.seeks).containsEntry(new TopicPartition(ORDERS, 0), 1L).containsEntry(new TopicPartition(TX, 0), 2L);
        offsets.put(ORDERS, 1L);
        offsets.put(TX, 2L);
        restarted.put(List.of(marker("BEGIN", "t2", null),
                event(ORDERS, ORDER, new Struct(ORDER).put("id", 2).put("line_count", 0), "t2", 1), marker("END", "t2", 1L)));
        assertThat(count("SELECT count(*) FROM orders")).isEqualTo(2);
        assertThat(count("SELECT inserts FROM ferry.table_stats WHERE table_name = 'orders'")).isEqualTo(2);
        restarted.stop();
    }

    /** Full-load rows of the orders topic (op r, no transaction), as Debezium's snapshot sends them. */
    List<SinkRecord> snapshotOrders(int count, boolean first) {
        List<SinkRecord> out = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            long offset = offsets.merge(ORDERS, 1L, Long::sum) - 1;
            int id = (int) offset + 100;
            out.add(Envelopes.record(ORDERS, offset, new Struct(KEY).put("id", id), ORDER, "r", null,
                    new Struct(ORDER).put("id", id).put("line_count", 0), first && i == 0 ? "first" : "true"));
        }
        return out;
    }

    @Test
    void theFullLoadSpansBatchesInTheBackgroundAndIsCommittedBeforeTheFirstTransaction() throws Exception {
        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = task(ctx, Map.of("snapshot.write.overlap", "true", "snapshot.copy.span.bytes", "134217728"));
        task.put(snapshotOrders(3, true));
        task.put(snapshotOrders(200, false));
        task.put(snapshotOrders(300, false));
        assertThat(ctx.timeout).as("an empty poll soon commits the span").isEqualTo(FerrySinkTask.SPAN_IDLE_MS);
        assertThat(count("SELECT count(*) FROM orders")).as("the span holds the rows uncommitted").isZero();
        // the first source transaction: everything of the full load before it is committed first, then it, whole
        task.put(List.of(marker("BEGIN", "t1", null),
                event(ORDERS, ORDER, new Struct(ORDER).put("id", 1).put("line_count", 1), "t1", 1),
                event(LINES, LINE, new Struct(LINE).put("id", 10).put("order_id", 1), "t1", 2), marker("END", "t1", 2L)));
        assertThat(count("SELECT count(*) FROM orders")).isEqualTo(504);
        assertThat(count("SELECT count(*) FROM lines")).isEqualTo(1);
        assertThat(count("SELECT count(DISTINCT xmin::text) FROM orders WHERE id >= 100"))
                .as("the full load's three batches in one COPY and one transaction").isEqualTo(1);
        assertThat(count("SELECT next_offset FROM ferry.sink_offsets WHERE topic = '" + ORDERS + "'")).isEqualTo(504);
        assertThat(count("SELECT next_offset FROM ferry.sink_offsets WHERE topic = '" + TX + "'")).isEqualTo(2);
        task.stop();
    }

    /** The table topics' records first (one partition's fetch before another's): 3 events, 2 transactions, no END. */
    void putEventsOfTwoTransactionsWithoutTheirEnds(FerrySinkTask task) {
        task.put(List.of(event(ORDERS, ORDER, new Struct(ORDER).put("id", 1).put("line_count", 1), "t1", 1),
                event(LINES, LINE, new Struct(LINE).put("id", 10).put("order_id", 1), "t1", 2),
                event(ORDERS, ORDER, new Struct(ORDER).put("id", 2).put("line_count", 0), "t2", 1)));
    }

    @Test
    void tablePartitionsAheadOfTheTransactionTopicArePausedWhenTheBufferIsFullAndResumedAfter() throws Exception {
        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = task(ctx, Map.of("transaction.buffer.max.events", "2"));
        putEventsOfTwoTransactionsWithoutTheirEnds(task);
        assertThat(ctx.paused).as("held 3 > 2: the table partitions wait for the transaction topic")
                .containsExactlyInAnyOrder(new TopicPartition(ORDERS, 0), new TopicPartition(LINES, 0));
        task.put(List.of(marker("BEGIN", "t1", null), marker("END", "t1", 2L), marker("BEGIN", "t2", null),
                marker("END", "t2", 1L)));
        assertThat(ctx.paused).isEmpty();
        assertThat(count("SELECT count(*) FROM orders")).as("both whole, neither split").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM lines")).isEqualTo(1);
        task.stop();
    }

    @Test
    void aPauseForRoomDoesNotOutliveARebalance() throws Exception {
        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = task(ctx, Map.of("transaction.buffer.max.events", "2"));
        putEventsOfTwoTransactionsWithoutTheirEnds(task);
        assertThat(ctx.paused).hasSize(2);
        // revoked and assigned again: the worker re-pauses what the task had paused; the buffer was emptied
        task.close(ALL);
        task.open(ALL);
        assertThat(ctx.paused).as("nothing held, nobody to resume them later").isEmpty();
        task.stop();
    }
}
