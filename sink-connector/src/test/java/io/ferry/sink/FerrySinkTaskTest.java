package io.ferry.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sink task against a real PostgreSQL, with Connect's worker replaced by a recording context. */
class FerrySinkTaskTest {

    static final Schema KEY = SchemaBuilder.struct().name("k").field("Id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("v").optional()
            .field("Id", Schema.INT32_SCHEMA)
            .field("select", SchemaBuilder.string().optional().parameter("__debezium.source.column.type", "VARCHAR")
                    .parameter("__debezium.source.column.length", "20").build())
            .field("active", SchemaBuilder.int16().optional().parameter("__debezium.source.column.type", "TINYINT")
                    .parameter("__debezium.source.column.length", "1").build())
            .field("price", Decimal.builder(2).optional().parameter("connect.decimal.precision", "5").build())
            .field("features", SchemaBuilder.string().name("io.debezium.data.EnumSet").optional().build())
            .field("at", SchemaBuilder.int64().name("io.debezium.time.MicroTime").optional().build())
            .build();
    static final String TOPIC = "srv.shop.Order Line";
    static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    String url;

    @BeforeEach
    void database() throws Exception {
        url = TestPostgres.newDatabaseUrl();
    }

    FerrySinkTask task(RecordingContext ctx, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "test-sink");
        props.put("connection.url", url);
        props.put("connection.user", TestPostgres.user());
        if (TestPostgres.password() != null) {
            props.put("connection.password", TestPostgres.password());
        }
        props.put("retry.backoff.ms", "10");
        props.putAll(extra);
        // put() commits before it returns here: the background write has tests of its own (BackgroundWriteTest)
        props.putIfAbsent("snapshot.write.overlap", "false");
        FerrySinkTask task = new FerrySinkTask();
        task.initialize(ctx);
        task.start(props);
        task.open(List.of(TP));
        return task;
    }

    static Struct row(int id, String select, Integer active, String price, String features, Long at) {
        return new Struct(ROW).put("Id", id).put("select", select).put("active", active == null ? null : active.shortValue())
                .put("price", price == null ? null : new BigDecimal(price)).put("features", features).put("at", at);
    }

    static SinkRecord rec(long offset, String op, Struct before, Struct after, String snapshot) {
        Struct r = after != null ? after : before;
        return Envelopes.record(TOPIC, offset, new Struct(KEY).put("Id", r.getInt32("Id")), ROW, op, before, after, snapshot);
    }

