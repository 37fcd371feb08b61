package io.ferry.signals;

import io.debezium.connector.binlog.BinlogReadOnlyIncrementalSnapshotChangeEventSource;
import io.debezium.connector.binlog.BinlogReadOnlyIncrementalSnapshotContext;
import io.debezium.connector.binlog.gtid.GtidSet;
import io.debezium.document.Array;
import io.debezium.document.Document;
import io.debezium.document.Value;
import io.debezium.pipeline.EventDispatcher;
import io.debezium.pipeline.signal.SignalPayload;
import io.debezium.pipeline.signal.actions.SignalAction;
import io.debezium.pipeline.signal.actions.snapshotting.AdditionalCondition;
import io.debezium.pipeline.signal.actions.snapshotting.ExecuteSnapshot;
import io.debezium.pipeline.source.snapshot.incremental.AbstractIncrementalSnapshotChangeEventSource;
import io.debezium.pipeline.source.snapshot.incremental.IncrementalSnapshotChangeEventSource;
import io.debezium.pipeline.source.snapshot.incremental.IncrementalSnapshotContext;
import io.debezium.pipeline.spi.Partition;
import io.debezium.spi.schema.DataCollectionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The signal {@value #NAME}: an incremental snapshot of a read-only binlog connector (MariaDB, MySQL with
 * {@code read.only=true}) whose chunks are all read by the binlog thread.
 * <p>
 * Debezium's own {@code execute-snapshot} reads the first chunk on the signal thread. Its window (a plain
 * LinkedHashMap) and the snapshot's context are shared with the binlog thread, which closes windows at commits: when a
 * commit arrives while the signal thread is still (re)reading that chunk, the binlog thread iterates the window being
 * filled and the source task fails with a ConcurrentModificationException. Ferry's fault matrix saw the restarted task
 * then skip a whole source transaction: its offsets had been written from state both threads were changing.
 * <p>
 * This action does on the signal thread only what the binlog thread cannot race with: it queues the tables in the
 * snapshot's context and sets both watermarks to the GTIDs executed now, an empty first window. The next commit the
 * binlog thread processes closes that window and reads the first chunk there, as it reads every later one. The
 * snapshot is otherwise Debezium's own: its offsets, notifications, restart and stop signals are unchanged.
 * Anything else (a snapshot already running, another connector) is handed to Debezium's {@code execute-snapshot}.
 */
final class BinlogThreadIncrementalSnapshot<P extends Partition> implements SignalAction<P> {

    static final String NAME = "ferry-incremental-snapshot";

    private static final Logger log = LoggerFactory.getLogger(BinlogThreadIncrementalSnapshot.class);

    private final EventDispatcher<P, ? extends DataCollectionId> dispatcher;
    private final ExecuteSnapshot<P> debeziums;

    BinlogThreadIncrementalSnapshot(EventDispatcher<P, ? extends DataCollectionId> dispatcher, ExecuteSnapshot<P> debeziums) {
        this.dispatcher = dispatcher;
        this.debeziums = debeziums;
    }

    @Override
    public boolean arrived(SignalPayload<P> signal) throws InterruptedException {
        List<String> tables = ExecuteSnapshot.getDataCollections(signal.data);
        if (tables == null) {
            return false; // Debezium's helper has said what is missing
        }
        IncrementalSnapshotChangeEventSource<P, ? extends DataCollectionId> source = dispatcher.getIncrementalSnapshotChangeEventSource();
        if (!(source instanceof BinlogReadOnlyIncrementalSnapshotChangeEventSource<?, ?>)
                || !(signal.offsetContext.getIncrementalSnapshotContext() instanceof BinlogReadOnlyIncrementalSnapshotContext<?> context)) {
            log.info("Signal {}: not a read-only binlog incremental snapshot ({}); handled as Debezium's {}", NAME,
                    source == null ? "none configured" : source.getClass().getSimpleName(), ExecuteSnapshot.NAME);
            return debeziums.arrived(signal);
        }
        if (context.snapshotRunning()) {
            // Debezium then only queues the tables: it reads no chunk on this thread
            log.info("Signal {}: an incremental snapshot is running; {} queued behind it by Debezium's {}", NAME, tables,
                    ExecuteSnapshot.NAME);
            return debeziums.arrived(signal);
        }
        Start start;
        try {
            start = prepare(signal, source);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // nothing of the snapshot was touched yet: Debezium's own path still works
            log.warn("Signal {}: this Debezium ({}) does not have the internals it is written for ({}); handled as "
                    + "Debezium's {}, whose first chunk is read on the signal thread", NAME, source.getClass().getName(),
                    e.toString(), ExecuteSnapshot.NAME);
            return debeziums.arrived(signal);
        }
        start.queue(signal, source, context, tables);
        notifyStarted(source, signal, context);
        return true;
    }

