package io.ferry.sink.flow;

import io.ferry.sink.state.SourcePosition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Holds CDC records across put() calls until their source transaction is whole, and hands out whole transactions
 * in source commit order ({@code cdc.apply.mode=transactional}).
 * <p>
 * A transaction is whole when its END (on Debezium's transaction topic) has arrived and as many distinct events
 * ({@code transaction.total_order}) as END's {@code event_count}. The records handed out are, per partition, a prefix
 * of what is held, so the next offset stored with them in PostgreSQL is exact: nothing after it was applied, nothing
 * before it is missing. The BEGIN and END records go out with their transaction so that the transaction topic's
 * position is stored the same way. Records without a transaction (snapshot rows, Debezium's notifications, events of
 * a transaction already applied, which Debezium may send again after a restart) go out as soon as nothing held
 * precedes them in their partition.
 * <p>
 * Rules for the incomplete: a transaction without END when a later one's END has arrived never gets one (Debezium
 * writes END before the next BEGIN); it goes out with what arrived once that later transaction is whole, logged and
 * counted. A transaction earlier in the binlog whose END comes after it (Debezium restarted and sends it again) is
 * no such proof. Copies of a transaction still held when it is applied go out like records without a transaction, and
 * so do the events of a transaction PostgreSQL already has (the stored source positions say so, across restarts of
 * this task): Debezium restarted inside one sends the rest of it again, as a transaction of its own or with its
 * first events missing (then that copy would never be whole).
 * When the held events exceed the buffer's limit, the oldest transaction is applied in pieces as its events arrive,
 * logged and counted. Not thread-safe: one task's put() thread.
 */
public final class TransactionBuffer implements TransactionBufferMBean {

    private static final Logger log = LoggerFactory.getLogger(TransactionBuffer.class);
    private static final int APPLIED_IDS_KEPT = 100_000;