    List<List<Object>> rows(String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void snapshotByCopyThenChangesThenResumeFromStoredOffsets() throws Exception {
        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = task(ctx, Map.of());
        task.put(List.of(
                rec(0, "r", null, row(1, "tab\there\\ \"q\" \0nul", 1, "12.50", "a,b c", 3_723_000_001L), "first"),
                rec(1, "r", null, row(2, "ünï ☃ 😀", 0, null, "", null), "true"),
                rec(2, "r", null, row(3, null, null, "999.99", null, 0L), "last")));
        assertThat(rows("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                + "'public.\"Order Line\"'::regclass AND attnum > 0 ORDER BY attnum")).extracting(r -> r.get(0))
                .containsExactly("integer", "character varying(20)", "boolean", "numeric(5,2)", "text[]",
                        "interval");
        assertThat(rows("SELECT * FROM \"Order Line\" ORDER BY \"Id\"")).containsExactly(
                List.of("1", "tab\there\\ \"q\" nul", "t", "12.50", "{a,\"b c\"}", "01:02:03.000001"),
                java.util.Arrays.asList("2", "ünï ☃ 😀", "f", null, "{}", null),
                java.util.Arrays.asList("3", null, null, "999.99", null, "00:00:00"));
        task.put(List.of(rec(3, "c", null, row(5, "long time", 1, null, null, -3_020_399_000_000L), null)));
        assertThat(rows("SELECT at::text FROM \"Order Line\" WHERE \"Id\" = 5")).containsExactly(List.of("-838:59:59"));

        task.put(List.of(
                rec(4, "u", row(1, "x", 1, "12.50", null, null), row(1, "updated", 0, "1.00", "z", null), null),
                rec(5, "d", row(2, null, null, null, null, null), null, null),
                rec(6, "c", null, row(4, "new", 1, "3.00", null, null), null),
                rec(7, "u", null, row(4, "newer", 1, "4.00", null, null), null)));
        assertThat(rows("SELECT \"Id\", \"select\", price::text FROM \"Order Line\" ORDER BY \"Id\"")).containsExactly(
                List.of("1", "updated", "1.00"), java.util.Arrays.asList("3", null, "999.99"), List.of("4", "newer", "4.00"),
                java.util.Arrays.asList("5", "long time", null));
        assertThat(rows("SELECT phase, snapshot_rows, inserts, updates, deletes, nul_stripped, last_offset "
                + "FROM ferry.table_stats")).containsExactly(List.of("STREAMING", "3", "2", "2", "1", "1", "7"));
        javax.management.ObjectName mbean = new javax.management.ObjectName(
                "io.ferry:type=sink-table,connector=\"test-sink\",task=0,table=\"Order Line\"");
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        assertThat(jmx.getAttribute(mbean, "SnapshotRows")).isEqualTo(3L);
        assertThat(jmx.getAttribute(mbean, "Updates")).isEqualTo(2L);
        assertThat(jmx.getAttribute(mbean, "Phase")).isEqualTo("STREAMING");
        task.stop();
        assertThat(jmx.isRegistered(mbean)).as("unregistered on stop").isFalse();

        RecordingContext again = new RecordingContext(false);
        task(again, Map.of()).stop();
        assertThat(again.seeks).containsEntry(TP, 8L);
    }

    /** A snapshot put several COPY chunks long: every row lands whole, multi-byte values across chunk edges too. */
    @Test
    void aSnapshotPutLongerThanOneCopyChunkLandsRowForRow() throws Exception {
        FerrySinkTask task = task(new RecordingContext(false), Map.of());
        List<SinkRecord> batch = new ArrayList<>();
        List<List<Object>> expected = new ArrayList<>();
        for (int id = 1; id <= 6000; id++) {
            String text = (id % 3 == 0 ? "ü😀☃" : "plain") + "\t" + id; // 4-byte, 3-byte and escaped characters
            batch.add(rec(id - 1, "r", null, row(id, text, id % 2, "1.25", "a,b", (long) id), id == 1 ? "first" : "true"));
            expected.add(List.of(Integer.toString(id), text));
        }
        task.put(batch);
        assertThat(rows("SELECT \"Id\", \"select\" FROM \"Order Line\" ORDER BY \"Id\""))
                .as("6,000 rows, about %d COPY chunks", 6000 * 40 / (64 * 1024) + 1).isEqualTo(expected);
        task.stop();
    }

    /**
     * cdc.upsert.mode=copy (staging table + one INSERT ... SELECT) writes exactly what the batched statements write,
     * hostile values included, and a value the target cannot hold still isolates only its own record.
     */
    @Test
    void bothCdcUpsertModesWriteTheSameRowsAndIsolateTheSameBadRecord() throws Exception {
        // auto-created, and a hand-written design with other types (char padding, a wider numeric, text for the set)
        String design = "CREATE TABLE \"Order Line\" (\"Id\" integer PRIMARY KEY, \"select\" char(20), active boolean, "
                + "price numeric(7,3), features text, at interval);";
        for (String ddl : java.util.Arrays.asList(null, design)) {
        List<List<List<Object>>> results = new ArrayList<>();
        for (String mode : List.of("statements", "copy")) {
            url = TestPostgres.newDatabaseUrl();
            RecordingContext ctx = new RecordingContext(true);
            Map<String, String> props = new HashMap<>(Map.of("cdc.upsert.mode", mode));
            if (ddl != null) {
                props.put("target.ddl", ddl);
            }
            FerrySinkTask task = task(ctx, props);
            task.put(List.of(rec(0, "r", null, row(1, "seed", 1, "1.00", null, null), "last")));
            List<SinkRecord> batch = new ArrayList<>();
            long offset = 1;
            for (int round = 0; round < 2; round++) {
                for (int id = 1; id <= 100; id++) {
                    String text = id % 7 == 0 ? null : "r" + round + "\t\\\"q\" \0ü😀" + id;
                    batch.add(rec(offset++, round == 0 && id > 1 ? "c" : "u", null, row(id, text, id % 2,
                            id % 5 == 0 ? null : (id % 100) + "." + round + "5", id % 3 == 0 ? "a,b c" : "", (long) id * 1_000_001L), null));
                }
            }
            batch.add(rec(offset++, "d", row(50, null, null, null, null, null), null, null));
            task.put(batch); // in copy mode: one staging COPY and one INSERT ... SELECT for the 100 reduced upserts
            task.put(List.of(rec(offset++, "c", null, row(500, "x".repeat(21), 1, null, null, null), null), // too long for varchar(20)
                    rec(offset++, "c", null, row(600, "fits", 1, null, null, null), null)));
            results.add(rows("SELECT \"Id\", \"select\", active::text, price::text, features::text, at::text "
                    + "FROM \"Order Line\" ORDER BY \"Id\""));
            assertThat(ctx.reported).as(mode + ": only the value that does not fit is a bad record").hasSize(1);
            assertThat(rows("SELECT inserts, updates, deletes, bad_records FROM ferry.table_stats"))
                    .as(mode).containsExactly(List.of("100", "101", "1", "1"));
            task.stop();
        }
        assertThat(results.get(0)).as(ddl == null ? "auto-created" : "designed").hasSize(100).isEqualTo(results.get(1));
        assertThat(((String) results.get(0).get(0).get(1)).stripTrailing()).isEqualTo("r1\t\\\"q\" ü😀1");
        }
    }

    @Test
    void redeliveredSnapshotBatchIsNotDoubled() throws Exception {
        FerrySinkTask task = task(new RecordingContext(false), Map.of());
        List<SinkRecord> batch = List.of(rec(0, "r", null, row(1, "a", 1, null, null, null), "first"),
                rec(1, "r", null, row(2, "b", 1, null, null, null), "true"));
        task.put(batch);
        task.put(batch);
        assertThat(rows("SELECT count(*) FROM \"Order Line\"")).containsExactly(List.of("2"));
        task.stop();
    }

    static final Schema NOTIFICATION = SchemaBuilder.struct().name("io.debezium.connector.common.Notification")
            .field("id", Schema.STRING_SCHEMA).field("aggregate_type", Schema.STRING_SCHEMA)
            .field("type", Schema.STRING_SCHEMA)
            .field("additional_data", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).optional().build())
            .field("timestamp", Schema.INT64_SCHEMA).build();

    static SinkRecord snapshotNotice(long offset, String type, long ts) {
        return new SinkRecord("srv.notifications", 0, null, null, NOTIFICATION, new Struct(NOTIFICATION).put("id", "n")
                .put("aggregate_type", "Initial Snapshot").put("type", type).put("timestamp", ts)
                .put("additional_data", Map.of("connector_name", "srv")), offset);
    }

    /** What ferry cutover-check reads: the snapshot's start and end on Debezium's clock, its first row on the source's. */
    @Test
    void theSnapshotsStartEndAndFirstRowAreRecordedNewestWins() throws Exception {
        FerrySinkTask task = task(new RecordingContext(false), Map.of());
        task.put(List.of(snapshotNotice(0, "STARTED", 5_000), rec(0, "r", null, row(1, "a", 1, null, null, null), "first"),
                rec(1, "r", null, row(2, "b", 1, null, null, null), "last")));
        assertThat(rows("SELECT source, status, status_ts_ms, started_ts_ms FROM ferry.source_snapshots"))
                .containsExactly(List.of("srv", "STARTED", "5000", "5000"));
        assertThat(rows("SELECT connector, first_ts_ms FROM ferry.snapshot_first_rows"))
                .containsExactly(List.of("test-sink", "1700000000000"));
        task.put(List.of(snapshotNotice(1, "COMPLETED", 6_000)));
        // read again, or late: an older start and an older first row change nothing
        task.put(List.of(snapshotNotice(2, "STARTED", 4_000), rec(0, "r", null, row(1, "a", 1, null, null, null), "first")));
        assertThat(rows("SELECT status, status_ts_ms, started_ts_ms FROM ferry.source_snapshots"))
                .containsExactly(List.of("COMPLETED", "6000", "5000"));
        assertThat(rows("SELECT first_ts_ms FROM ferry.snapshot_first_rows")).containsExactly(List.of("1700000000000"));
        // a restart: a new start, and the new pass's first row (a later source time) replaces the old one
        task.put(List.of(snapshotNotice(3, "STARTED", 9_000), rec(9, "r", null, row(1, "a", 1, null, null, null), "first")));
        assertThat(rows("SELECT status, started_ts_ms FROM ferry.source_snapshots")).containsExactly(List.of("STARTED", "9000"));
        assertThat(rows("SELECT first_ts_ms FROM ferry.snapshot_first_rows")).containsExactly(List.of("1700000000009"));
        task.stop();
    }

    @Test
    void aSnapshotStartedAgainUndoesTheEarlierPassInsteadOfCountingItTwice() throws Exception {
        FerrySinkTask task = task(new RecordingContext(false), Map.of());
        // pass 1 stops after three of four rows (Debezium's task died): the table is not loaded
        task.put(List.of(rec(0, "r", null, row(1, "a", 1, null, null, null), "first_in_data_collection"),
                rec(1, "r", null, row(2, "b", 1, null, null, null), "true"),
                rec(2, "r", null, row(3, "gone later", 1, null, null, null), "true")));
        assertThat(rows("SELECT phase, snapshot_rows, snapshot_restarts FROM ferry.table_stats"))
                .containsExactly(List.of("LOADING", "3", "0"));
        // pass 2 reads the table again from its first row; row 3 was deleted at the source in between
        task.put(List.of(rec(3, "r", null, row(1, "a", 1, null, null, null), "first_in_data_collection"),
                rec(4, "r", null, row(2, "b2", 1, null, null, null), "true")));
        assertThat(rows("SELECT phase, snapshot_rows, snapshot_restarts FROM ferry.table_stats"))
                .as("counted once, not on top of the earlier pass").containsExactly(List.of("LOADING", "2", "1"));
        task.put(List.of(rec(5, "r", null, row(4, "d", 1, null, null, null), "last_in_data_collection")));
        assertThat(rows("SELECT \"Id\", \"select\" FROM \"Order Line\" ORDER BY 1")).as("no phantom of the earlier pass")
                .containsExactly(List.of("1", "a"), List.of("2", "b2"), List.of("4", "d"));
        assertThat(rows("SELECT phase, snapshot_rows FROM ferry.table_stats")).containsExactly(List.of("STREAMING", "3"));
        // once changes flow, a table snapshotted again is not emptied: its rows are upserts
        task.put(List.of(rec(6, "c", null, row(5, "e", 1, null, null, null), null)));
        task.put(List.of(rec(7, "r", null, row(1, "a again", 1, null, null, null), "first_in_data_collection")));
        assertThat(rows("SELECT count(*), max(\"select\") FILTER (WHERE \"Id\" = 1) FROM \"Order Line\""))
                .containsExactly(List.of("4", "a again"));
        task.stop();
    }

    @Test
    void afterAFailureTheOffsetsStoredInPostgresSayWhatToApplyNotTheTasksMemory() throws Exception {
        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = task(ctx, Map.of());
        List<SinkRecord> first = List.of(rec(0, "c", null, row(1, "a", 1, null, null, null), null),
                rec(1, "c", null, row(2, "b", 1, null, null, null), null));
        task.put(first);
        // the connection dies after the commit, before the worker knew: the same records come again
        terminateSinkConnections();
        assertThatThrownBy(() -> task.put(List.of(rec(2, "c", null, row(3, "c", 1, null, null, null), null))))
                .isInstanceOf(org.apache.kafka.connect.errors.RetriableException.class);
        task.put(List.of(rec(1, "c", null, row(2, "b", 1, null, null, null), null),
                rec(2, "c", null, row(3, "c", 1, null, null, null), null)));
        assertThat(rows("SELECT inserts FROM ferry.table_stats")).as("offset 1 was committed before: not applied twice")
                .containsExactly(List.of("3"));
        // the server lost a commit it had acknowledged (a crash with synchronous_commit=off, a failover)
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("DELETE FROM \"Order Line\" WHERE \"Id\" = 3");
            st.execute("UPDATE ferry.sink_offsets SET next_offset = 2");
        }
        terminateSinkConnections();
        assertThatThrownBy(() -> task.put(List.of(rec(3, "c", null, row(4, "d", 1, null, null, null), null))))
                .isInstanceOf(org.apache.kafka.connect.errors.RetriableException.class);
        ctx.seeks.clear();
        task.put(List.of(rec(3, "c", null, row(4, "d", 1, null, null, null), null)));
        assertThat(ctx.seeks).as("read again from where PostgreSQL stands").containsEntry(TP, 2L);
        assertThat(rows("SELECT count(*) FROM \"Order Line\" WHERE \"Id\" = 4")).as("not written past the gap")
                .containsExactly(List.of("0"));
        task.put(List.of(rec(2, "c", null, row(3, "c", 1, null, null, null), null),
                rec(3, "c", null, row(4, "d", 1, null, null, null), null)));
        assertThat(rows("SELECT \"Id\" FROM \"Order Line\" ORDER BY 1")).extracting(r -> r.get(0))
                .containsExactly("1", "2", "3", "4");
        task.stop();
    }

    @Test
    void aSecondWriterOfThePartitionAppliesNothingTheFirstCommitted() throws Exception {
        // Connect moved the partition to task B while task A still ran (a worker that lost its group membership):
        // both opened the partition before either stored an offset
        FerrySinkTask a = task(new RecordingContext(false), Map.of());
        FerrySinkTask b = task(new RecordingContext(false), Map.of());
        List<SinkRecord> same = List.of(rec(0, "c", null, row(1, "a", 1, null, null, null), null),
                rec(1, "c", null, row(2, "b", 1, null, null, null), null));
        a.put(same);
        b.put(same);
        b.put(List.of(rec(1, "c", null, row(2, "b", 1, null, null, null), null),
                rec(2, "c", null, row(3, "c", 1, null, null, null), null)));
        assertThat(rows("SELECT inserts FROM ferry.table_stats")).as("each record applied once").containsExactly(List.of("3"));
        assertThat(rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of("3"));
        a.stop();
        b.stop();
    }

    static final Schema LOG_ROW = SchemaBuilder.struct().name("log").optional()
            .field("seq", Schema.INT64_SCHEMA).field("note", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema BINLOG_SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mariadb.Source")
            .field("db", Schema.STRING_SCHEMA).field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
            .field("server_id", Schema.INT64_SCHEMA).field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA)
            .field("row", Schema.INT32_SCHEMA).build();
    static final Schema TX = SchemaBuilder.struct().name("event.block").optional().field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA).field("data_collection_order", Schema.INT64_SCHEMA).build();
    static final Schema LOG_ENVELOPE = SchemaBuilder.struct().name("srv.shop.audit_log.Envelope")
            .field("before", LOG_ROW).field("after", LOG_ROW).field("source", BINLOG_SOURCE)
            .field("transaction", TX).field("op", Schema.STRING_SCHEMA).build();

