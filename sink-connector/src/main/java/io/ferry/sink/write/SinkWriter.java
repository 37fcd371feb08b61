package io.ferry.sink.write;

import io.ferry.sink.batch.BatchPlanner;
import io.ferry.sink.batch.Segment;
import io.ferry.sink.batch.TableBatch;
import io.ferry.sink.config.FerrySinkConfig;
import io.ferry.sink.errors.BadRecordHandler;
import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.Op;
import io.ferry.sink.phase.ConstraintBuilder;
import io.ferry.sink.phase.SnapshotRestarts;
import io.ferry.sink.state.BatchOffsets;
import io.ferry.sink.schema.TableCatalog;
import io.ferry.sink.schema.TargetTable;
import io.ferry.sink.state.OffsetStore;
import io.ferry.sink.state.RedeliveryFence;
import io.ferry.sink.stats.SinkMetrics;
import io.ferry.sink.stats.StatsStore;
import io.ferry.sink.stats.TableCounters;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes one put()'s events, their statistics and their Kafka offsets in one PostgreSQL transaction.
 * If the batch fails for a reason that is not transient, it is rolled back and replayed record by record, each in
 * a savepoint, so that exactly the bad records go to the {@link BadRecordHandler} and all others are written.
 */
public final class SinkWriter {

    private static final Logger log = LoggerFactory.getLogger(SinkWriter.class);

    private final BatchPlanner planner = new BatchPlanner();
    private final TableCatalog catalog;
    private final SegmentWriter segments;
    private final PgText text;
    private final OffsetStore offsets;
    private final StatsStore stats;
    private final SinkMetrics metrics;
    private final BadRecordHandler badRecords;
    private final ParkedRows parking;
    private final ConstraintBuilder constraints;
    private final SnapshotRestarts restarts;
    private io.ferry.sink.phase.Reloads reloads;
    /** A committed flush ended some table's full load since {@link #takeLoadEnded} last looked. */
    private volatile boolean loadEnded;

    public SinkWriter(TableCatalog catalog, SegmentWriter segments, PgText text, OffsetStore offsets, StatsStore stats,
                      SinkMetrics metrics, BadRecordHandler badRecords, ParkedRows parking,
                      ConstraintBuilder constraints, SnapshotRestarts restarts) {
        this.restarts = restarts;
        this.catalog = catalog;
        this.segments = segments;
        this.text = text;
        this.offsets = offsets;
        this.stats = stats;
        this.metrics = metrics;
        this.badRecords = badRecords;
        this.parking = parking;
        this.constraints = constraints;
    }

    /** Snapshot rows of consecutive batches in one COPY (snapshot.copy.span.bytes), or null. */
    private CopySpan span;

    /**
     * Lets batches that allow it share one COPY on a second connection ({@link CopySpan}); {@code committedPositions}
     * learns the source positions a span committed (the redelivery fence).
     */
    public SinkWriter spanning(FerrySinkConfig config, String applicationName,
                               Consumer<Map<TopicPartition, RedeliveryFence.Mark>> committedPositions) {
        this.span = new CopySpan(config, applicationName, segments, text, offsets, stats, metrics, committedPositions,
                () -> loadEnded = true);
        return this;
    }

    /** Whether batches may share a COPY ({@link #spanning}). */
    public boolean spans() {
        return span != null;
    }

    /** Whether a span holds rows not committed yet. */
    private boolean spanOpen() {
        return span != null && span.isOpen();
    }

    /** Commits the open span, if any (before an offset commit, when idle, before partitions move). */
    public void commitSpan() {
        if (span != null) {
            span.commit();
        }
    }

    /** The partition ranges of spans that did not commit, to be read again: {first, next} offsets. */
    public Map<TopicPartition, long[]> takeLostSpan() {
        return span == null ? Map.of() : span.takeLost();
    }

    /** Rolls back an open span and closes its connection (the task stops). */
    public void closeSpan() {
        if (span != null) {
            span.close();
        }
    }

    /** Where the keys of reloaded tables' rows are recorded (ferry reload). */
    public SinkWriter reloading(io.ferry.sink.phase.Reloads reloads) {
        this.reloads = reloads;
        return this;
    }

    /**
     * @param badCounts bad records already found while decoding, per table, to be counted in this transaction
     */
    public void write(Connection conn, List<ChangeEvent> events, BatchOffsets batchOffsets,
                      Map<String, Long> badCounts) throws SQLException {
        write(conn, events, Map.of(), batchOffsets, badCounts);
    }

