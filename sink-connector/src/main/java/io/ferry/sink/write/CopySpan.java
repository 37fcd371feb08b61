package io.ferry.sink.write;

import io.ferry.sink.config.FerrySinkConfig;
import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.schema.TargetColumn;
import io.ferry.sink.schema.TargetTable;
import io.ferry.sink.state.BatchOffsets;
import io.ferry.sink.state.OffsetStore;
import io.ferry.sink.state.RedeliveryFence;
import io.ferry.sink.stats.SinkMetrics;
import io.ferry.sink.stats.StatsStore;
import io.ferry.sink.stats.TableCounters;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One COPY into one table kept open across consecutive batches of its snapshot rows, on a connection of its own, then
 * committed with their offsets and statistics in one transaction ({@code snapshot.copy.span.bytes}). Binary where
 * every written column has a binary form (as one batch's COPY would be), text otherwise or with
 * {@code snapshot.copy.format=text}: the ring of buffers below is PostgreSQL's for any COPY.
 * <p>
 * Why: PostgreSQL gives every COPY a new 16 MB ring of shared buffers. A COPY of one batch (5,000 rows, about 1.3 MB)
 * never fills its ring, so every page it writes takes a fresh shared buffer instead of a reused one: first touches
 * of shared memory and clock sweeps. Measured without Ferry, that cost PostgreSQL about half as much CPU again as one
 * long COPY of the same rows, committed or not (docs/bench/copy-ring-2026-12-07).
 * <p>
 * What keeps the sink's guarantees:
 * <ul>
 * <li>The span takes its partitions' advisory locks with its first batch and keeps them to its commit
 * ({@link OffsetStore#claim}); the rows, their offsets and statistics commit together or not at all.</li>
 * <li>Nothing else of those partitions is written, and nothing that could lock the span's table runs on the task's
 * main connection, while it is open: {@link SinkWriter} commits it before any batch it cannot take.</li>
 * <li>A span that fails is rolled back whole; its partitions' ranges are handed to the task ({@link #takeLost}),
 * which reads them again from the offsets PostgreSQL committed, as for a failed background batch. A binary form
 * refused sends the row shape to text spans from then on. Any other cause but a lost connection or a server going
 * down leaves the table without spans in this task: a COPY that spans batches cannot fall back to upserts in a
 * savepoint for rows already there, as one batch's COPY does.</li>
 * </ul>
 * Used by one thread at a time: the background writer while a batch is in flight, the task thread once it settled.
 */
public final class CopySpan implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CopySpan.class);

    /** A span did not commit: its batches are to be read again ({@link #takeLost}), whatever the cause. */
    public static final class Lost extends RuntimeException {
        Lost(String table, Throwable cause) {
            super("a COPY spanning batches of table " + table + " did not commit; its batches are read again", cause);
        }
    }

    private final PgConnections connections;
    private final long maxBytes;
    private final long maxNanos;
    private final SegmentWriter segments;
    private final PgText text;
    private final OffsetStore offsets;
    private final StatsStore stats;
    private final SinkMetrics metrics;
    private final Consumer<Map<TopicPartition, RedeliveryFence.Mark>> committedPositions;
    private final Runnable loadEnded;
    /** Tables a span failed on: their batches are written one COPY each from then on. */
    private final Set<String> refused = new HashSet<>();
    /** Tables whose first span commit was logged. */
    private final Set<String> announced = new HashSet<>();

    /** The span's connection while one is open. */
    private Connection conn;
    // the open span; table == null: none
    private String table;
    private TargetTable target;
    private Schema rowSchema;
    private List<Field> fields;
    private TargetColumn[] columns;
    /** The columns' binary forms; null: the span is a text COPY. */
    private BinaryForms.Kind[] kinds;
    private CopyIn copyIn;
    private CopyStream stream;
    private long openedNanos;
    private long rowsSent;
    private int batches;
    /** Per partition: the first offset of the span's first batch, and the next offset after its last. */
    private final Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
    private final Map<TopicPartition, RedeliveryFence.Mark> positions = new LinkedHashMap<>();
    private final Map<String, TableCounters> counters = new LinkedHashMap<>();
    private Map<TopicPartition, long[]> lost = new LinkedHashMap<>();

    CopySpan(FerrySinkConfig config, String applicationName, SegmentWriter segments, PgText text, OffsetStore offsets,
             StatsStore stats, SinkMetrics metrics, Consumer<Map<TopicPartition, RedeliveryFence.Mark>> committedPositions,
             Runnable loadEnded) {
        this.connections = new PgConnections(config, applicationName);
        this.maxBytes = config.copySpanBytes();
        this.maxNanos = config.copySpanMs() * 1_000_000L;
        this.segments = segments;
        this.text = text;
        this.offsets = offsets;
        this.stats = stats;
        this.metrics = metrics;
        this.committedPositions = committedPositions;
        this.loadEnded = loadEnded;
    }

    public boolean isOpen() {
        return table != null;
    }

    /** Whether a batch of this table may start or join a span (none failed on it). */
    boolean accepts(String table) {
        return !refused.contains(table);
    }

    /** Whether a batch of this table, row shape and partitions continues the open span. */
    boolean continues(String table, Schema rowSchema, Collection<TopicPartition> partitions) {
        return isOpen() && this.table.equals(table) && this.rowSchema.equals(rowSchema)
                && ranges.keySet().containsAll(partitions);
    }

    TargetTable target() {
        return target;
    }

    /**
     * Whether rows of this shape can be COPYed into this table, binary or text; not when a field has no place in it
     * (the batch's own path judges those rows, with its bad-record handling).
     */
    boolean fits(TargetTable t, Schema shape) {
        try {
            SegmentWriter.writableFields(t, shape);
            return true;
        } catch (BadRecordException e) {
            return false;
        }
    }

    /**
     * Opens a span with this batch, or adds the batch to the open one (the caller checked {@link #continues}); the
     * span commits once it has sent its bytes or stayed open its time.
     */
    void add(String table, TargetTable target, Schema rowSchema, List<ChangeEvent> rows, BatchOffsets batch) {
        try {
            if (!isOpen()) {
                open(table, target, rowSchema, batch);
            }
            // the ranges first: a batch that fails half-sent is read again with the rest
            batch.first().forEach((tp, first) -> ranges.merge(tp, new long[] {first, batch.next().get(tp)}, CopySpan::widen));
            if (kinds != null) {
                segments.binary().rows(stream, fields, columns, kinds, rows);
            } else {
                segments.textRows(stream, fields, columns, rows);
            }
            stream.flush();
        } catch (SQLException | RuntimeException e) {
            fail(table, batch, e);
            throw new Lost(table, e);
        }
        rowsSent += rows.size();
        batches++;
        TableCounters c = counters.computeIfAbsent(table, t -> new TableCounters());
        rows.forEach(c::count);
        c.ignoredValues += SegmentWriter.carryingIgnored(target, rows);
        c.nulStripped += text.takeNulsStripped();
        batch.redelivered().forEach((t, n) -> counters.computeIfAbsent(t, x -> new TableCounters()).redelivered += n);
        positions.putAll(batch.positions());
        if (stream.bytes() >= maxBytes || System.nanoTime() - openedNanos >= maxNanos) {
            commit();
        }
    }

    private void open(String table, TargetTable target, Schema rowSchema, BatchOffsets batch) throws SQLException {
        conn = connections.get();
        conn.setAutoCommit(false);
        offsets.claim(conn, batch.first());
        List<Field> f = SegmentWriter.writableFields(target, rowSchema);
        TargetColumn[] cols = SegmentWriter.columns(target, f);
        // null: text (snapshot.copy.format=text, a column without a binary form, or the shape met a value without one)
        BinaryForms.Kind[] k = segments.binary() == null ? null : segments.binary().kindsFor(rowSchema, cols);
        CopyIn in = conn.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + target.qualifiedName() + " ("
                + SegmentWriter.columnList(f) + ") FROM STDIN" + (k == null ? "" : " (FORMAT binary)"));
        this.table = table;
        this.target = target;
        this.rowSchema = rowSchema;
        this.fields = f;
        this.columns = cols;
        this.kinds = k;
        this.copyIn = in;
        this.stream = new CopyStream(in);
        this.openedNanos = System.nanoTime();
        if (k != null) {
            stream.binaryHeader();
        }
    }

    /** Ends the open span: its COPY, its offsets and statistics, one commit. None open: nothing to do. */
    public void commit() {
        if (!isOpen()) {
            return;
        }
        String t = table;
        try {
            if (kinds != null) {
                stream.binaryTrailer();
            }
            stream.end();
            Map<TopicPartition, Long> next = new LinkedHashMap<>();
            ranges.forEach((tp, r) -> next.put(tp, r[1]));
            offsets.save(conn, next);
            offsets.savePositions(conn, positions);
            stats.add(conn, counters);
            // the rows may complete a table whose total Debezium announced before
            boolean ended = stats.promoteCompleted(conn) > 0;
            conn.commit();
            if (kinds != null) {
                segments.binary().counted(rowsSent);
            }
            committedPositions.accept(new LinkedHashMap<>(positions));
            metrics.add(counters);
            if (ended) {
                loadEnded.run();
            }
            if (announced.add(t)) {
                log.info("Table {}: its snapshot rows go in COPYs that span batches (snapshot.copy.span.bytes); the "
                        + "first committed {} rows of {} batches", target, rowsSent, batches);
            } else {
                log.debug("Table {}: one COPY of {} rows from {} batches committed", target, rowsSent, batches);
            }
        } catch (SQLException | RuntimeException e) {
            fail(t, null, e);
            throw new Lost(t, e);
        }
        clear();
    }

    /** Two {first, next} offset ranges of one partition as one that covers both. */
    public static long[] widen(long[] a, long[] b) {
        return new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])};
    }

    /** The partition ranges of spans that did not commit since the last call, to be read again (first, next). */
    public Map<TopicPartition, long[]> takeLost() {
        if (lost.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, long[]> l = lost;
        lost = new LinkedHashMap<>();
        return l;
    }

    private void fail(String t, BatchOffsets batch, Throwable e) {
        if (batch != null) {
            batch.first().forEach((tp, first) -> lost.merge(tp, new long[] {first, batch.next().get(tp)}, CopySpan::widen));
        }
        ranges.forEach((tp, r) -> lost.merge(tp, r, CopySpan::widen));
        // a lost connection or a server going down says nothing about the rows; anything else may be in them
        boolean transient_ = e instanceof OffsetStore.Moved
                || (e instanceof SQLException sql && (ErrorContext.isTransient(sql) || closed()));
        // a binary form refused: the rows are read again into a text span, as a batch's COPY falls back to text
        boolean toText = kinds != null && segments.binary().refusedBinary(target, rowSchema, e);
        if (!transient_ && !toText) {
            refused.add(t);
        }
        log.warn("Table {}: a COPY of {} batches' rows on the sink's second connection did not commit ({}); they are "
                + "read again from the offsets PostgreSQL committed{}", t, batches + (batch == null ? 0 : 1),
                e instanceof SQLException sql ? ErrorContext.chain(sql) : String.valueOf(e),
                transient_ || toText ? "" : ", and the table's rows go one COPY per batch from now on");
        abort();
    }

    private boolean closed() {
        try {
            return conn == null || conn.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** Rolls back whatever is open; a connection that cannot is dropped (the next span opens a new one). */
    private void abort() {
        try {
            if (copyIn != null && copyIn.isActive()) {
                copyIn.cancelCopy();
            }
            if (conn != null && !conn.isClosed() && !conn.getAutoCommit()) {
                conn.rollback();
            }
        } catch (SQLException | RuntimeException ignored) {
            connections.reset();
        }
        clear();
    }

    private void clear() {
        table = null;
        target = null;
        rowSchema = null;
        fields = null;
        columns = null;
        kinds = null;
        copyIn = null;
        stream = null;
        rowsSent = 0;
        batches = 0;
        ranges.clear();
        positions.clear();
        counters.clear();
    }

    /** Rolls back an open span (PostgreSQL's stored offsets say where its partitions' next owner starts). */
    @Override
    public void close() {
        abort();
        connections.close();
    }
}
