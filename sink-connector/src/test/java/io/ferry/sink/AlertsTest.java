package io.ferry.sink;

import com.sun.net.httpserver.HttpServer;
import io.ferry.sink.events.SinkEvents;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The sink's events over real HTTP (a receiver in the test), from a task writing to a real PostgreSQL. */
class AlertsTest {

    static final Schema PKEY = ForeignKeyParkingTest.PKEY;
    static final String PT = ForeignKeyParkingTest.PT;
    static final String CT = ForeignKeyParkingTest.CT;

    HttpServer receiver;
    final List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile CountDownLatch hold = new CountDownLatch(0);
    volatile int status = 200;
    String url;
    long pOffset;
    long cOffset;

    @BeforeEach
    void start() throws Exception {
        url = TestPostgres.newDatabaseUrl();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/secret-token-123", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (status == 200) {
                bodies.add(body);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        hold.countDown();
        receiver.stop(0);
    }

    String webhook() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/secret-token-123";
    }

    FerrySinkTask task(RecordingContext ctx, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "alerting-sink");
        props.put("connection.url", url);
        props.put("connection.user", TestPostgres.user());
        if (TestPostgres.password() != null) {
            props.put("connection.password", TestPostgres.password());
        }
        props.put("foreign.keys", "child(parent_id)->parent(id)");
        props.put("events.webhook.url", webhook());
        props.put("events.bad.records.interval.ms", "0");
        props.put("retry.backoff.ms", "10");
        props.putAll(extra);
        FerrySinkTask task = new FerrySinkTask();
        task.initialize(ctx);
        props.putIfAbsent("snapshot.write.overlap", "false"); // put() commits before it returns here
        task.start(props);
        task.open(List.of(new TopicPartition(PT, 0), new TopicPartition(CT, 0)));
        return task;
    }

    SinkRecord parent(int id, String snapshot) {
        Struct row = new Struct(ForeignKeyParkingTest.PARENT).put("id", id).put("name", "p" + id);
        return Envelopes.record(PT, pOffset++, new Struct(PKEY).put("id", id), ForeignKeyParkingTest.PARENT, "r", null, row, snapshot);
    }

    SinkRecord child(int id, int parentId, String snapshot) {
        Struct row = new Struct(ForeignKeyParkingTest.CHILD).put("id", id).put("parent_id", parentId).put("note", "c");
        return Envelopes.record(CT, cOffset++, new Struct(ForeignKeyParkingTest.CKEY).put("id", id),
                ForeignKeyParkingTest.CHILD, "r", null, row, snapshot);
    }

    /** Waits for an event of this type (Connect calls put() with empty batches while nothing comes: so does this). */
    String await(FerrySinkTask task, String type, String table) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            for (String body : bodies) {
                if (body.contains("\"type\":\"" + type + "\"")
                        && (table == null || body.contains("\"table\":\"" + table + "\""))) {
                    return body;
                }
            }
            Thread.sleep(200);
            task.put(List.of());
        }
        throw new AssertionError("no " + type + " event for " + table + " within 10 s; got " + bodies);
    }

    @Test
    void theLoadTheBuildABadRecordAndAStoppedTableEachReachTheWebhookWithTheirCause() throws Exception {
        FerrySinkTask.RELEASE_CHECK_MS = 0;
        FerrySinkTask task = task(new RecordingContext(true), Map.of());
        task.put(List.of(parent(1, "first"), parent(2, "last_in_data_collection")));
        assertThat(await(task, SinkEvents.TABLE_LOADED, "parent")).contains("\"rows\":2", "\"connector\":\"alerting-sink\"");
        task.put(List.of(child(10, 1, "first_in_data_collection"), child(11, 2, "last")));
        assertThat(await(task, SinkEvents.TABLE_LOADED, "child")).contains("\"rows\":2");
        assertThat(await(task, SinkEvents.CONSTRAINT_BUILT, "child")).contains("fk_child_parent_id", "REFERENCES");

        // a value that does not fit its column: to the DLQ, and the event names the record and the SQLState
        task.put(List.of(FerrySinkTaskTest.rec(0, "c", null,
                FerrySinkTaskTest.row(1, "too long for twenty characters", 1, null, null, null), null)));
        assertThat(await(task, SinkEvents.BAD_RECORDS, "Order Line")).contains("\"count\":1",
                "srv.shop.Order Line-0@0", "22001").doesNotContain("too long for twenty");

        // an unsafe type change stops that table; the event carries the DDL that lets it go on
        Schema asInt = FerrySinkTaskTest.qtyRow("q1", SchemaBuilder.int32().optional()
                .parameter("__debezium.source.column.type", "INT").build());
        Schema asText = FerrySinkTaskTest.qtyRow("q2", SchemaBuilder.string().optional()
                .parameter("__debezium.source.column.type", "VARCHAR").parameter("__debezium.source.column.length", "10").build());
        String widen = "srv.shop.widen";
        task.put(List.of(Envelopes.record(widen, 0, new Struct(FerrySinkTaskTest.KEY).put("Id", 1), asInt, "c", null,
                new Struct(asInt).put("Id", 1).put("qty", 7), null)));
        task.put(List.of(Envelopes.record(widen, 1, new Struct(FerrySinkTaskTest.KEY).put("Id", 2), asText, "c", null,
                new Struct(asText).put("Id", 2).put("qty", "ten"), null)));
        String stopped = await(task, SinkEvents.TABLE_STOPPED, "widen");
        assertThat(stopped).contains("\"severity\":\"ERROR\"",
                "ALTER TABLE \\\"public\\\".\\\"widen\\\" ALTER COLUMN \\\"qty\\\" TYPE varchar(10)");
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE widen ALTER COLUMN qty TYPE varchar(10)");
        }
        assertThat(await(task, SinkEvents.TABLE_RESUMED, "widen")).contains("resumed");
        task.stop();
        FerrySinkTask.RELEASE_CHECK_MS = 5000;
    }

    @Test
    void aLoadThisTaskEndsIsReportedByThatFlushNotByALaterPoll() throws Exception {
        FerrySinkTask task = task(new RecordingContext(true), Map.of());
        // the first flush checks for loaded tables; the second ends the load well within a second of that check
        task.put(List.of(parent(1, "first")));
        task.put(List.of(parent(2, "last_in_data_collection")));
        // no further put(): the load that flush ended is reported by it
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (bodies.stream().noneMatch(b -> b.contains("\"type\":\"" + SinkEvents.TABLE_LOADED + "\""))
                && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(bodies).as("events delivered without another put()")
                .anyMatch(b -> b.contains("\"type\":\"" + SinkEvents.TABLE_LOADED + "\"") && b.contains("\"rows\":2"));
        task.stop();
    }

    @Test
    void anIdleTaskAsksToBePolledWithinItsIdleWorkIntervalNotAtTheNextOffsetCommit() {
        // with Connect's default offset.flush.interval.ms (a minute) an idle task would otherwise see put() that
        // rarely: a stopped table would wait that long to resume, and the gauges would stand still
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = task(ctx, Map.of());
        task.put(List.of());
        assertThat(ctx.timeout).isEqualTo(FerrySinkTask.IDLE_WORK_MS);
        ctx.timeout = -1;
        task.put(List.of(parent(1, null)));
        assertThat(ctx.timeout).isEqualTo(FerrySinkTask.IDLE_WORK_MS);
        task.stop();
    }

    @Test
    void aRevokedLoginFailsTheTaskAndSaysWhy() throws Exception {
        String role = "alerted_" + System.nanoTime();
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD 'Alerted-1'");
        }
        FerrySinkTask task = task(new RecordingContext(true), Map.of("connection.user", role,
                "connection.password", "Alerted-1"));
        task.put(List.of(parent(1, "first")));
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + role + " NOLOGIN");
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
        }
        for (int i = 0; i < 2; i++) {
            try {
                task.put(List.of(parent(2, null)));
            } catch (RuntimeException expected) {
                // first the lost connection (retriable), then the refused login (the task fails)
            }
        }
        String failed = await(task, SinkEvents.SINK_TASK_FAILED, null);
        assertThat(failed).contains("SQLState 28000").doesNotContain("Alerted-1");
        task.stop();
    }

    @Test
    @Timeout(60)
    void aWebhookThatHangsOrFailsNeverHoldsTheData() throws Exception {
        hold = new CountDownLatch(1); // the receiver takes every request and answers nothing until released
        FerrySinkTask task = task(new RecordingContext(true), Map.of());
        task.put(List.of(parent(1, "first"), parent(2, "last_in_data_collection")));
        task.put(List.of(child(10, 1, "first_in_data_collection"), child(11, 2, "last")));
        for (int i = 0; i < 20; i++) {
            task.put(List.of(FerrySinkTaskTest.rec(i, "c", null,
                    FerrySinkTaskTest.row(i, "too long for twenty characters", 1, null, null, null), null)));
        }
        // every row is in although no event has been answered
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM parent) + (SELECT count(*) FROM child), "
                     + "(SELECT bad_records FROM ferry.table_stats WHERE table_name = 'Order Line')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(4);
            assertThat(rs.getLong(2)).isEqualTo(20);
        }
        assertThat(bodies).isEmpty();
        hold.countDown();
        assertThat(await(task, SinkEvents.TABLE_LOADED, "parent")).contains("\"rows\":2");
        task.stop();
    }
}