    /** A restarted snapshot's tables, found before the batch is written (null: none). */
    private SnapshotRestarts.Plan restartPlan;

    /**
     * @param snapshotTotals rows Debezium's snapshot read per table, from its notifications in this batch
     */
    public void write(Connection conn, List<ChangeEvent> events, Map<String, long[]> snapshotTotals,
                      BatchOffsets batchOffsets, Map<String, Long> badCounts) throws SQLException {
        write(conn, events, snapshotTotals, batchOffsets, badCounts, false);
    }

    /**
     * As {@link #write(Connection, List, Map, BatchOffsets, Map)}, but a batch of one table's snapshot rows may go
     * into a COPY that stays open for the next batches ({@code mayHoldOpen}, snapshot.copy.span.bytes). Returns
     * whether the batch committed now; one held open commits with the span, and its source positions reach the
     * fence then.
     */
    public boolean write(Connection conn, List<ChangeEvent> events, Map<String, long[]> snapshotTotals,
                         BatchOffsets batchOffsets, Map<String, Long> badCounts, boolean mayHoldOpen)
            throws SQLException {
        if (spanOpen() && events.stream().anyMatch(SnapshotRestarts::beginsPass)) {
            // Debezium may have begun a table's snapshot again: the earlier pass it leaves behind can sit in the open
            // span, and the restart check reads what is committed
            span.commit();
        }
        restartPlan = restarts.plan(conn, events);
        events = restartPlan.events();
        if (span != null) {
            if (mayHoldOpen && spanned(conn, events, snapshotTotals, batchOffsets, badCounts)) {
                return false;
            }
            // before anything else of its partitions is written, or anything that may lock its table runs
            span.commit();
        }
        try {
            writeBatch(conn, events, snapshotTotals, batchOffsets, badCounts);
        } catch (OffsetStore.Moved moved) {
            rollbackQuietly(conn);
            parking.rolledBack();
            throw moved;
        } catch (SQLException | BadRecordException e) {
            rollbackQuietly(conn);
            parking.rolledBack();
            catalog.invalidate();
            if (e instanceof SQLException sql && (ErrorContext.isTransient(sql) || conn.isClosed())) {
                throw sql;
            }
            log.warn("A batch of {} records failed ({}); replaying it record by record to isolate the bad ones",
                    events.size(), ErrorContext.chain(e));
            writeOneByOne(conn, events, snapshotTotals, batchOffsets, badCounts);
        }
        afterCommit(conn);
        return true;
    }

    /**
     * Adds the batch to a span when it is one table's snapshot rows of one shape that nothing else in the batch
     * needs written first (no restarted snapshot, no Debezium totals, no bad or parked rows, no reload under way).
     * A span open on another table or shape is committed first, before the catalog may change a table.
     */
    private boolean spanned(Connection conn, List<ChangeEvent> events, Map<String, long[]> snapshotTotals,
                            BatchOffsets batchOffsets, Map<String, Long> badCounts) throws SQLException {
        if (events.isEmpty() || !restartPlan.isEmpty() || !snapshotTotals.isEmpty() || !badCounts.isEmpty()
                || !parking.isEmpty() || (reloads != null && !reloads.isEmpty())) {
            return false;
        }
        ChangeEvent first = events.get(0);
        String table = first.table();
        if (first.row() == null || !span.accepts(table)) {
            return false;
        }
        Schema shape = first.row().schema();
        for (ChangeEvent e : events) {
            // per record: the schema by identity first (the converter hands out one instance per shape)
            if (e.op() != Op.SNAPSHOT || e.isIncrementalSnapshot() || e.row() == null
                    || e.record().value() == null || e.endsTableSnapshot() || !table.equals(e.table())
                    || (shape != e.row().schema() && !shape.equals(e.row().schema()))) {
                return false;
            }
        }
        if (span.isOpen() && !span.continues(table, shape, batchOffsets.first().keySet())) {
            span.commit();
        }
        TargetTable target = span.target();
        if (!span.isOpen()) {
            try {
                target = catalog.resolve(conn, table, shape, first.key() == null ? null : first.key().schema());
            } catch (BadRecordException e) {
                return false; // the batch's own path judges it
            }
            if (!span.fits(target, shape)) {
                return false;
            }
        }
        // what the main connection did for this batch (reads; a table the catalog created, which the span's own
        // connection must see) commits now, not with the rows
        if (!conn.getAutoCommit()) {
            conn.commit();
        }
        span.add(table, target, shape, events, batchOffsets);
        return true;
    }