    /** An insert into the keyless audit_log, at binlog position pos, order-th event of its transaction. */
    static SinkRecord logged(long offset, long seq, long pos, long order) {
        Struct source = new Struct(BINLOG_SOURCE).put("db", "shop").put("table", "audit_log").put("ts_ms", 1L)
                .put("server_id", 1L).put("file", "mariadb-bin.000007").put("pos", pos).put("row", 0);
        Struct tx = new Struct(TX).put("id", "0-1-" + pos).put("total_order", order).put("data_collection_order", order);
        Struct value = new Struct(LOG_ENVELOPE).put("after", new Struct(LOG_ROW).put("seq", seq).put("note", "n" + seq))
                .put("source", source).put("transaction", tx).put("op", "c");
        return new SinkRecord("srv.shop.audit_log", 0, null, null, LOG_ENVELOPE, value, offset);
    }

    @Test
    void changesDebeziumDeliversAgainAfterItsTaskRestartedAreAppliedOnce() throws Exception {
        FerrySinkTask a = task(new RecordingContext(false), Map.of());
        a.put(List.of(logged(0, 1, 100, 1), logged(1, 2, 100, 2), logged(2, 3, 200, 1)));
        // Debezium's task died before it flushed its offsets: it reads the binlog again from the transaction at 100,
        // skips the event it had flushed, and sends the rest again under new Kafka offsets
        a.put(List.of(logged(3, 2, 100, 2), logged(4, 3, 200, 1), logged(5, 4, 300, 1)));
        a.stop();
        // the sink restarted too: the applied position comes from PostgreSQL, not from the task's memory
        FerrySinkTask b = task(new RecordingContext(false), Map.of());
        b.put(List.of(logged(6, 4, 300, 1), logged(7, 5, 300, 2)));
        assertThat(rows("SELECT seq, count(*) FROM audit_log GROUP BY seq ORDER BY seq")).containsExactly(
                List.of("1", "1"), List.of("2", "1"), List.of("3", "1"), List.of("4", "1"), List.of("5", "1"));
        assertThat(rows("SELECT inserts, redelivered_skipped FROM ferry.table_stats WHERE table_name = 'audit_log'"))
                .containsExactly(List.of("5", "3"));
        // Debezium restarted in the middle of the transaction at 300 and numbered its next change 1 again: a new change,
        // not a repeat (the fault matrix saw this renumbering after a rebalance; trusting the number lost a delete)
        b.put(List.of(logged(8, 6, 300, 1)));
        assertThat(rows("SELECT count(*) FROM audit_log WHERE seq = 6")).containsExactly(List.of("1"));
        b.stop();
        // switched off, the same re-delivery is applied as it comes (what a keyless table then gets: doubles)
        FerrySinkTask c = task(new RecordingContext(false), Map.of("source.redelivered.skip", "false"));
        c.put(List.of(logged(9, 5, 300, 2)));
        assertThat(rows("SELECT count(*) FROM audit_log WHERE seq = 5")).containsExactly(List.of("2"));
        c.stop();
    }

