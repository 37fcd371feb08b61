package io.ferry.sink.flow;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TransactionBufferTest {

    static final String TX_TOPIC = "shop.transaction";
    static final Schema BLOCK = SchemaBuilder.struct().optional().field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA).field("data_collection_order", Schema.INT64_SCHEMA).build();
    static final Schema EVENT = SchemaBuilder.struct().field("n", Schema.INT32_SCHEMA).field("transaction", BLOCK).build();
    static final Schema COLLECTION = SchemaBuilder.struct().field("data_collection", Schema.STRING_SCHEMA)
            .field("event_count", Schema.INT64_SCHEMA).build();
    static final Schema MARKER = SchemaBuilder.struct().field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA).field("event_count", Schema.OPTIONAL_INT64_SCHEMA)
            .field("data_collections", SchemaBuilder.array(COLLECTION).optional().build()).build();

    /** A task whose fence knows of nothing applied. */
    static final java.util.function.BiPredicate<TopicPartition, io.ferry.sink.state.SourcePosition> NOTHING_APPLIED =
            (tp, at) -> false;

    final long[] offsets = new long[3];

    SinkRecord event(int partition, String tx, long order) {
        Struct v = new Struct(EVENT).put("n", (int) order);
        if (tx != null) {
            v.put("transaction", new Struct(BLOCK).put("id", tx).put("total_order", order).put("data_collection_order", order));
        }
        String topic = partition == 0 ? "shop.orders" : "shop.lines";
        return new SinkRecord(topic, 0, null, null, EVENT, v, offsets[partition]++);
    }

    SinkRecord marker(String status, String tx, Long count) {
        return new SinkRecord(TX_TOPIC, 0, null, null, MARKER,
                new Struct(MARKER).put("status", status).put("id", tx).put("event_count", count), offsets[2]++);
    }

    static List<String> shape(List<SinkRecord> records) {
        List<String> out = new ArrayList<>();
        for (SinkRecord r : records) {
            out.add(r.topic() + "@" + r.kafkaOffset());
        }
        return out;
    }

    @Test
    void aTransactionGoesOutOnlyWhenItsEndAndAllItsEventsAreIn() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "a", null), event(0, "a", 1)));
        assertThat(b.ready().isEmpty()).isTrue();
        b.add(List.of(marker("END", "a", 3L), event(1, "a", 2)));
        assertThat(b.ready().isEmpty()).as("END says 3 events, 2 are in").isTrue();
        b.add(List.of(event(1, "a", 3)));
        TransactionBuffer.Ready r = b.ready();
        assertThat(shape(r.records())).containsExactlyInAnyOrder("shop.orders@0", "shop.lines@0", "shop.lines@1",
                TX_TOPIC + "@0", TX_TOPIC + "@1");
        b.applied(r);
        assertThat(b.getHeldEvents()).isZero();
        assertThat(b.ready().isEmpty()).isTrue();
    }

    @Test
    void whatTheHeldEventsWaitForIsSaidUntilTheyGoOut() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "a", null), event(0, "a", 1)));
        b.ready();
        assertThat(b.getWaitingFor()).isEqualTo("source transaction a: no END yet, 1 event(s)");
        b.add(List.of(marker("END", "a", 3L), event(1, "a", 2)));
        b.ready();
        assertThat(b.getWaitingFor()).isEqualTo("source transaction a: END arrived, 2 of its 3 events");
        b.add(List.of(event(1, "a", 3)));
        b.applied(b.ready());
        assertThat(b.getWaitingFor()).isNull();
    }

    /**
     * A CI run's stall, replayed from its topics: after a restart of the sink task, the transaction topic is read again
     * from a held BEGIN, and behind it are BEGIN and END of a transaction Debezium had sent again, whose events the
     * task before had already passed to the fence (the table topics' stored offsets are past them). Its events never
     * come; a GTID no later than one applied says it was applied before, so it does not hold the later ones.
     */
    @Test
    void anEndedTransactionEarlierByGtidThanOneAppliedDoesNotHoldLaterOnes() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "0-1-20", null), event(0, "0-1-20", 1), marker("END", "0-1-20", 1L)));
        b.applied(b.ready());
        b.add(List.of(marker("BEGIN", "0-1-10", null), marker("END", "0-1-10", 1L), marker("BEGIN", "0-1-21", null),
                event(1, "0-1-21", 1), marker("END", "0-1-21", 1L)));
        TransactionBuffer.Ready r = b.ready();
        assertThat(r.transactions()).as("0-1-21 goes out").isEqualTo(1);
        assertThat(shape(r.records())).hasSize(5);
        b.applied(r);
        assertThat(b.getHeldEvents()).isZero();
        assertThat(b.getResentTransactions()).isEqualTo(1);

        // another server's, or an id that is not a GTID, is not ordered against those: it waits for its events
        b.add(List.of(marker("BEGIN", "0-2-5", null), marker("END", "0-2-5", 1L), marker("BEGIN", "0-1-22", null),
                event(0, "0-1-22", 1), marker("END", "0-1-22", 1L)));
        assertThat(b.ready().isEmpty()).isTrue();
        assertThat(b.getWaitingFor()).isEqualTo("source transaction 0-2-5: END arrived, 0 of its 1 events");
    }

    /**
     * The same run: Debezium, restarted inside an earlier transaction, sent its BEGIN and an END counting none of this
     * sink's events. That END, whole at once, is no proof that a transaction begun before it in the topic but later
     * at the source never ends: the GTIDs say which is earlier.
     */
    @Test
    void aResendWithoutEventsDoesNotCutALaterTransactionShort() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "0-1-45", null), event(0, "0-1-45", 1)));
        b.add(List.of(marker("BEGIN", "0-1-30", null), marker("END", "0-1-30", 0L)));
        TransactionBuffer.Ready r = b.ready();
        assertThat(r.transactions()).isEqualTo(1);
        b.applied(r);
        assertThat(b.getIncompleteTransactions()).as("0-1-45 is not applied in pieces").isZero();
        b.add(List.of(event(1, "0-1-45", 2), marker("END", "0-1-45", 2L)));
        r = b.ready();
        assertThat(shape(r.records())).contains("shop.orders@0", "shop.lines@0");
        b.applied(r);
        assertThat(b.getIncompleteTransactions()).isZero();
        assertThat(b.getHeldEvents()).isZero();
    }

    @Test
    void laterTransactionsWaitForAnEarlierIncompleteOneAndShareItsCommitWhenWhole() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "a", null), marker("END", "a", 2L), marker("BEGIN", "b", null),
                marker("END", "b", 1L), event(0, "a", 1), event(0, "b", 1)));
        assertThat(b.ready().isEmpty()).as("b is whole but a is not: nothing may commit before a").isTrue();
        b.add(List.of(event(1, "a", 2)));
        TransactionBuffer.Ready r = b.ready();
        assertThat(r.transactions()).isEqualTo(2);
        assertThat(r.records()).hasSize(7);
        b.applied(r);
        assertThat(b.getAppliedTransactions()).isEqualTo(2);
    }

    @Test
    void theGroupLimitSplitsBetweenTransactionsNeverInsideOne() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 2, 10_000, t -> true, NOTHING_APPLIED);
        for (String tx : List.of("a", "b", "c")) {
            b.add(List.of(marker("BEGIN", tx, null), event(0, tx, 1), event(1, tx, 2), marker("END", tx, 2L)));
        }
        TransactionBuffer.Ready first = b.ready();
        assertThat(first.transactions()).isEqualTo(1);
        assertThat(shape(first.records())).containsExactlyInAnyOrder("shop.orders@0", "shop.lines@0", TX_TOPIC + "@0",
                TX_TOPIC + "@1");
        b.applied(first);
        assertThat(b.ready().transactions()).isEqualTo(1);
    }

    @Test
    void recordsWithoutATransactionGoOutWhenNothingHeldPrecedesThemInTheirPartition() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(event(0, null, 0), event(1, null, 0)));
        assertThat(b.ready().records()).hasSize(2);
        b.applied(b.ready());
        b.add(List.of(marker("BEGIN", "a", null), event(0, "a", 1), event(0, null, 0), event(1, null, 0)));
        assertThat(shape(b.ready().records())).as("the loose row behind a's event waits, the other goes")
                .containsExactly("shop.lines@1");
    }

    @Test
    void aBatchDeliveredAgainIsNotHeldTwice() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        List<SinkRecord> batch = List.of(marker("BEGIN", "a", null), event(0, "a", 1), event(0, "a", 2));
        b.add(batch);
        b.add(batch);
        assertThat(b.getHeldEvents()).isEqualTo(2);
        b.add(List.of(marker("END", "a", 2L)));
        assertThat(b.ready().records()).hasSize(4);
    }

    @Test
    void eventsOfAnAppliedTransactionSentAgainAreNotHeldForAnEndThatHasGone() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "a", null), event(0, "a", 1), marker("END", "a", 1L)));
        b.applied(b.ready());
        b.add(List.of(event(0, "a", 1)));
        assertThat(b.ready().records()).hasSize(1);
    }

    @Test
    void aCopySentAgainBehindALaterTransactionDoesNotHoldItsPartitionOnceTheFirstCopyIsApplied() {
        // Debezium restarted and sent a and b again before the sink applied a; b's END is late
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "a", null), event(0, "a", 1), marker("END", "a", 1L), marker("BEGIN", "b", null),
                event(0, "b", 1), event(0, "a", 1)));
        TransactionBuffer.Ready first = b.ready();
        assertThat(shape(first.records())).containsExactlyInAnyOrder("shop.orders@0", TX_TOPIC + "@0", TX_TOPIC + "@1");
        b.applied(first);
        b.add(List.of(marker("END", "b", 1L), event(0, null, 0)));
        TransactionBuffer.Ready second = b.ready();
        assertThat(shape(second.records())).as("b, the copy of a behind it (the fence skips it) and the loose row")
                .containsExactly(TX_TOPIC + "@2", "shop.orders@1", "shop.orders@2", "shop.orders@3", TX_TOPIC + "@3");
        b.applied(second);
        assertThat(b.getHeldEvents()).isZero();
        assertThat(b.ready().isEmpty()).isTrue();
    }

    static final Schema SOURCE = SchemaBuilder.struct().optional().field("file", Schema.STRING_SCHEMA)
            .field("pos", Schema.INT64_SCHEMA).field("server_id", Schema.INT64_SCHEMA).build();
    static final Schema LOGGED = SchemaBuilder.struct().field("n", Schema.INT32_SCHEMA).field("source", SOURCE)
            .field("transaction", BLOCK).build();

    /** An event with its binlog position, as Debezium's MySQL and MariaDB connectors send them. */
    SinkRecord logged(int partition, String tx, long order, long pos) {
        Struct v = new Struct(LOGGED).put("n", (int) order)
                .put("source", new Struct(SOURCE).put("file", "bin.000001").put("pos", pos).put("server_id", 1L))
                .put("transaction", new Struct(BLOCK).put("id", tx).put("total_order", order)
                        .put("data_collection_order", order));
        return new SinkRecord(partition == 0 ? "shop.orders" : "shop.lines", 0, null, null, LOGGED, v,
                offsets[partition]++);
    }

    @Test
    void anEarlierTransactionSentAgainAfterOneBegunDoesNotMakeThatOneIncomplete() {
        // a sink restarted (it knows no applied ids) reads t's first event, then a restarted Debezium sends w again
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "t", null), logged(0, "t", 1, 500), marker("BEGIN", "w", null),
                logged(0, "w", 1, 100), logged(1, "w", 2, 100), marker("END", "w", 2L)));
        TransactionBuffer.Ready early = b.ready();
        assertThat(shape(early.records())).as("t is not taken for incomplete; w's row behind t waits")
                .containsExactlyInAnyOrder("shop.lines@0");
        b.applied(early);
        assertThat(b.getIncompleteTransactions()).isZero();
        b.add(List.of(logged(1, "t", 2, 500), marker("END", "t", 2L)));
        TransactionBuffer.Ready whole = b.ready();
        assertThat(shape(whole.records())).containsExactlyInAnyOrder("shop.orders@0", "shop.orders@1", "shop.lines@1",
                TX_TOPIC + "@0", TX_TOPIC + "@1", TX_TOPIC + "@2", TX_TOPIC + "@3");
        b.applied(whole);
        assertThat(b.getIncompleteTransactions()).isZero();
        assertThat(b.getHeldEvents()).isZero();
    }

    @Test
    void aTransactionPostgresHasSentAgainFromInsideItIsNotHeldForEventsThatWillNotComeAgain() {
        // the sink task restarted after applying t (it knows no applied ids; the stored positions say up to 500),
        // then Debezium, restarted inside t, sends t's events after its flushed offset and t's END, never t's first
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true,
                (tp, at) -> at.pos() <= 500);
        b.add(List.of(marker("END", "t", 3L), logged(1, "t", 3, 500), marker("BEGIN", "u", null),
                logged(0, "u", 1, 900), marker("END", "u", 1L)));
        TransactionBuffer.Ready r = b.ready();
        assertThat(shape(r.records())).as("t's rest (the fence skips it) and END go out, u is not kept behind them")
                .containsExactlyInAnyOrder(TX_TOPIC + "@0", "shop.lines@0", TX_TOPIC + "@1", "shop.orders@0",
                        TX_TOPIC + "@2");
        b.applied(r);
        assertThat(b.getHeldEvents()).isZero();
        assertThat(b.getResentTransactions()).isEqualTo(1);
        assertThat(b.getIncompleteTransactions()).isZero();
        b.add(List.of(logged(1, "t", 4, 500)));
        assertThat(b.ready().records()).as("more of t: not held either").hasSize(1);
    }

    @Test
    void aTransactionThatNeverEndsGoesOutWithTheNextWholeOneAndIsCounted() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "a", null), event(0, "a", 1), marker("BEGIN", "b", null), event(0, "b", 1),
                marker("END", "b", 1L)));
        TransactionBuffer.Ready r = b.ready();
        assertThat(r.transactions()).isEqualTo(2);
        b.applied(r);
        assertThat(b.getIncompleteTransactions()).isEqualTo(1);
        assertThat(b.getHeldEvents()).isZero();
    }

    @Test
    void aTransactionLargerThanTheBufferGoesOutInPiecesAndIsCounted() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 3, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "big", null)));
        for (int i = 1; i <= 4; i++) {
            b.add(List.of(event(0, "big", i)));
        }
        assertThat(b.getSplitTransactions()).isEqualTo(1);
        TransactionBuffer.Ready piece = b.ready();
        assertThat(piece.records()).hasSize(5);
        b.applied(piece);
        assertThat(b.getHeldEvents()).isZero();
        b.add(List.of(event(0, "big", 5), marker("END", "big", 5L)));
        TransactionBuffer.Ready rest = b.ready();
        assertThat(rest.records()).hasSize(2);
        b.applied(rest);
        assertThat(b.getAppliedTransactions()).isEqualTo(1);
    }

    @Test
    void neitherKafkaNorAClearedBufferPassesAHeldRecord() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        b.add(List.of(event(0, null, 0), marker("BEGIN", "a", null), event(0, "a", 1), event(0, "a", 2)));
        b.applied(b.ready());
        TopicPartition orders = new TopicPartition("shop.orders", 0);
        assertThat(b.committable(orders, 3)).as("offset 1 is the first held").isEqualTo(1);
        assertThat(b.clear(List.of())).containsEntry(orders, 1L);
        // Connect delivers an older batch again after the rewind: only what starts at the rewound offset counts
        b.add(List.of(event(0, "a", 3)));
        assertThat(b.getHeldEvents()).isZero();
        assertThat(b.committable(orders, 4)).isEqualTo(1);
    }

    @Test
    void aBatchIsInSourceOrderAcrossTablesSoAReplayMeetsParentsFirst() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, t -> true, NOTHING_APPLIED);
        // a: insert an order (1) and its line (2); b: delete the line (1), then the order (2)
        b.add(List.of(event(1, "a", 2), event(1, "b", 1), event(0, "a", 1), event(0, "b", 2)));
        b.add(List.of(marker("BEGIN", "a", null), marker("END", "a", 2L), marker("BEGIN", "b", null),
                marker("END", "b", 2L)));
        List<SinkRecord> out = b.ready().records();
        assertThat(shape(out)).containsExactly(TX_TOPIC + "@0", "shop.orders@0", "shop.lines@0", TX_TOPIC + "@1",
                TX_TOPIC + "@2", "shop.lines@1", "shop.orders@1", TX_TOPIC + "@3");
    }

    @Test
    void onlyTheEventsOfSubscribedTablesAreWaitedFor() {
        // this sink reads shop.orders; the transaction also wrote 2 rows of a table another sink reads
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 10_000, "shop.orders"::equals, NOTHING_APPLIED);
        Struct end = new Struct(MARKER).put("status", "END").put("id", "a").put("event_count", 3L)
                .put("data_collections", List.of(new Struct(COLLECTION).put("data_collection", "orders").put("event_count", 1L),
                        new Struct(COLLECTION).put("data_collection", "audit").put("event_count", 2L)));
        b.add(List.of(marker("BEGIN", "a", null), event(0, "a", 1),
                new SinkRecord(TX_TOPIC, 0, null, null, MARKER, end, offsets[2]++)));
        assertThat(b.ready().transactions()).as("whole for this sink with its 1 event").isEqualTo(1);
    }

    @Test
    void aFullBufferDoesNotPauseAPartitionEndingInATransactionALaterEndHasOvertaken() {
        // t will never END (Debezium restarted inside it); u has ENDed, its event on shop.orders not read yet: pausing
        // shop.orders for t would keep u's event back, and t is released only with u
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 3, x -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "t", null), event(1, "t", 1), event(1, "t", 2), event(0, "t", 3),
                marker("BEGIN", "u", null), marker("END", "u", 1L), event(1, "w", 1)));
        assertThat(b.overfull()).isTrue();
        assertThat(b.getSplitTransactions()).isZero();
        assertThat(b.runningAhead()).as("shop.lines ends in w, whose BEGIN has not even come")
                .containsExactly(new TopicPartition("shop.lines", 0));
        b.add(List.of(event(0, "u", 1)));
        TransactionBuffer.Ready r = b.ready();
        assertThat(r.transactions()).isEqualTo(2);
        b.applied(r);
        assertThat(b.getIncompleteTransactions()).isEqualTo(1);
        assertThat(b.getHeldEvents()).as("w's event").isEqualTo(1);
    }

    @Test
    void aBufferFullOfManySmallTransactionsIsNotSplitButNamesThePartitionsAheadOfTheTransactionTopic() {
        TransactionBuffer b = new TransactionBuffer("t", TX_TOPIC, 1000, 3, t -> true, NOTHING_APPLIED);
        b.add(List.of(marker("BEGIN", "a", null), marker("END", "a", 2L)));
        for (String tx : List.of("a", "b", "c")) {
            b.add(List.of(event(0, tx, 1)));
        }
        b.add(List.of(event(1, "a", 2), event(1, "d", 1)));
        assertThat(b.overfull()).isTrue();
        assertThat(b.getSplitTransactions()).as("no transaction alone is over the limit").isZero();
        assertThat(b.runningAhead()).as("both table partitions end in transactions without END")
                .containsExactlyInAnyOrder(new TopicPartition("shop.orders", 0), new TopicPartition("shop.lines", 0));
        TransactionBuffer.Ready r = b.ready();
        assertThat(r.transactions()).as("a is whole and goes").isEqualTo(1);
        b.applied(r);
        assertThat(b.hasRoom()).isFalse();
        b.add(List.of(marker("BEGIN", "b", null), marker("END", "b", 1L), marker("BEGIN", "c", null),
                marker("END", "c", 1L), marker("BEGIN", "d", null), marker("END", "d", 1L)));
        assertThat(b.runningAhead()).isEmpty();
        b.applied(b.ready());
        assertThat(b.getHeldEvents()).isZero();
        assertThat(b.getAppliedTransactions()).isEqualTo(4);
    }
}