    private final String connector;
    private final String transactionTopic;
    private final int groupMax;
    private final int bufferMax;
    /** Topics this task reads: a transaction's events in other topics (tables of another sink) are not waited for. */
    private final java.util.function.Predicate<String> subscribed;
    private final String topicPrefix;
    /** Whether an event at a source position on a partition belongs to a transaction PostgreSQL already has. */
    private final java.util.function.BiPredicate<TopicPartition, SourcePosition> appliedBefore;
    private final Map<TopicPartition, ArrayDeque<Held>> queues = new LinkedHashMap<>();
    private final Map<String, Tx> open = new HashMap<>();
    /** Transactions in source commit order (the order of their BEGIN, or END when BEGIN was not seen). */
    private final ArrayDeque<Tx> order = new ArrayDeque<>();
    /** How far the applied transactions reach, by GTID: an ENDed one earlier than those was applied before too. */
    private final GtidOrder gtids = new GtidOrder();
    /** Ids already applied, oldest first: events of these that come again are not held for an END that has gone. */
    private final LinkedHashMap<String, Boolean> applied = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > APPLIED_IDS_KEPT;
        }
    };
    /** Per partition: the last offset taken in; records at or before it are Connect delivering a batch again. */
    private final Map<TopicPartition, Long> lastAdded = new HashMap<>();
    /** Per partition, after a rewind: the offset that must come next; anything else is an old batch re-delivered. */
    private final Map<TopicPartition, Long> expect = new HashMap<>();
    // read by JMX from another thread
    private volatile int heldEvents;
    private volatile long splitTransactions;
    private volatile long incompleteTransactions;
    private volatile long appliedTransactions;
    private volatile long resentTransactions;
    /** The transaction the last ready() could not hand out, described; null when nothing waited. */
    private volatile String waitingFor;

    public TransactionBuffer(String connector, String transactionTopic, int groupMax, int bufferMax,
                             java.util.function.Predicate<String> subscribed,
                             java.util.function.BiPredicate<TopicPartition, SourcePosition> appliedBefore) {
        this.connector = connector;
        this.appliedBefore = appliedBefore;
        this.transactionTopic = transactionTopic;
        this.groupMax = groupMax;
        this.bufferMax = bufferMax;
        this.subscribed = subscribed;
        this.topicPrefix = transactionTopic.endsWith(".transaction")
                ? transactionTopic.substring(0, transactionTopic.length() - ".transaction".length()) : null;
    }

    /** @param order the event's place in its transaction (BEGIN first, END last); unused without a transaction */
    private record Held(SinkRecord record, Tx tx, long order) {
    }

    private static final class Tx {
        final String id;
        long expected = -1;
        boolean ended;
        boolean split;
        boolean orphan;
        final Set<Long> orders = new HashSet<>();
        int held;
        boolean inOrder;
        /**
         * Applied: records still held for it are copies Debezium sent again behind a later transaction before this
         * one was applied; they go out like records without a transaction (the fence skips them), never wait.
         */
        boolean done;
        /** Where its first event stands in the binlog, or null when none with a position came yet. */
        SourcePosition at;

        Tx(String id) {
            this.id = id;
        }

        boolean whole() {
            return ended && orders.size() >= expected;
        }
    }

    /** Takes the records of one put() in; a batch Connect delivers again is recognised by its offsets. */
    public void add(Iterable<SinkRecord> records) {
        for (SinkRecord r : records) {
            TopicPartition tp = partition(r);
            long offset = r.originalKafkaOffset();
            Long expected = expect.get(tp);
            if (expected != null) {
                if (offset != expected) {
                    continue;
                }
                expect.remove(tp);
            } else {
                Long last = lastAdded.get(tp);
                if (last != null && offset <= last) {
                    continue;
                }
            }
            lastAdded.put(tp, offset);
            Tx tx = track(r, tp);
            queues.computeIfAbsent(tp, k -> new ArrayDeque<>()).add(new Held(r, tx, tx == null ? 0 : placeOf(r)));
        }
        splitIfOverfull();
    }

    private long placeOf(SinkRecord r) {
        Struct value = (Struct) r.value();
        if (isMarker(r)) {
            return "END".equals(string(value, "status")) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        Object total = get((Struct) get(value, "transaction"), "total_order");
        return total instanceof Number n ? n.longValue() : 0;
    }

    /** A BEGIN or END of Debezium's transaction topic (not a change of any table). */
    public boolean isMarker(SinkRecord r) {
        return r.topic().equals(transactionTopic) || r.originalTopic().equals(transactionTopic);
    }

    /** The transaction the record belongs to and is held for, or null when it goes out by itself. */
    private Tx track(SinkRecord r, TopicPartition tp) {
        if (!(r.value() instanceof Struct value)) {
            return null;
        }
        if (isMarker(r)) {
            String id = string(value, "id");
            if (id == null || applied.containsKey(id)) {
                return null;
            }
            Tx tx = open.computeIfAbsent(id, Tx::new);
            if ("END".equals(string(value, "status"))) {
                tx.ended = true;
                tx.expected = expectedEvents(value);
            }
            inOrder(tx);
            return tx;
        }
        Struct block = get(value, "transaction") instanceof Struct s ? s : null;
        String id = block == null ? null : string(block, "id");
        if (id == null || applied.containsKey(id)) {
            return null;
        }
        Tx tx = open.computeIfAbsent(id, Tx::new);
        if (tx.orders.isEmpty()) {
            tx.at = SourcePosition.of(value); // every event of a transaction has its BEGIN's position: read it once
            if (appliedBefore.test(tp, tx.at)) {
                resent(tx);
                return null;
            }
        }
        Object total = get(block, "total_order");
        tx.orders.add(total instanceof Number n ? n.longValue() : -1L - tx.orders.size());
        tx.held++;
        heldEvents++;
        return tx;
    }

    /**
     * A transaction PostgreSQL has now, whole or sent again: no longer held or ordered, and remembered both by id
     * (its events that come again are not held) and by GTID (an END earlier than it is not waited for).
     */
    private void retire(Tx tx) {
        open.remove(tx.id);
        order.remove(tx);
        tx.done = true;
        applied.put(tx.id, Boolean.TRUE);
        gtids.applied(tx.id);
    }

    /**
     * A transaction PostgreSQL already has, sent again: it is not assembled (its first events may never come again);
     * what is held for it, its END included, goes out like records without a transaction and the redelivery fence
     * skips the changes.
     */
    private void resent(Tx tx) {
        retire(tx);
        resentTransactions++;
        // a Debezium restart sends again up to its offset flush interval's worth: the first one logged, then counted
        if (resentTransactions == 1) {
            log.info("Ferry sink '{}': source transaction {} (at {}) was applied before and Debezium sent it again (it "
                    + "restarted inside or before it): its events are checked against the stored positions, not held "
                    + "for an END; later ones are counted in the JMX attribute ResentTransactions", connector, tx.id,
                    tx.at);
        } else {
            log.debug("Ferry sink '{}': source transaction {} (at {}) was applied before; sent again", connector, tx.id,
                    tx.at);
        }
    }

    /**
     * The events of an END's transaction this task will see: Debezium's per-table counts ({@code data_collections})
     * for the tables whose topic ({@code <topic.prefix>.<database>.<table>}) it subscribes to, else the whole count.
     */
    private long expectedEvents(Struct end) {
        Object count = get(end, "event_count");
        long all = count instanceof Number n ? n.longValue() : 0;
        if (topicPrefix == null || !(get(end, "data_collections") instanceof List<?> collections)) {
            return all;
        }
        long mine = 0;
        for (Object o : collections) {
            if (o instanceof Struct c && string(c, "data_collection") != null) {
                Object n = get(c, "event_count");
                if (subscribed.test(topicPrefix + "." + string(c, "data_collection")) && n instanceof Number k) {
                    mine += k.longValue();
                }
            } else {
                return all;
            }
        }
        return mine;
    }

    private void inOrder(Tx tx) {
        if (!tx.inOrder) {
            tx.inOrder = true;
            order.add(tx);
        }
    }

    /**
     * The oldest transaction goes out in pieces once it alone holds more than the limit. A buffer that is full of
     * many transactions is not split: the task pauses the partitions that run ahead of the transaction topic
     * ({@link #runningAhead()}) until their ENDs have come.
     */
    private void splitIfOverfull() {
        if (heldEvents <= bufferMax) {
            return;
        }
        Tx head = order.peek();
        if (head == null) {
            // events whose BEGIN has not come yet: the oldest of them, by the first partition holding one
            for (ArrayDeque<Held> q : queues.values()) {
                for (Held h : q) {
                    if (h.tx != null) {
                        head = h.tx;
                        inOrder(head);
                        break;
                    }
                }
                if (head != null) {
                    break;
                }
            }
        }
        if (head != null && head.held > bufferMax && !head.split && !head.whole()) {
            head.split = true;
            splitTransactions++;
            log.warn("Ferry sink '{}': source transaction {} holds more than transaction.buffer.max.events={} events "
                    + "({} held); it is applied in pieces from now on, so a reader may see part of it "
                    + "(split transactions so far: {})", connector, head.id, bufferMax, heldEvents, splitTransactions);
        }
    }

    /** More events are held than transaction.buffer.max.events allows. */
    public boolean overfull() {
        return heldEvents > bufferMax;
    }

    /** At most half the limit held: partitions paused for room may go on. */
    public boolean hasRoom() {
        return heldEvents <= bufferMax / 2;
    }

    /**
     * Table partitions whose latest held event belongs to a transaction whose END has not come: they are ahead of
     * the transaction topic, and pausing them bounds what is held without keeping back an event an ENDed
     * transaction still waits for (a partition delivers a transaction's events before any later one's).
     */
    public Set<TopicPartition> runningAhead() {
        // a transaction begun before one that has ENDed will not get an END of its own (or comes with that one, sent
        // again): a partition ending in it is not ahead, and pausing it could keep back the later transaction's events,
        // without which the earlier one is never released
        Set<Tx> overtaken = new HashSet<>();
        List<Tx> begun = new ArrayList<>();
        for (Tx tx : order) {
            if (tx.ended) {
                overtaken.addAll(begun);
                begun.clear();
            } else {
                begun.add(tx);
            }
        }
        Set<TopicPartition> ahead = new HashSet<>();
        queues.forEach((tp, q) -> {
            Held last = q.peekLast();
            if (last != null && last.tx != null && !last.tx.ended && !last.tx.done && !overtaken.contains(last.tx)
                    && !isMarker(last.record)) {
                ahead.add(tp);
            }
        });
        return ahead;
    }

    /**
     * What may be written now, or an empty batch; nothing changes until {@link #applied(Ready)}, except that an ENDed
     * transaction found to be earlier (by GTID) than one already applied is let go as sent again.
     */
    public Ready ready() {
        Set<Tx> whole = new HashSet<>();
        long events = 0;
        List<Tx> orphans = new ArrayList<>();
        Iterator<Tx> it = order.iterator();
        List<Tx> pending = new ArrayList<>();
        List<Tx> stale = new ArrayList<>();
        Tx blocker = null;
        while (it.hasNext()) {
            Tx tx = it.next();
            if (tx.split) {
                whole.add(tx);
                events += tx.held;
                continue;
            }
            if (!tx.ended) {
                pending.add(tx);
                continue;
            }
            if (!tx.whole()) {
                if (gtids.notAfterApplied(tx.id)) {
                    // sent again, and its events are behind the offsets PostgreSQL stored (they went to the fence
                    // before a restart of this task, while this END stayed behind a held transaction in its topic):
                    // they never come again
                    stale.add(tx);
                    continue;
                }
                blocker = tx;
                break;
            }
            if (!whole.isEmpty() && events + tx.held > groupMax) {
                break;
            }
            // a transaction begun earlier that never ended: its END will not come (see the class comment); unless this
            // one is earlier in the binlog, sent again by a restarted Debezium after the other's first events
            for (Iterator<Tx> p = pending.iterator(); p.hasNext(); ) {
                Tx begun = p.next();
                if (!resentBefore(tx, begun)) {
                    orphans.add(begun);
                    whole.add(begun);
                    p.remove();
                }
            }
            whole.add(tx);
            events += tx.held;
        }
        // what is held for them goes out like records without a transaction, to the fence
        stale.forEach(this::resent);
        // source order across tables: transaction by transaction in commit order, each in its own event order, and a
        // record without a transaction right after what precedes it in its partition; so that a replay of the
        // batch record by record meets every parent before its children and every child's delete before its parent's
        Map<Tx, Integer> commitIndex = new HashMap<>();
        int i = 0;
        for (Tx tx : order) {
            commitIndex.put(tx, i++);
        }
        List<long[]> ranks = new ArrayList<>();
        List<SinkRecord> taken0 = new ArrayList<>();
        Map<TopicPartition, Integer> taken = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, ArrayDeque<Held>> e : queues.entrySet()) {
            int n = 0;
            long txRank = -1;
            long place = Long.MIN_VALUE;
            for (Held h : e.getValue()) {
                if (h.tx != null && !h.tx.done && !whole.contains(h.tx)) {
                    break;
                }
                if (h.tx != null && !h.tx.done) {
                    txRank = commitIndex.getOrDefault(h.tx, Integer.MAX_VALUE);
                    place = h.order;
                }
                ranks.add(new long[] {txRank, place, ranks.size()});
                taken0.add(h.record);
                n++;
            }
            if (n > 0) {
                taken.put(e.getKey(), n);
            }
        }
        Integer[] idx = new Integer[taken0.size()];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = k;
        }
        java.util.Arrays.sort(idx, (a, b) -> {
            long[] x = ranks.get(a);
            long[] y = ranks.get(b);
            int c = Long.compare(x[0], y[0]);
            if (c == 0) {
                c = Long.compare(x[1], y[1]);
            }
            return c != 0 ? c : Long.compare(x[2], y[2]);
        });
        List<SinkRecord> out = new ArrayList<>(idx.length);
        for (Integer k : idx) {
            out.add(taken0.get(k));
        }
        if (blocker == null && whole.isEmpty() && !pending.isEmpty()) {
            blocker = pending.get(0);
        }
        waitingFor = blocker == null ? null : describe(blocker);
        return new Ready(out, taken, whole, orphans);
    }

    private static String describe(Tx tx) {
        return "source transaction " + tx.id + (tx.ended
                ? ": END arrived, " + tx.orders.size() + " of its " + tx.expected + " events"
                : ": no END yet, " + tx.orders.size() + " event(s)")
                + (tx.at == null ? "" : ", the first at " + tx.at);
    }

    /**
     * Whether {@code tx} is earlier at the source than {@code begun}: by binlog position (both known, same binlog
     * series), or by GTID when one of them has no event yet (a resend whose END counts none of this sink's events).
     */
    private static boolean resentBefore(Tx tx, Tx begun) {
        return tx.at != null && tx.at.earlierTransactionThan(begun.at) || GtidOrder.earlier(tx.id, begun.id);
    }

    /** What {@link #ready()} handed out; {@link #applied(Ready)} once it is committed. */
    public static final class Ready {
        private final List<SinkRecord> records;
        private final Map<TopicPartition, Integer> taken;
        private final Set<Tx> transactions;
        private final List<Tx> orphans;

        private Ready(List<SinkRecord> records, Map<TopicPartition, Integer> taken, Set<Tx> transactions,
                      List<Tx> orphans) {
            this.records = records;
            this.taken = taken;
            this.transactions = transactions;
            this.orphans = orphans;
        }

        public List<SinkRecord> records() {
            return records;
        }

        public boolean isEmpty() {
            return records.isEmpty();
        }

        public int transactions() {
            return transactions.size();
        }
    }

    /** The batch is committed (with its offsets): forget it. */
    public void applied(Ready ready) {
        ready.taken.forEach((tp, n) -> {
            ArrayDeque<Held> q = queues.get(tp);
            for (int i = 0; i < n; i++) {
                Held h = q.poll();
                if (h != null && h.tx != null && isEvent(h)) {
                    h.tx.held--;
                    heldEvents--;
                }
            }
            if (q.isEmpty()) {
                queues.remove(tp);
            }
        });
        for (Tx tx : ready.transactions) {
            if (tx.split && !tx.whole()) {
                continue; // more of it to come, still in pieces
            }
            retire(tx);
            appliedTransactions++;
        }
        for (Tx tx : ready.orphans) {
            incompleteTransactions++;
            log.warn("Ferry sink '{}': source transaction {} never got its END (the source connector restarted in "
                    + "it?); applied with the {} event(s) that arrived, before the next one (incomplete so far: {})",
                    connector, tx.id, tx.orders.size(), incompleteTransactions);
        }
    }

    private boolean isEvent(Held h) {
        return !isMarker(h.record);
    }

    /**
     * Forgets everything held (a rebalance, or PostgreSQL lost commits) and says where each partition that stays
     * must be read again from: its first held record. Until that offset comes again, older re-deliveries are ignored.
     */
    public Map<TopicPartition, Long> clear(java.util.Collection<TopicPartition> leaving) {
        Map<TopicPartition, Long> rewind = new HashMap<>();
        queues.forEach((tp, q) -> {
            if (!q.isEmpty() && !leaving.contains(tp)) {
                rewind.put(tp, q.peek().record.originalKafkaOffset());
            }
        });
        queues.clear();
        open.clear();
        order.clear();
        heldEvents = 0;
        lastAdded.clear();
        expect.clear();
        expect.putAll(rewind);
        return rewind;
    }

    /** Partitions (re)assigned: they start wherever the consumer was moved to. */
    public void assigned(java.util.Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            queues.remove(tp);
            lastAdded.remove(tp);
            expect.remove(tp);
        }
    }

    /** The partitions are read again from these offsets (the caller rewound them): what comes first must be those. */
    public void rewound(Map<TopicPartition, Long> offsets) {
        offsets.forEach((tp, o) -> {
            lastAdded.remove(tp);
            expect.put(tp, o);
        });
    }

    /**
     * The offset Connect may commit for a partition: never past a record still held (the stored offsets in
     * PostgreSQL decide on restart anyway; this keeps Kafka's from claiming more when none is stored yet).
     */
    public long committable(TopicPartition tp, long consumed) {
        ArrayDeque<Held> q = queues.get(tp);
        long safe = consumed;
        if (q != null && !q.isEmpty()) {
            safe = Math.min(safe, q.peek().record.originalKafkaOffset());
        }
        Long e = expect.get(tp);
        return e == null ? safe : Math.min(safe, e);
    }

    @Override
    public int getHeldEvents() {
        return heldEvents;
    }

    @Override
    public long getSplitTransactions() {
        return splitTransactions;
    }

    @Override
    public long getIncompleteTransactions() {
        return incompleteTransactions;
    }

    @Override
    public long getAppliedTransactions() {
        return appliedTransactions;
    }

    @Override
    public long getResentTransactions() {
        return resentTransactions;
    }

    @Override
    public String getWaitingFor() {
        return waitingFor;
    }

    private static TopicPartition partition(SinkRecord r) {
        return new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
    }

    private static String string(Struct s, String name) {
        Object v = get(s, name);
        return v == null ? null : v.toString();
    }

    private static Object get(Struct s, String name) {
        Field f = s.schema().field(name);
        return f == null ? null : s.get(f);
    }
}