    /** Whether a flush committed since the last call ended some table's full load (its TABLE_LOADED is due). */
    public boolean takeLoadEnded() {
        boolean ended = loadEnded;
        loadEnded = false;
        return ended;
    }

    /**
     * Work that follows a committed flush and must never fail it (its rows and offsets are already in): parked rows
     * are tried again, and foreign keys whose tables are now loaded are built.
     */
    public void afterCommit(Connection conn) {
        if (spanOpen()) {
            return; // a constraint build could wait on the span's table lock, held by this very task
        }
        try {
            if (!parking.isEmpty()) {
                parking.retry(conn, catalog, segments);
            }
            constraints.buildReady(conn);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(conn);
            log.warn("After a committed flush, retrying parked rows or building foreign keys failed; trying again "
                    + "after the next flush: {}", ErrorContext.chain(e));
        }
    }

    private void writeBatch(Connection conn, List<ChangeEvent> events, Map<String, long[]> snapshotTotals,
                            BatchOffsets batchOffsets,
                            Map<String, Long> badCounts) throws SQLException {
        // rows whose key is parked keep waiting behind it: applying them now could be overwritten by an older retry
        List<ChangeEvent> diverted = new ArrayList<>();
        List<ChangeEvent> direct = new ArrayList<>(events.size());
        for (ChangeEvent e : events) {
            (parking.isParked(e) ? diverted : direct).add(e);
        }
        List<TableBatch> plan = planner.plan(direct);
        Map<TableBatch, TargetTable> targets = new IdentityHashMap<>();
        for (TableBatch tb : plan) {
            targets.put(tb, resolveAll(conn, tb));
        }
        Map<ChangeEvent, TargetTable> divertedTargets = new IdentityHashMap<>();
        for (ChangeEvent e : diverted) {
            divertedTargets.put(e, catalog.resolve(conn, e.table(), e.row() == null ? null : e.row().schema(),
                    e.key().schema()));
        }
        conn.setAutoCommit(false);
        if (!restartPlan.isEmpty()) {
            restarts.apply(conn, restartPlan);
        }
        Map<String, TableCounters> counters = newCounters(badCounts);
        for (ChangeEvent e : diverted) {
            parking.park(conn, divertedTargets.get(e), e, "an earlier change of this row is parked");
            counters.computeIfAbsent(e.table(), t -> new TableCounters()).count(e);
        }
        for (TableBatch tb : plan) {
            TargetTable target = targets.get(tb);
            TableCounters c = counters.computeIfAbsent(tb.table(), t -> new TableCounters());
            for (Segment segment : tb.segments()) {
                segments.write(conn, target, segment);
                segment.all().forEach(c::count);
                c.ignoredValues += SegmentWriter.carryingIgnored(target, segment.all());
            }
            c.nulStripped += text.takeNulsStripped();
        }
        if (reloads != null && !reloads.isEmpty()) {
            Map<String, TargetTable> byTable = new java.util.HashMap<>();
            targets.forEach((tb, t) -> byTable.put(tb.table(), t));
            divertedTargets.forEach((e, t) -> byTable.putIfAbsent(e.table(), t));
            reloads.touch(conn, events, byTable::get);
        }
        commit(conn, batchOffsets, counters, snapshotTotals);
    }

    private TargetTable resolveAll(Connection conn, TableBatch tb) throws SQLException {
        List<Schema> schemas = tb.rowSchemas();
        TargetTable target = null;
        if (schemas.isEmpty()) {
            target = catalog.resolve(conn, tb.table(), null, tb.keySchema());
        }
        for (Schema s : schemas) {
            target = catalog.resolve(conn, tb.table(), s, tb.keySchema());
        }
        return target;
    }

