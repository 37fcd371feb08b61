package io.ferry.sink;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.ferry.sink.FerrySinkTaskTest.KEY;
import static io.ferry.sink.FerrySinkTaskTest.TOPIC;
import static io.ferry.sink.FerrySinkTaskTest.TP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * snapshot.copy.span.bytes on a real PostgreSQL: consecutive full-load batches of one table go into one COPY on the
 * sink's second connection and commit with their offsets in one transaction (told apart by PostgreSQL's xmin, read
 * from outside the sink); a span that fails is rolled back whole and read again from the offsets PostgreSQL committed.
 */
class CopySpanTest {

    final FerrySinkTaskTest rows = new FerrySinkTaskTest();
    static final Map<String, String> SPAN = Map.of("snapshot.write.overlap", "true", "snapshot.copy.format", "binary",
            "snapshot.copy.span.bytes", "100000000", "snapshot.copy.span.ms", "600000", "errors.tolerance", "all");

    @BeforeEach
    void database() throws Exception {
        rows.database();
    }

    /** FerrySinkTaskTest's row less its columns without a binary COPY form (a span writes binary only). */
    static final Schema ROW = SchemaBuilder.struct().name("v").optional()
            .field("Id", Schema.INT32_SCHEMA)
            .field("select", SchemaBuilder.string().optional().parameter("__debezium.source.column.type", "VARCHAR")
                    .parameter("__debezium.source.column.length", "20").build())
            .field("price", Decimal.builder(2).optional().parameter("connect.decimal.precision", "5").build())
            .build();

    static SinkRecord rec(long offset, String select, String snapshot) {
        Struct row = new Struct(ROW).put("Id", (int) offset + 1).put("select", select).put("price", new BigDecimal("1.00"));
        return Envelopes.record(TOPIC, offset, new Struct(KEY).put("Id", (int) offset + 1), ROW, "r", null, row, snapshot);
    }