    /** Everything the start needs that can fail, found before the snapshot's context is touched. */
    private record Start(Field contextField, GtidSet executed, List<AdditionalCondition> conditions,
                         Optional<String> surrogateKey) {

        @SuppressWarnings({"unchecked", "rawtypes"})
        void queue(SignalPayload<?> signal, IncrementalSnapshotChangeEventSource<?, ?> source,
                   BinlogReadOnlyIncrementalSnapshotContext<?> context, List<String> tables) {
            try {
                // the source's own reference to the context is the one the binlog thread reads; Debezium sets it so too
                if (contextField.get(source) != context) {
                    contextField.set(source, context);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e); // made accessible in prepare()
            }
            ((IncrementalSnapshotContext) context).addDataCollectionNamesToSnapshot(signal.id,
                    new ArrayList<>(new LinkedHashSet<>(tables)), conditions, surrogateKey.orElse(""));
            // the tables are queued before the watermarks are published: the binlog thread acts on the watermarks
            VarHandle.fullFence();
            context.setLowWatermark(executed);
            context.setHighWatermark(executed);
            VarHandle.fullFence();
            log.info("Signal {}: incremental snapshot of {} queued (conditions {}, surrogate key {}); the binlog thread "
                    + "reads its first chunk at the next commit after {}", NAME, tables, conditions,
                    surrogateKey.orElse("the primary key"), executed);
        }
    }

    private Start prepare(SignalPayload<P> signal, IncrementalSnapshotChangeEventSource<P, ?> source)
            throws ReflectiveOperationException {
        Field contextField = AbstractIncrementalSnapshotChangeEventSource.class.getDeclaredField("context");
        contextField.setAccessible(true);
        Method executedGtids = BinlogReadOnlyIncrementalSnapshotChangeEventSource.class.getDeclaredMethod("getExecutedGtidSet",
                Consumer.class);
        executedGtids.setAccessible(true);
        GtidSet[] executed = new GtidSet[1];
        executedGtids.invoke(source, (Consumer<GtidSet>) g -> executed[0] = g);
        if (executed[0] == null) {
            throw new IllegalStateException("the source returned no executed GTID set");
        }
        return new Start(contextField, executed[0], conditions(signal.data), ExecuteSnapshot.getSurrogateKey(signal.data));
    }

    /** Debezium's STARTED notification, as its own action sends it; a Debezium without the field just does not get it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void notifyStarted(IncrementalSnapshotChangeEventSource<P, ?> source, SignalPayload<P> signal,
                               BinlogReadOnlyIncrementalSnapshotContext<?> context) {
        try {
            Field f = AbstractIncrementalSnapshotChangeEventSource.class.getDeclaredField("notificationService");
            f.setAccessible(true);
            io.debezium.pipeline.notification.NotificationService service = (io.debezium.pipeline.notification.NotificationService) f.get(source);
            service.incrementalSnapshotNotificationService().notifyStarted((IncrementalSnapshotContext) context,
                    signal.partition, signal.offsetContext);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Signal {}: no STARTED notification sent ({})", NAME, e.toString());
        }
    }

    /** The signal's additional conditions, read as Debezium's execute-snapshot reads them. */
    static List<AdditionalCondition> conditions(Document data) {
        List<AdditionalCondition> out = new ArrayList<>();
        Array array = data.getArray("additional-conditions");
        if (array == null) {
            return out;
        }
        for (Value v : (Iterable<Value>) array.streamValues()::iterator) {
            Document d = v.asDocument();
            out.add(AdditionalCondition.AdditionalConditionBuilder.builder()
                    .dataCollection(Pattern.compile(d.getString("data-collection"), Pattern.CASE_INSENSITIVE))
                    .filter(d.getString("filter")).build());
        }
        return out;
    }
}