    private void writeOneByOne(Connection conn, List<ChangeEvent> events, Map<String, long[]> snapshotTotals,
                               BatchOffsets batchOffsets,
                               Map<String, Long> badCounts) throws SQLException {
        Map<String, TableCounters> counters = newCounters(badCounts);
        Map<ChangeEvent, TargetTable> targets = new IdentityHashMap<>();
        for (ChangeEvent e : events) {
            try {
                targets.put(e, catalog.resolve(conn, e.table(), e.row() == null ? null : e.row().schema(),
                        e.key() == null ? null : e.key().schema()));
            } catch (BadRecordException ex) {
                bad(e, ex, counters);
            } catch (SQLException ex) {
                if (ErrorContext.isTransient(ex)) {
                    throw ex;
                }
                bad(e, ex, counters);
            }
        }
        conn.setAutoCommit(false);
        try {
            // a deferrable foreign key (transactional mode) must refuse the row that breaks it, not the commit
            SegmentWriter.checkConstraintsNow(conn);
            if (!restartPlan.isEmpty()) {
                restarts.apply(conn, restartPlan);
            }
            for (ChangeEvent e : events) {
                TargetTable target = targets.get(e);
                if (target == null) {
                    continue;
                }
                TableCounters c = counters.computeIfAbsent(e.table(), t -> new TableCounters());
                if (parking.isParked(e)) {
                    parking.park(conn, target, e, "an earlier change of this row is parked");
                    c.count(e);
                    continue;
                }
                Savepoint sp = conn.setSavepoint();
                try {
                    segments.writeOne(conn, target, e);
                    conn.releaseSavepoint(sp);
                    c.count(e);
                    c.ignoredValues += SegmentWriter.carryingIgnored(target, List.of(e));
                    c.nulStripped += text.takeNulsStripped();
                } catch (SQLException ex) {
                    if (ErrorContext.isTransient(ex)) {
                        throw ex;
                    }
                    conn.rollback(sp);
                    if (ParkedRows.FK_VIOLATION.equals(ex.getSQLState()) && parking.canPark(e)) {
                        // the parent (or, for a delete, the children) is still on its way through another topic
                        parking.park(conn, target, e, ErrorContext.chain(ex));
                        c.count(e);
                        continue;
                    }
                    bad(e, ex, counters);
                } catch (BadRecordException ex) {
                    conn.rollback(sp);
                    bad(e, ex, counters);
                }
            }
            if (reloads != null && !reloads.isEmpty()) {
                // a bad record's key too: the target keeps its older row rather than losing it to the sweep
                Map<String, TargetTable> byTable = new java.util.HashMap<>();
                targets.forEach((e, t) -> byTable.putIfAbsent(e.table(), t));
                reloads.touch(conn, events, byTable::get);
            }
            commit(conn, batchOffsets, counters, snapshotTotals);
        } catch (SQLException | RuntimeException ex) {
            rollbackQuietly(conn);
            parking.rolledBack();
            catalog.invalidate();
            throw ex;
        }
    }

    private void bad(ChangeEvent e, Exception ex, Map<String, TableCounters> counters) {
        text.takeNulsStripped();
        badRecords.handle(e.record(), e.table(), ex);
        TableCounters c = counters.computeIfAbsent(e.table(), t -> new TableCounters());
        c.badRecords++;
        // a bad last snapshot row still ends its table's snapshot: the table is loaded, less what the DLQ holds
        if (e.endsTableSnapshot()) {
            c.snapshotEnded = true;
        }
    }

    private void commit(Connection conn, BatchOffsets batchOffsets, Map<String, TableCounters> counters,
                        Map<String, long[]> snapshotTotals) throws SQLException {
        conn.setAutoCommit(false);
        offsets.claim(conn, batchOffsets.first());
        offsets.save(conn, batchOffsets.next());
        offsets.savePositions(conn, batchOffsets.positions());
        batchOffsets.redelivered().forEach((table, n) ->
                counters.computeIfAbsent(table, t -> new TableCounters()).redelivered += n);
        stats.add(conn, counters);
        stats.expect(conn, snapshotTotals);
        boolean ended = counters.values().stream().anyMatch(TableCounters::completesSnapshot);
        if (!snapshotTotals.isEmpty() || counters.values().stream().anyMatch(c -> c.snapshotRows > 0)) {
            ended |= stats.promoteCompleted(conn) > 0;
        }
        conn.commit();
        if (ended) {
            loadEnded = true;
        }
        parking.committed();
        metrics.add(counters);
    }

    private static Map<String, TableCounters> newCounters(Map<String, Long> badCounts) {
        Map<String, TableCounters> counters = new LinkedHashMap<>();
        badCounts.forEach((table, n) -> counters.computeIfAbsent(table, t -> new TableCounters()).badRecords += n);
        return counters;
    }

    private static void rollbackQuietly(Connection conn) {
        try {
            if (!conn.isClosed() && !conn.getAutoCommit()) {
                conn.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is broken; the caller reconnects
        }
    }
}