    @Test
    void aLoginRefusedAfterAFailureFailsTheTaskInsteadOfRetryingForever() throws Exception {
        String role = "revoked_" + System.nanoTime();
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD 'Revoked-1'");
        }
        FerrySinkTask task = task(new RecordingContext(false), Map.of("connection.user", role,
                "connection.password", "Revoked-1", "max.retries", "1000"));
        task.put(List.of(rec(0, "c", null, row(1, "a", 1, null, null, null), null)));
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + role + " NOLOGIN");
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
        }
        // the lost connection is transient; the refused login behind it is not, however many retries are left
        assertThatThrownBy(() -> task.put(List.of(rec(1, "c", null, row(2, "b", 1, null, null, null), null))))
                .isInstanceOf(org.apache.kafka.connect.errors.RetriableException.class);
        assertThatThrownBy(() -> task.put(List.of(rec(1, "c", null, row(2, "b", 1, null, null, null), null))))
                .isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
                .isNotInstanceOf(org.apache.kafka.connect.errors.RetriableException.class)
                .hasMessageContaining("SQLState 28000").hasMessageNotContaining("Revoked-1");
        task.stop();
    }

    private void terminateSinkConnections() throws Exception {
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'ferry-sink:%'");
        }
    }

    @Test
    void badRecordGoesToReporterWithContextAndTheRestIsWritten() throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = task(ctx, Map.of());
        task.put(List.of(rec(0, "c", null, row(1, "ok", 1, null, null, null), null),
                rec(1, "c", null, row(2, "too long for twenty characters", 1, null, null, null), null),
                rec(2, "c", null, row(3, "ok too", 1, null, null, null), null)));
        assertThat(rows("SELECT \"Id\" FROM \"Order Line\" ORDER BY 1")).containsExactly(List.of("1"), List.of("3"));
        assertThat(ctx.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
        assertThat(ctx.reportedErrors.get(0).getMessage()).contains("test-sink", TOPIC + "-0@1", "Order Line",
                "Id=2", "SQLState 22001");
        assertThat(ctx.reportedErrors.get(0).getMessage()).as("row values stay out of messages")
                .doesNotContain("too long for twenty");
        assertThat(rows("SELECT bad_records, inserts FROM ferry.table_stats")).containsExactly(List.of("1", "2"));
        task.stop();
    }

    @Test
    void withoutReporterABadRecordFailsTheTaskWithTheFacts() {
        FerrySinkTask task = task(new RecordingContext(false), Map.of("text.nul.policy", "fail"));
        assertThatThrownBy(() -> task.put(List.of(
                rec(0, "c", null, row(1, "nul\0here", 1, null, null, null), null))))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("test-sink").hasMessageContaining(TOPIC + "-0@0")
                .hasMessageContaining("\"select\"").hasMessageContaining("NUL").hasMessageContaining("Id=1");
        task.stop();
    }

    @Test
    void missingTableWithoutAutoCreateIsReported() throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = task(ctx, Map.of("table.auto.create", "false"));
        task.put(List.of(rec(0, "c", null, row(1, "ok", 1, null, null, null), null)));
        assertThat(ctx.reportedErrors).singleElement().satisfies(e ->
                assertThat(e.getMessage()).contains("does not exist", "table.auto.create"));
        assertThat(rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of("1"));
        task.stop();
    }

    @Test
    void newColumnIsAddedDuringChanges() throws Exception {
        FerrySinkTask task = task(new RecordingContext(false), Map.of());
        task.put(List.of(rec(0, "c", null, row(1, "a", 1, null, null, null), null)));
        Schema wider = SchemaBuilder.struct().name("v2").optional().field("Id", Schema.INT32_SCHEMA)
                .field("note", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct after = new Struct(wider).put("Id", 5).put("note", "added");
        task.put(List.of(Envelopes.record(TOPIC, 1, new Struct(KEY).put("Id", 5), wider, "c", null, after, null)));
        assertThat(rows("SELECT \"Id\", note FROM \"Order Line\" ORDER BY 1")).containsExactly(
                java.util.Arrays.asList("1", null), List.of("5", "added"));
        task.stop();
    }

    static Schema enumRow(String allowed) {
        Schema size = SchemaBuilder.string().optional().name("io.debezium.data.Enum").parameter("allowed", allowed).build();
        return SchemaBuilder.struct().name("v-" + allowed).optional().field("Id", Schema.INT32_SCHEMA)
                .field("size", size).build();
    }

    SinkRecord enumRecord(long offset, Schema row, int id, String size) {
        return Envelopes.record(TOPIC, offset, new Struct(KEY).put("Id", id), row, "c", null,
                new Struct(row).put("Id", id).put("size", size), null);
    }

    @Test
    void enumsAreCheckedAndTheCheckFollowsTheSourceEnum() throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = task(ctx, Map.of());
        Schema small = enumRow("S,M");
        task.put(List.of(enumRecord(0, small, 1, "S"), enumRecord(1, small, 2, ""), enumRecord(2, small, 3, "XL")));
        assertThat(rows("SELECT \"Id\", size FROM \"Order Line\" ORDER BY 1")).containsExactly(List.of("1", "S"),
                List.of("2", ""));
        assertThat(ctx.reportedErrors).singleElement().asString().contains("23514");
        // ALTER TABLE ... MODIFY size ENUM('S','M','XL') at the source
        Schema wider = enumRow("S,M,XL");
        task.put(List.of(enumRecord(3, wider, 3, "XL")));
        assertThat(rows("SELECT size FROM \"Order Line\" WHERE \"Id\" = 3")).containsExactly(List.of("XL"));
        assertThat(rows("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'Order Line_size_enum'"))
                .singleElement().asString().contains("'XL'");
        task.stop();
    }

    @Test
    void withEnumModeTypeEnumsBecomeAPostgresEnumTypeThatGrowsWithTheSource() throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = task(ctx, Map.of("enum.mode", "type"));
        Schema small = enumRow("S,M");
        task.put(List.of(enumRecord(0, small, 1, "M"), enumRecord(1, small, 2, ""), enumRecord(2, small, 3, "XL"),
                enumRecord(3, small, 4, "S")));
        assertThat(rows("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                + "'\"Order Line\"'::regclass AND attname = 'size'")).containsExactly(List.of("\"Order Line_size\""));
        // ordered as the source declares them, as MySQL sorts an ENUM by its index
        assertThat(rows("SELECT \"Id\" FROM \"Order Line\" ORDER BY size")).containsExactly(List.of("2"), List.of("4"),
                List.of("1"));
        assertThat(ctx.reportedErrors).singleElement().asString().contains("22P02");
        // ALTER TABLE ... MODIFY size ENUM('S','M','XL') at the source
        task.put(List.of(enumRecord(4, enumRow("S,M,XL"), 3, "XL")));
        assertThat(rows("SELECT enum_range(NULL::\"Order Line_size\")::text")).containsExactly(List.of("{\"\",S,M,XL}"));
        assertThat(rows("SELECT size FROM \"Order Line\" WHERE \"Id\" = 3")).containsExactly(List.of("XL"));
        task.stop();
        // a restart sees the type as it is, and an update goes through the upsert path with the enum cast
        FerrySinkTask again = task(new RecordingContext(true), Map.of("enum.mode", "type"));
        again.put(List.of(Envelopes.record(TOPIC, 5, new Struct(KEY).put("Id", 1), enumRow("S,M,XL"), "u", null,
                new Struct(enumRow("S,M,XL")).put("Id", 1).put("size", "XL"), null)));
        assertThat(rows("SELECT size FROM \"Order Line\" WHERE \"Id\" = 1")).containsExactly(List.of("XL"));
        again.stop();
    }

    void dropAtTheSource(String policy, String expectedColumns) throws Exception {
        url = TestPostgres.newDatabaseUrl();
        FerrySinkTask task = task(new RecordingContext(false), Map.of("column.drop.policy", policy));
        Schema before = SchemaBuilder.struct().name("d1").optional().field("Id", Schema.INT32_SCHEMA)
                .field("note", Schema.STRING_SCHEMA).build();
        Schema after = SchemaBuilder.struct().name("d2").optional().field("Id", Schema.INT32_SCHEMA).build();
        task.put(List.of(Envelopes.record(TOPIC, 0, new Struct(KEY).put("Id", 1), before, "c", null,
                new Struct(before).put("Id", 1).put("note", "n"), null)));
        // ALTER TABLE ... DROP COLUMN note at the source, then a new row
        task.put(List.of(Envelopes.record(TOPIC, 1, new Struct(KEY).put("Id", 2), after, "c", null,
                new Struct(after).put("Id", 2), null)));
        assertThat(rows("SELECT string_agg(column_name || ':' || is_nullable, ',' ORDER BY ordinal_position) "
                + "FROM information_schema.columns WHERE table_name = 'Order Line'")).containsExactly(List.of(expectedColumns));
        assertThat(rows("SELECT count(*) FROM \"Order Line\"")).containsExactly(List.of("2"));
        task.stop();
    }

    @Test
    void aColumnRenamedAtTheSourceIsRenamedInTheTargetWithItsValues() throws Exception {
        FerrySinkTask task = task(new RecordingContext(false), Map.of());
        Schema v1 = SchemaBuilder.struct().name("r1").optional().field("Id", Schema.INT32_SCHEMA)
                .field("note", Schema.STRING_SCHEMA).field("n", Schema.OPTIONAL_INT32_SCHEMA).build();
        Schema v2 = SchemaBuilder.struct().name("r2").optional().field("Id", Schema.INT32_SCHEMA)
                .field("remark", Schema.STRING_SCHEMA).field("n", Schema.OPTIONAL_INT32_SCHEMA).build();
        task.put(List.of(Envelopes.record(TOPIC, 0, new Struct(KEY).put("Id", 1), v1, "c", null,
                new Struct(v1).put("Id", 1).put("note", "before").put("n", 1), null)));
        // ALTER TABLE ... RENAME COLUMN note TO remark at the source, then a new row
        task.put(List.of(Envelopes.record(TOPIC, 1, new Struct(KEY).put("Id", 2), v2, "c", null,
                new Struct(v2).put("Id", 2).put("remark", "after").put("n", 2), null)));
        assertThat(rows("SELECT string_agg(column_name || ':' || is_nullable, ',' ORDER BY ordinal_position) "
                + "FROM information_schema.columns WHERE table_name = 'Order Line'")).containsExactly(List.of("Id:NO,remark:NO,n:YES"));
        assertThat(rows("SELECT \"Id\", remark FROM \"Order Line\" ORDER BY 1")).containsExactly(List.of("1", "before"),
                List.of("2", "after"));
        task.stop();
    }

    @Test
    void aColumnDroppedAtTheSourceIsKeptNullableOrDropped() throws Exception {
        dropAtTheSource("keep", "Id:NO,note:YES");
        dropAtTheSource("drop", "Id:NO");
    }

    static Schema qtyRow(String name, Schema qty) {
        return SchemaBuilder.struct().name(name).optional().field("Id", Schema.INT32_SCHEMA).field("qty", qty).build();
    }

    SinkRecord qtyRecord(String topic, long offset, Schema row, int id, Object qty) {
        return Envelopes.record(topic, offset, new Struct(KEY).put("Id", id), row, "c", null,
                new Struct(row).put("Id", id).put("qty", qty), null);
    }

    @Test
    void anUnsafeTypeChangeStopsThatTableOnlyUntilTheTargetChanges() throws Exception {
        FerrySinkTask.RELEASE_CHECK_MS = 0;
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = task(ctx, Map.of());
        Schema asInt = qtyRow("q1", SchemaBuilder.int32().optional().parameter("__debezium.source.column.type", "INT").build());
        Schema asText = qtyRow("q2", SchemaBuilder.string().optional()
                .parameter("__debezium.source.column.type", "VARCHAR").parameter("__debezium.source.column.length", "10").build());
        String other = "srv.shop.other";
        task.put(List.of(qtyRecord(TOPIC, 0, asInt, 1, 7), qtyRecord(other, 0, asInt, 1, 1)));
        // ALTER TABLE `Order Line` MODIFY qty VARCHAR(10) at the source: integer -> varchar could change stored values
        task.put(List.of(qtyRecord(TOPIC, 1, asText, 2, "ten"), qtyRecord(other, 1, asInt, 2, 2),
                qtyRecord(TOPIC, 2, asText, 3, "eleven")));
        assertThat(rows("SELECT count(*) FROM other")).containsExactly(List.of("2"));
        assertThat(rows("SELECT \"Id\", qty FROM \"Order Line\"")).containsExactly(List.of("1", "7"));
        assertThat(ctx.paused).containsExactly(TP);
        assertThat(ctx.seeks).containsEntry(TP, 1L);
        assertThat(ctx.reported).isEmpty();
        String ddl = "ALTER TABLE \"public\".\"Order Line\" ALTER COLUMN \"qty\" TYPE varchar(10) USING \"qty\"::varchar(10)";
        assertThat(rows("SELECT table_name, column_name, target_type, ddl FROM ferry.stopped_tables"))
                .containsExactly(List.of("Order Line", "qty", "integer", ddl));
        assertThat(rows("SELECT next_offset FROM ferry.sink_offsets WHERE topic = '" + TOPIC + "'")).containsExactly(List.of("1"));
        task.stop();

        // a restarted task keeps the table stopped: the stop is in the state schema
        RecordingContext ctx2 = new RecordingContext(true);
        FerrySinkTask again = task(ctx2, Map.of());
        again.put(List.of(qtyRecord(TOPIC, 1, asText, 2, "ten"), qtyRecord(other, 2, asInt, 3, 3)));
        assertThat(ctx2.paused).containsExactly(TP);
        assertThat(rows("SELECT count(*) FROM other")).containsExactly(List.of("3"));
        try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
            st.execute(ddl);
        }
        again.put(List.of());
        assertThat(ctx2.paused).isEmpty();
        assertThat(ctx2.seeks).containsEntry(TP, 1L);
        again.put(List.of(qtyRecord(TOPIC, 1, asText, 2, "ten"), qtyRecord(TOPIC, 2, asText, 3, "eleven")));
        assertThat(rows("SELECT \"Id\", qty FROM \"Order Line\" ORDER BY 1")).containsExactly(List.of("1", "7"),
                List.of("2", "ten"), List.of("3", "eleven"));
        assertThat(rows("SELECT count(*) FROM ferry.stopped_tables")).containsExactly(List.of("0"));
        again.stop();
        FerrySinkTask.RELEASE_CHECK_MS = 5000;
    }

    @Test
    void withUnsafeChangePolicyContinueTheValuesThatDoNotFitAreBadRecords() throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = task(ctx, Map.of("unsafe.change.policy", "continue"));
        Schema asInt = qtyRow("q1", SchemaBuilder.int32().optional().parameter("__debezium.source.column.type", "INT").build());
        Schema asText = qtyRow("q2", SchemaBuilder.string().optional()
                .parameter("__debezium.source.column.type", "VARCHAR").parameter("__debezium.source.column.length", "10").build());
        task.put(List.of(qtyRecord(TOPIC, 0, asInt, 1, 7)));
        task.put(List.of(qtyRecord(TOPIC, 1, asText, 2, "ten"), qtyRecord(TOPIC, 2, asText, 3, "12")));
        assertThat(ctx.paused).isEmpty();
        assertThat(rows("SELECT \"Id\", qty FROM \"Order Line\" ORDER BY 1")).containsExactly(List.of("1", "7"),
                List.of("3", "12"));
        assertThat(ctx.reportedErrors).singleElement().asString().contains("22P02");
        task.stop();
    }
}