    static List<SinkRecord> snapshot(int fromOffset, int count, String marker) {
        List<SinkRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int o = fromOffset + i;
            out.add(rec(o, "row " + (o + 1), o == 0 ? marker : "true"));
        }
        return out;
    }

    long count(String sql) throws Exception {
        return Long.parseLong((String) rows.rows(sql).get(0).get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"batch", "transactional"})
    void batchesShareOneCopyAndCommitWithTheirOffsetsInOneTransaction(String mode) throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = rows.task(ctx, BackgroundWriteTest.inMode(mode, SPAN));
        task.put(snapshot(0, 3, "first"));
        task.put(snapshot(3, 200, null));
        task.put(snapshot(203, 300, null));
        assertThat(ctx.timeout).as("an empty poll soon commits the span once the topic runs dry")
                .isEqualTo(FerrySinkTask.SPAN_IDLE_MS);
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).as("nothing visible before the span commits").isZero();
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(503)))).containsEntry(TP, new OffsetAndMetadata(503));
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(503);
        assertThat(count("SELECT count(DISTINCT xmin::text) FROM \"Order Line\"")).as("one transaction").isEqualTo(1);
        assertThat(rows.rows("SELECT next_offset, xmin::text = (SELECT min(xmin::text) FROM \"Order Line\") "
                + "FROM ferry.sink_offsets")).as("offsets in the rows' transaction").containsExactly(List.of("503", "t"));
        assertThat(count("SELECT snapshot_rows FROM ferry.table_stats")).isEqualTo(503);
        // an empty put() (Connect's poll found nothing) commits the next span too
        task.put(snapshot(503, 7, null));
        task.put(List.of());
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(510);
        assertThat(count("SELECT count(DISTINCT xmin::text) FROM \"Order Line\"")).isEqualTo(2);
        assertThat(rows.rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of("510"));
        task.stop();
    }

    static final TopicPartition FILM = new TopicPartition("srv.shop.film", 0);

    /** Films keyed by their title ("select"); at {@code badAt} one too long for varchar(20), at {@code noKeyAt} none. */
    static List<SinkRecord> films(int fromOffset, int count, int badAt, int noKeyAt) {
        List<SinkRecord> out = new ArrayList<>();
        for (int o = fromOffset; o < fromOffset + count; o++) {
            Struct row = new Struct(ROW).put("Id", o + 1).put("select", o == badAt ? "x".repeat(25)
                    : o == noKeyAt ? null : "film " + (o + 1)).put("price", new BigDecimal("2.50"));
            out.add(Envelopes.record(FILM.topic(), o, new Struct(KEY).put("Id", o + 1), ROW, "r", null, row,
                    o == 0 ? "first" : "true"));
        }
        return out;
    }

    /**
     * A table whose key is a bigint from the key registry (bigint.keys): its ids are allocated and committed on their
     * own before the rows (KeyRegistry), so its batches share a span too; a span read again after a failure finds the
     * ids allocated before and takes no new ones.
     */
    @Test
    void aTableWithRegistryKeysSpansAndARereadSpanKeepsItsIds() throws Exception {
        Map<String, String> props = new HashMap<>(SPAN);
        props.put("bigint.keys", "film.film_id=film(select)");
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = rows.task(ctx, props);
        task.open(List.of(FILM));
        task.put(films(0, 3, -1, -1));
        task.put(films(3, 200, -1, -1));
        assertThat(count("SELECT count(*) FROM film")).as("held open in a span").isZero();
        assertThat(task.preCommit(Map.of(FILM, new OffsetAndMetadata(203)))).containsEntry(FILM, new OffsetAndMetadata(203));
        assertThat(count("SELECT count(DISTINCT xmin::text) FROM film")).as("one transaction").isEqualTo(1);
        assertThat(count("SELECT count(DISTINCT film_id) FROM film f JOIN ferry.key_registry r "
                + "ON r.table_name = 'film' AND r.id = f.film_id")).isEqualTo(203);
        // offset 204's title is too long for its varchar(20): the span of offsets 203-205 is read again
        task.put(films(203, 3, 204, -1));
        task.put(List.of());
        assertThat(ctx.seeks).containsEntry(FILM, 203L);
        long idsBefore = count("SELECT count(*) FROM ferry.key_registry WHERE table_name = 'film'");
        assertThat(idsBefore).as("allocated and committed before their rows").isEqualTo(206);
        ctx.seeks.clear();
        task.put(films(203, 3, 204, -1));
        assertThat(ctx.reported).extracting(SinkRecord::kafkaOffset).containsExactly(204L);
        assertThat(count("SELECT count(*) FROM ferry.key_registry WHERE table_name = 'film'")).isEqualTo(idsBefore);
        // a row without its natural key, found by the registry while a span is open: the span commits, the batch
        // with the row is read again on the task thread, the row reported
        task.put(films(206, 3, -1, -1));
        task.put(films(209, 3, -1, 210));
        task.put(List.of());
        assertThat(ctx.seeks).containsEntry(FILM, 209L);
        task.put(films(209, 3, -1, 210));
        assertThat(ctx.reported).extracting(SinkRecord::kafkaOffset).containsExactly(204L, 210L);
        assertThat(task.preCommit(Map.of(FILM, new OffsetAndMetadata(212)))).containsEntry(FILM, new OffsetAndMetadata(212));
        assertThat(count("SELECT count(DISTINCT film_id) FROM film f JOIN ferry.key_registry r "
                + "ON r.table_name = 'film' AND r.id = f.film_id")).isEqualTo(210);
        assertThat(rows.rows("SELECT next_offset FROM ferry.sink_offsets WHERE topic = 'srv.shop.film'"))
                .containsExactly(List.of("212"));
        task.stop();
    }

    /** BinaryCopyTest's hand-written design: a full load of three batches, then updates and deletes. */
    List<List<Object>> designStory(Map<String, String> options, boolean sameTransaction) throws Exception {
        FerrySinkTaskTest db = new FerrySinkTaskTest();
        db.database();
        Map<String, String> props = new HashMap<>(options);
        props.put("target.ddl", BinaryCopyTest.DDL);
        props.put("tinyint1.as.boolean", "true");
        FerrySinkTask task = db.task(new RecordingContext(false), props);
        long offset = 0;
        for (int from = 0; from < BinaryCopyTest.ROWS; from += 1000) {
            task.put(BinaryCopyTest.records(from, from + 1000, offset, "r", id -> BinaryCopyTest.row(id, 0)));
            offset += 1000;
        }
        // changes: written on the task thread, after the span they follow has committed
        task.put(BinaryCopyTest.records(0, 300, offset, "u", id -> BinaryCopyTest.row(id, 1)));
        offset += 300;
        task.put(BinaryCopyTest.records(300, 400, offset, "d", id -> null));
        task.stop();
        if (sameTransaction) {
            assertThat(db.rows("SELECT count(DISTINCT xmin::text) FROM wide WHERE \"Id\" >= 400"))
                    .as("the load's untouched rows: one COPY, one transaction").containsExactly(List.of("1"));
        }
        return db.rows("SELECT t::text FROM wide t ORDER BY \"Id\"");
    }

    /** Text COPY, one per batch: the reference the spans are held to. */
    static final Map<String, String> TEXT_PER_BATCH = Map.of("snapshot.copy.format", "text", "snapshot.copy.span.bytes", "0");

    static Map<String, String> textSpan() {
        Map<String, String> m = new HashMap<>(SPAN);
        m.put("snapshot.copy.format", "text");
        return m;
    }

    @Test
    void aHandWrittenDesignLoadedThroughASpanHoldsWhatTextCopyLeaves() throws Exception {
        List<List<Object>> viaText = designStory(TEXT_PER_BATCH, false);
        List<List<Object>> viaSpan = designStory(SPAN, true);
        assertThat(viaText).hasSize(BinaryCopyTest.ROWS - 100);
        assertThat(viaSpan).isEqualTo(viaText);
        assertThat(designStory(textSpan(), true)).as("a text COPY spanning the batches").isEqualTo(viaText);
    }

    /**
     * FerrySinkTaskTest's row has columns without a binary form (a SET as text[], a TIME): its batches share one text
     * COPY, escapes, NULs and unicode as one COPY per batch leaves them.
     */
    @Test
    void rowsWithoutABinaryFormSpanAsText() throws Exception {
        assertThat(spannedAsPerBatch(this::textOnlyLoad)).hasSize(300);
    }

    /** One load of a test, with the given options, told whether they make it span. */
    interface Load {
        List<List<Object>> run(Map<String, String> options, boolean spans) throws Exception;
    }

    /** The load through spans leaves what text COPY one per batch leaves; that table. */
    static List<List<Object>> spannedAsPerBatch(Load load) throws Exception {
        List<List<Object>> perBatch = load.run(TEXT_PER_BATCH, false);
        assertThat(load.run(SPAN, true)).isEqualTo(perBatch);
        return perBatch;
    }

    List<List<Object>> textOnlyLoad(Map<String, String> options, boolean oneTransaction) throws Exception {
        FerrySinkTaskTest db = new FerrySinkTaskTest();
        db.database();
        Map<String, String> props = new HashMap<>(options);
        props.put("snapshot.write.overlap", "true");
        FerrySinkTask task = db.task(new RecordingContext(true), props);
        for (int from = 0; from < 300; from += 100) {
            List<SinkRecord> batch = new ArrayList<>();
            for (int id = from; id < from + 100; id++) {
                String text = BinaryCopyTest.TEXTS[id % BinaryCopyTest.TEXTS.length];
                batch.add(FerrySinkTaskTest.rec(id, "r", null, FerrySinkTaskTest.row(id + 1, id % 7 == 0 ? null : text + id,
                        id % 3 == 0 ? null : id % 2, id % 5 == 0 ? null : (id % 1000) + ".25",
                        id % 4 == 0 ? null : id % 4 == 1 ? "" : "a,b c", id % 6 == 0 ? null : id * 1_000_001L),
                        id == 0 ? "first" : "true"));
            }
            task.put(batch);
        }
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(300)))).containsEntry(TP, new OffsetAndMetadata(300));
        task.stop();
        assertThat(db.rows("SELECT count(DISTINCT xmin::text) FROM \"Order Line\""))
                .containsExactly(List.of(oneTransaction ? "1" : "3"));
        return db.rows("SELECT t::text, (SELECT row(snapshot_rows, nul_stripped)::text FROM ferry.table_stats) "
                + "FROM \"Order Line\" t ORDER BY \"Id\"");
    }

    /**
     * A value without an exact binary form deep in a span (a NaN for a numeric column): the span is read again, the
     * table's rows of that shape then go as text, through a span again, and end as one COPY per batch leaves them.
     */
    @Test
    void aValueWithoutABinaryFormInASpanSendsTheTableToATextSpan() throws Exception {
        List<List<Object>> table = spannedAsPerBatch(this::nanLoad);
        assertThat(table).hasSize(BinaryCopyTest.ROWS);
        assertThat(table.toString()).contains("NaN");
    }

    List<List<Object>> nanLoad(Map<String, String> options, boolean spans) throws Exception {
        FerrySinkTaskTest db = new FerrySinkTaskTest();
        db.database();
        Map<String, String> props = new HashMap<>(options);
        props.put("snapshot.write.overlap", "true");
        props.put("target.ddl", BinaryCopyTest.DDL);
        props.put("tinyint1.as.boolean", "true");
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = db.task(ctx, props);
        task.open(List.of(WIDE));
        List<List<SinkRecord>> batches = new ArrayList<>();
        for (int from = 0; from < BinaryCopyTest.ROWS; from += 1000) {
            batches.add(BinaryCopyTest.records(from, from + 1000, from, "r",
                    id -> id == 2600 ? BinaryCopyTest.row(id, 0).put("ratio", Double.NaN) : BinaryCopyTest.row(id, 0)));
        }
        batches.forEach(task::put);
        task.put(List.of());
        if (spans) {
            assertThat(ctx.seeks).as("the whole span is read again").containsEntry(WIDE, 0L);
            assertThat(db.rows("SELECT count(*) FROM wide")).containsExactly(List.of("0"));
            batches.forEach(task::put); // Connect delivers from offset 0 again
        } else {
            assertThat(ctx.seeks).isEmpty();
        }
        assertThat(task.preCommit(Map.of(WIDE, new OffsetAndMetadata(3000)))).containsEntry(WIDE, new OffsetAndMetadata(3000));
        task.stop();
        if (spans) {
            assertThat(db.rows("SELECT count(DISTINCT xmin::text) FROM wide WHERE \"Id\" >= 1000"))
                    .as("after the first batch read again on the task thread, a text span").containsExactly(List.of("1"));
        }
        assertThat(ctx.reported).isEmpty();
        return db.rows("SELECT t::text, (SELECT snapshot_rows FROM ferry.table_stats) FROM wide t ORDER BY \"Id\"");
    }

    static final TopicPartition WIDE = new TopicPartition(BinaryCopyTest.TOPIC, 0);

    /**
     * The lesson's restart in the middle of the load, on BinaryCopyTest's hand-written design: the worker dies with a
     * span open (its rows are gone with its connections; the next task starts from the offset PostgreSQL committed with
     * the last span), then Debezium too starts its snapshot again from the first row. The rows left must be what text
     * COPY leaves for the same load and changes with no failure at all, the load counted once.
     */
    /** Debezium's snapshot of the wide table read again from its first row, from an offset; the next offset. */
    static long putSnapshotAgain(FerrySinkTask task, long offset) {
        for (int from = 0; from < BinaryCopyTest.ROWS; from += 1000) {
            List<SinkRecord> batch = BinaryCopyTest.records(from, from + 1000, offset, "r", id -> BinaryCopyTest.row(id, 0));
            if (from == 0) {
                batch.set(0, Envelopes.record(BinaryCopyTest.TOPIC, offset, new Struct(BinaryCopyTest.KEY).put("Id", 0),
                        BinaryCopyTest.ROW, "r", null, BinaryCopyTest.row(0, 0), "first"));
            }
            task.put(batch);
            offset += 1000;
        }
        return offset;
    }

    /** The wide table's hand-written design, spanning, in an apply mode. */
    static Map<String, String> wideDesign(String mode) {
        Map<String, String> props = BackgroundWriteTest.inMode(mode, SPAN);
        props.put("target.ddl", BinaryCopyTest.DDL);
        props.put("tinyint1.as.boolean", "true");
        return props;
    }

    /**
     * Debezium begins a table's snapshot again while the sink runs on (its task died after part of the first pass
     * reached the topic, as a broker restart in the fault matrix caused): the earlier pass sits in the open span when
     * the new pass's first row comes, and must still be undone, not kept beside the new pass.
     */
    @ParameterizedTest
    @ValueSource(strings = {"batch", "transactional"})
    void aSnapshotBegunAgainWhileItsEarlierPassIsInTheOpenSpanIsUndone(String mode) throws Exception {
        FerrySinkTaskTest db = new FerrySinkTaskTest();
        db.database();
        FerrySinkTask task = db.task(new RecordingContext(false), wideDesign(mode));
        task.open(List.of(WIDE));
        // the first pass: 1,000 rows in two batches, both in one span
        task.put(BinaryCopyTest.records(0, 500, 0, "r", id -> BinaryCopyTest.row(id, 0)));
        task.put(BinaryCopyTest.records(500, 1000, 500, "r", id -> BinaryCopyTest.row(id, 0)));
        // the second pass, from its first row, at offset 1000 and later source times
        long offset = putSnapshotAgain(task, 1000);
        task.preCommit(Map.of(WIDE, new OffsetAndMetadata(offset)));
        task.stop();
        assertThat(db.rows("SELECT count(*), count(DISTINCT \"Id\") FROM wide"))
                .as("the second pass alone").containsExactly(List.of("3000", "3000"));
        assertThat(db.rows("SELECT snapshot_rows, snapshot_restarts FROM ferry.table_stats"))
                .as("the earlier pass undone, the new one counted once").containsExactly(List.of("3000", "1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"batch", "transactional"})
    void aRestartInTheMiddleOfTheLoadLosesNothingAndDoublesNothing(String mode) throws Exception {
        List<List<Object>> expected = designStory(TEXT_PER_BATCH, false);
        FerrySinkTaskTest db = new FerrySinkTaskTest();
        db.database();
        Map<String, String> props = wideDesign(mode);
        FerrySinkTask dying = db.task(new RecordingContext(false), props);
        dying.open(List.of(WIDE));
        dying.put(BinaryCopyTest.records(0, 1000, 0, "r", id -> BinaryCopyTest.row(id, 0)));
        dying.put(BinaryCopyTest.records(1000, 2000, 1000, "r", id -> BinaryCopyTest.row(id, 0)));
        assertThat(dying.preCommit(Map.of(WIDE, new OffsetAndMetadata(2000)))).containsEntry(WIDE, new OffsetAndMetadata(2000));
        dying.put(BinaryCopyTest.records(2000, 3000, 2000, "r", id -> BinaryCopyTest.row(id, 0)));
        // the worker's process dies: PostgreSQL drops its sessions, the open span with them
        db.rows("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity "
                + "WHERE datname = current_database() AND pid <> pg_backend_pid()");
        assertThat(db.rows("SELECT count(*), (SELECT next_offset FROM ferry.sink_offsets) FROM wide"))
                .as("only the committed span is there").containsExactly(List.of("2000", "2000"));

        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = db.task(ctx, props);
        task.open(List.of(WIDE));
        assertThat(ctx.seeks).as("the new task starts where PostgreSQL says").containsEntry(WIDE, 2000L);
        task.put(BinaryCopyTest.records(2000, 3000, 2000, "r", id -> BinaryCopyTest.row(id, 0)));
        // Debezium's task died too and reads the table again from its first row, at offset 3000
        long offset = putSnapshotAgain(task, 3000);
        task.put(BinaryCopyTest.records(0, 300, offset, "u", id -> BinaryCopyTest.row(id, 1)));
        offset += 300;
        task.put(BinaryCopyTest.records(300, 400, offset, "d", id -> null));
        task.stop();
        dying.stop();
        assertThat(db.rows("SELECT t::text FROM wide t ORDER BY \"Id\"")).isEqualTo(expected);
        assertThat(db.rows("SELECT snapshot_rows, snapshot_restarts FROM ferry.table_stats"))
                .as("the earlier pass undone, the new one counted once").containsExactly(List.of("3000", "1"));
        assertThat(db.rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of(String.valueOf(offset + 100)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"batch", "transactional"})
    void aSpanThatFailsIsRolledBackWholeAndReadAgainFromTheStoredOffsets(String mode) throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = rows.task(ctx, BackgroundWriteTest.inMode(mode, SPAN));
        task.put(snapshot(0, 3, "first"));
        task.put(List.of()); // committed: offset 3 stored
        assertThat(rows.rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of("3"));
        List<SinkRecord> good = snapshot(3, 3, null);
        // offset 7 holds a value longer than its varchar(20): the span holding offsets 3-8 cannot commit
        List<SinkRecord> withBad = snapshot(6, 3, null);
        withBad.set(1, rec(7, "x".repeat(25), "true"));
        task.put(good);
        task.put(withBad);
        task.put(List.of());
        assertThat(ctx.seeks).as("the span's first batch too is read again").containsEntry(TP, 3L);
        OffsetAndMetadata committed = task.preCommit(Map.of(TP, new OffsetAndMetadata(9))).get(TP);
        assertThat(committed == null || committed.offset() <= 3).as("no commit past the span read again: " + committed)
                .isTrue();
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(3);
        // Connect delivers from offset 3 again: written on the task thread, the bad record reported
        ctx.seeks.clear();
        List<SinkRecord> again = new ArrayList<>(good);
        again.addAll(withBad);
        task.put(again);
        assertThat(ctx.reported).extracting(SinkRecord::kafkaOffset).containsExactly(7L);
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(8);
        assertThat(rows.rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of("9"));
        // the table's next batches go one COPY each, in the background as before
        task.put(snapshot(9, 2, null));
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(11)))).containsEntry(TP, new OffsetAndMetadata(11));
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(10);
        assertThat(ctx.reported).hasSize(1);
        task.stop();
    }
}
