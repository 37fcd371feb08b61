package io.ferry.sink;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ferry.sink.FerrySinkTaskTest.TP;
import static io.ferry.sink.FerrySinkTaskTest.rec;
import static io.ferry.sink.FerrySinkTaskTest.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * snapshot.write.overlap (the default) on a real PostgreSQL: a full-load batch is committed on the task's writer thread
 * while put() has already returned, and a batch that fails there is read again from the offsets PostgreSQL committed
 * and written on the task thread, bad records to the errant-record reporter as without the option. One COPY per batch
 * here (snapshot.copy.span.bytes=0), so each batch commits alone; CopySpanTest has the batches that share a COPY.
 * Every case runs in both CDC apply modes: full-load rows belong to no source transaction, so cdc.apply.mode=transactional
 * writes them in the background too, through its transaction buffer.
 */
class BackgroundWriteTest {

    final FerrySinkTaskTest rows = new FerrySinkTaskTest();
    static final Map<String, String> ONE_COPY_PER_BATCH = Map.of("snapshot.write.overlap", "true",
            "snapshot.copy.span.bytes", "0");

    static Map<String, String> with(Map<String, String> options, String key, String value) {
        Map<String, String> m = new HashMap<>(options);
        m.put(key, value);
        return m;
    }

    /** The options in an apply mode: batch (the default) or transactional, with its transaction topic. */
    static Map<String, String> inMode(String mode, Map<String, String> options) {
        Map<String, String> m = with(options, "cdc.apply.mode", mode);
        if (mode.equals("transactional")) {
            m.put("transaction.topic", "legacy.transaction");
            m.put("topics.regex", ".*"); // the transaction topic must be among the subscribed
        }
        return m;
    }

    @BeforeEach
    void database() throws Exception {
        rows.database();
    }

    static List<SinkRecord> snapshot(int fromOffset, int count, String marker) {
        List<SinkRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int o = fromOffset + i;
            out.add(rec(o, "r", null, row(o + 1, "row " + (o + 1), 1, "1.00", null, null), o == 0 ? marker : "true"));
        }
        return out;
    }

    long count(String sql) throws Exception {
        return Long.parseLong((String) rows.rows(sql).get(0).get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"batch", "transactional"})
    void putReturnsWhileThePreviousBatchIsStillBeingWrittenAndPreCommitWaitsForIt(String mode) throws Exception {
        RecordingContext ctx = new RecordingContext(false);
        FerrySinkTask task = rows.task(ctx, inMode(mode, ONE_COPY_PER_BATCH));
        task.put(snapshot(0, 3, "first"));
        task.put(List.of()); // Connect's next poll: the first batch (which created the table) is settled
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(3);
        try (Connection lock = TestPostgres.connect(rows.url)) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE \"Order Line\" IN ACCESS EXCLUSIVE MODE");
            }
            // the COPY of this batch waits for the lock; put() must not
            CompletableFuture<Void> put = CompletableFuture.runAsync(() -> task.put(snapshot(3, 500, null)));
            put.get(20, TimeUnit.SECONDS);
            CompletableFuture<Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata>> commit =
                    CompletableFuture.supplyAsync(() -> task.preCommit(Map.of(TP, new OffsetAndMetadata(503))));
            Thread.sleep(500);
            assertThat(commit).as("preCommit waits for the batch in flight").isNotDone();
            lock.rollback();
            assertThat(commit.get(20, TimeUnit.SECONDS)).containsEntry(TP, new OffsetAndMetadata(503));
        }
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(503);
        assertThat(rows.rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of("503"));
        task.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"batch", "transactional"})
    void aBatchThatFailsInTheBackgroundIsReadAgainAndWrittenOnTheTaskThread(String mode) throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = rows.task(ctx, inMode(mode, with(ONE_COPY_PER_BATCH, "errors.tolerance", "all")));
        task.put(snapshot(0, 3, "first"));
        // offset 4 holds a value longer than its varchar(20): a bad record, which only the task thread may report
        List<SinkRecord> withBad = snapshot(3, 3, null);
        withBad.set(1, rec(4, "r", null, row(5, "x".repeat(25), 1, "1.00", null, null), "true"));
        task.put(withBad);
        task.put(List.of()); // settles: the first batch committed, the second did not
        assertThat(ctx.seeks).as("read again from the offset PostgreSQL committed").containsEntry(TP, 3L);
        // none (batch mode: the partition is being rewound) or no further than PostgreSQL stands (transactional: the
        // buffer expects offset 3 next)
        OffsetAndMetadata committed = task.preCommit(Map.of(TP, new OffsetAndMetadata(6))).get(TP);
        assertThat(committed == null || committed.offset() <= 3).as("no commit past the batch read again: " + committed)
                .isTrue();
        assertThat(ctx.reported).isEmpty();
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(3);
        // Connect seeks and delivers the batch again: written on the task thread, the bad record reported
        ctx.seeks.clear();
        task.put(withBad);
        assertThat(ctx.reported).extracting(SinkRecord::kafkaOffset).containsExactly(4L);
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(5);
        assertThat(rows.rows("SELECT next_offset FROM ferry.sink_offsets")).containsExactly(List.of("6"));
        // and the next batch goes to the background again
        task.put(snapshot(6, 2, null));
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(8)))).containsEntry(TP, new OffsetAndMetadata(8));
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(7);
        task.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"batch", "transactional"})
    void aPartitionsFirstBatchFailingIsReadAgainFromItsFirstRecord(String mode) throws Exception {
        RecordingContext ctx = new RecordingContext(true);
        FerrySinkTask task = rows.task(ctx, inMode(mode, with(ONE_COPY_PER_BATCH, "errors.tolerance", "all")));
        List<SinkRecord> withBad = snapshot(0, 3, "first");
        withBad.set(2, rec(2, "r", null, row(3, "y".repeat(30), 1, "1.00", null, null), "true"));
        task.put(withBad);
        task.put(List.of());
        assertThat(ctx.seeks).as("nothing stored yet: from the batch's first record").containsEntry(TP, 0L);
        ctx.seeks.clear();
        task.put(withBad);
        assertThat(ctx.reported).extracting(SinkRecord::kafkaOffset).containsExactly(2L);
        assertThat(count("SELECT count(*) FROM \"Order Line\"")).isEqualTo(2);
        task.stop();
    }
}
