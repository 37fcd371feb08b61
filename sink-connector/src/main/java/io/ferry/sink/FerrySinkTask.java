package io.ferry.sink;

import io.ferry.sink.config.FerrySinkConfig;
import io.ferry.sink.design.DeclarationCheck;
import io.ferry.sink.design.DeferredDdl;
import io.ferry.sink.design.TargetDesign;
import io.ferry.sink.errors.BadRecordHandler;
import io.ferry.sink.errors.ErrantRecords;
import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.event.BatchDecoder;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.DecodedBatch;
import io.ferry.sink.event.ReloadNotification;
import io.ferry.sink.event.SourceSnapshotNotification;
import io.ferry.sink.event.TableNamer;
import io.ferry.sink.events.EventChannel;
import io.ferry.sink.events.EventPublisher;
import io.ferry.sink.events.SinkEvents;
import io.ferry.sink.events.TopicChannel;
import io.ferry.sink.events.WebhookChannel;
import io.ferry.sink.flow.BackgroundWrite;
import io.ferry.sink.flow.RunningAheadPauses;
import io.ferry.sink.flow.StoppedTables;
import io.ferry.sink.flow.TransactionBuffer;
import io.ferry.sink.keys.KeyRegistry;
import io.ferry.sink.keys.RegistryKeyResolver;
import io.ferry.sink.phase.ConstraintBuilder;
import io.ferry.sink.phase.Reloads;
import io.ferry.sink.phase.SnapshotRestarts;
import io.ferry.sink.phase.SourceSnapshots;
import io.ferry.sink.schema.CatalogOptions;
import io.ferry.sink.schema.DesignColumns;
import io.ferry.sink.schema.GeometryFormat;
import io.ferry.sink.schema.TableCatalog;
import io.ferry.sink.schema.TypeRegistry;
import io.ferry.sink.schema.UnsafeTypeChange;
import io.ferry.sink.state.BatchOffsets;
import io.ferry.sink.state.OffsetStore;
import io.ferry.sink.state.RedeliveryFence;
import io.ferry.sink.state.StateSchema;
import io.ferry.sink.stats.ConnectorGauges;
import io.ferry.sink.stats.Jmx;
import io.ferry.sink.stats.SinkMetrics;
import io.ferry.sink.stats.StatsStore;
import io.ferry.sink.write.CopySpan;
import io.ferry.sink.write.ParkedRows;
import io.ferry.sink.write.PgConnections;
import io.ferry.sink.write.PgText;
import io.ferry.sink.write.SegmentWriter;
import io.ferry.sink.write.SinkWriter;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import javax.management.ObjectName;

/**
 * Decodes each put() into change events and hands them to the {@link SinkWriter}: one transaction per put, holding
 * the rows, the statistics and the offsets. Nothing is buffered across put() calls, so a redelivered batch after a
 * retriable failure or a rebalance is the whole truth. On partition assignment the consumer is moved to the offsets
 * stored in PostgreSQL.
 */
public class FerrySinkTask extends SinkTask {

    private SegmentWriter segmentWriter;

    /** Snapshot rows committed by binary COPY since start (tests and benchmarks tell the formats apart by it). */
    long binaryCopyRows() {
        return segmentWriter == null ? 0 : segmentWriter.binaryCopyRows();
    }


    static final String TASK_ID = "ferry.task.id";
    private static final Logger log = LoggerFactory.getLogger(FerrySinkTask.class);

    private FerrySinkConfig config;
    private String connectorName;
    private PgConnections connections;
    private BatchDecoder batches;
    private TableNamer namer;
    private SinkWriter writer;
    private OffsetStore offsets;
    private RedeliveryFence fence;
    private EventPublisher publisher;
    private SinkEvents alerts = SinkEvents.none();
    private StatsStore statsStore;
    private long lastLoadedCheck;
    private SinkMetrics metrics;
    private ConnectorGauges gauges;
    private Reloads reloads;
    private SourceSnapshots sourceSnapshots;
    private ErrantRecords errantRecords;
    private int remainingRetries;
    private ParkedRows parking;
    private RegistryKeyResolver registryKeys;
    private long lastIdleWork;
    private StoppedTables stopped;
    private TableCatalog catalog;
    private long lastReleaseCheck;
    private Predicate<String> subscribed = t -> true;
    /** Full-load batches written while the next is polled and decoded (snapshot.write.overlap), else null. */
    private BackgroundWrite background;
    /** Partitions of a batch the background write did not commit: {first offset, next offset} to read them again. */
    private final Map<TopicPartition, long[]> readAgain = new HashMap<>();
    /** Partitions rewound by the last put(): Connect seeks them at its next poll, so no offset is committed before. */
    private final Set<TopicPartition> rewinding = new HashSet<>();
    /** After a background failure, batches go through the task thread until one is written there. */
    private boolean synchronousUntilWritten;
    /** Source transactions being assembled (cdc.apply.mode=transactional), else null. */
    private TransactionBuffer transactions;
    /** Table partitions paused while the transaction buffer is full (transactional mode), else null. */
    private RunningAheadPauses pauses;
    /** How often stopped tables are checked for the target change that resumes them (tests shorten it). */
    static long RELEASE_CHECK_MS = 5000;
    /**
     * How often the work that needs no new record runs (parked rows, stopped tables, TABLE_LOADED, gauges). It is
     * also the longest Connect waits before the next put(): without that, an idle task is polled only when the next
     * offset commit is due (offset.flush.interval.ms, a minute by default).
     */
    static final long IDLE_WORK_MS = 1000;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new FerrySinkConfig(props);
        connectorName = props.getOrDefault("name", "ferry-sink");
        String taskId = props.getOrDefault(TASK_ID, "0");
        connections = new PgConnections(config, "ferry-sink:" + connectorName + ":" + taskId);
        publisher = new EventPublisher(eventChannels(), 1000);
        alerts = new SinkEvents(publisher, connectorName, taskNumber(taskId),
                config.badRecordEventIntervalMs());
        try {
            startWriting(props, taskId);
        } catch (RuntimeException e) {
            alerts.taskFailed(e.getMessage());
            throw e;
        }
        log.info("Ferry sink '{}' task {} started: target schema \"{}\", state schema \"{}\", DLQ reporter {}",
                connectorName, taskId, config.targetSchema(), config.stateSchema(),
                errantRecords != null && errantRecords.reporting() ? "on" : "off");
    }

    /** Everything of start() that can fail once events can be sent: state schema, design, constraints. */
    private void startWriting(Map<String, String> props, String taskId) {
        errantRecords = new ErrantRecords(connectorName, errantRecordReporter(), alerts);
        StateSchema state = new StateSchema(config.stateSchema());
        try {
            state.create(connections.get());
        } catch (SQLException e) {
            throw new ConnectException("Ferry sink '" + connectorName + "' cannot prepare its state schema \""
                    + config.stateSchema() + "\": " + ErrorContext.chain(e), e);
        }
        offsets = new OffsetStore(state, connectorName);
        fence = new RedeliveryFence(state, connectorName, config.skipRedelivered());
        metrics = new SinkMetrics(connectorName, taskId);
        // connector-wide gauges from one task only, so that sums over the workers stay right
        gauges = "0".equals(taskId) ? new ConnectorGauges(state, connectorName)
                .reportingTo(alerts, config.parkedRowsThreshold(), config.parkedAgeSeconds()) : null;
        PgText text = new PgText(config.nulPolicy());
        TargetDesign design;
        try {
            design = TargetDesign.read(connections.get(), config.targetDdl(), config.targetSchema());
            String geometry = geometryType(connections.get());
            catalog = new TableCatalog(config.targetSchema(), new TypeRegistry(config.tinyint1AsBoolean(), geometry),
                    new CatalogOptions(config.autoCreate(), config.autoEvolve(), config.enumMode(),
                            config.dropColumns(), config.stopOnUnsafeChange(), config.jsonColumns(),
                            config.columnAddPolicy()),
                    design.bareTables().keySet(), new DesignColumns(state, config.targetSchema()));
            var problems = DeclarationCheck.problems(design, config.foreignKeys(), config.bigintKeys());
            if (!problems.isEmpty()) {
                throw new ConnectException("Ferry sink '" + connectorName + "': declarations do not match the target "
                        + "design: " + problems);
            }
            catalog.createDesigned(connections.get(), design);
        } catch (SQLException e) {
            throw new ConnectException("Ferry sink '" + connectorName + "' cannot use its " + FerrySinkConfig.TARGET_DDL_CONFIG
                    + ": " + ErrorContext.chain(e), e);
        }
        parking = new ParkedRows(state, connectorName, text);
        stopped = new StoppedTables(state, connectorName);
        try {
            stopped.load(connections.get());
        } catch (SQLException e) {
            throw new ConnectException("Ferry sink '" + connectorName + "' cannot read its stopped tables: "
                    + ErrorContext.chain(e), e);
        }
        stopped.all().forEach(s -> log.error("Ferry sink '{}': table {} is STOPPED since before this start: {}. Run on "
                + "the target: {}", connectorName, s.table(), s.reason(), s.ddl()));
        List<DeferredDdl> deferred = new ArrayList<>(design.deferred());
        deferred.addAll(ConstraintBuilder.declared(config.targetSchema(), config.foreignKeys()));
        if (config.transactional()) {
            // checked at each commit of whole source transactions: the order of tables inside one does not matter
            deferred.replaceAll(ConstraintBuilder::deferrable);
        }
        ConstraintBuilder constraints = new ConstraintBuilder(config.targetSchema(), state, connectorName, deferred)
                .reportingTo(alerts);
        try {
            constraints.register(connections.get());
        } catch (SQLException e) {
            throw new ConnectException("Ferry sink '" + connectorName + "' cannot record its design's constraints: "
                    + ErrorContext.chain(e), e);
        }
        segmentWriter = new SegmentWriter(text, config.copyEnabled(), config.deleteEnabled())
                .upsertingByCopy(config.upsertByCopy()).copyingBinary(config.binaryCopy());
        reloads = new Reloads(state, connectorName, taskId, config.targetSchema(), segmentWriter)
                .reportingTo(alerts);
        sourceSnapshots = new SourceSnapshots(state, connectorName);
        writer = new SinkWriter(catalog, segmentWriter, text,
                offsets, statsStore = new StatsStore(state, connectorName), metrics, badRecordHandler(), parking, constraints,
                new SnapshotRestarts(config.targetSchema(), state, connectorName, constraints))
                .reloading(reloads);
        registryKeys = new RegistryKeyResolver(config.bigintKeys(), new KeyRegistry(state));
        namer = new TableNamer(config.tableNameFormat());
        subscribed = subscription(props);
        remainingRetries = config.maxRetries();
        // in transactional mode too: full-load rows belong to no source transaction, the buffer hands them out as they
        // come, and every put() settles the batch in flight before the buffer's next batch is written
        if (config.copyOverlap() && config.copyEnabled()) {
            background = new BackgroundWrite("ferry-writer-" + connectorName + "-" + taskId);
            // snapshot.copy.enabled=false: snapshot rows are upserted, nothing to span
            if (config.copySpanBytes() > 0 && config.copyEnabled()) {
                writer.spanning(config, "ferry-sink:" + connectorName + ":" + taskId + ":copy", fence::committed);
            }
        }
        if (config.transactional()) {
            transactions = new TransactionBuffer(connectorName, config.transactionTopic(),
                    config.transactionGroupMax(), config.transactionBufferMax(), subscribed, fence::appliedBefore);
            transactionsMBean = Jmx.register(transactions, "io.ferry:type=sink-transactions,connector="
                    + ObjectName.quote(connectorName) + ",task=" + taskId,
                    "the transaction metrics of '" + connectorName + "'");
            pauses = new RunningAheadPauses(transactions, connectorName, config.transactionBufferMax());
        }
        batches = new BatchDecoder(namer, subscribed, transactions != null ? transactions::isMarker : r -> false);
    }

    private ObjectName transactionsMBean;

    private List<EventChannel> eventChannels() {
        List<EventChannel> channels = new ArrayList<>();
        if (config.eventsWebhook() != null) {
            channels.add(new WebhookChannel(config.eventsWebhook(), config.eventsWebhookSlack()
                    ? WebhookChannel.Format.SLACK : WebhookChannel.Format.JSON));
        }
        if (!config.eventsTopic().isEmpty()) {
            channels.add(new TopicChannel(config.eventsTopic(), config.eventsProducer()));
        }
        return channels;
    }

    private static Integer taskNumber(String taskId) {
        try {
            return Integer.valueOf(taskId);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * TABLE_LOADED for tables whose load ended (checked at once when this task's flush ended a load, else at most
     * once a second, for loads other tasks of the connector ended; one task sends each).
     */
    private void reportLoaded(boolean due) {
        long now = System.currentTimeMillis();
        if (!due && now - lastLoadedCheck < IDLE_WORK_MS) {
            return;
        }
        lastLoadedCheck = now;
        try {
            statsStore.claimLoaded(connections.get())
                    .forEach(l -> alerts.tableLoaded(l.table(), l.rows(), l.badRecords(), l.completedAt()));
        } catch (SQLException e) {
            log.debug("Ferry sink '{}' could not check for loaded tables; next time: {}", connectorName,
                    ErrorContext.chain(e));
        }
    }

    /** Whether a topic is one this connector consumes (its topics or topics.regex). */
    static Predicate<String> subscription(Map<String, String> props) {
        String regex = props.get(SinkTask.TOPICS_REGEX_CONFIG);
        if (regex != null && !regex.isBlank()) {
            Pattern p = Pattern.compile(regex);
            return t -> p.matcher(t).matches();
        }
        String topics = props.get(SinkTask.TOPICS_CONFIG);
        if (topics != null && !topics.isBlank()) {
            Set<String> names = new HashSet<>();
            for (String t : topics.split(",")) {
                names.add(t.trim());
            }
            return names::contains;
        }
        return t -> true;
    }

    private String geometryType(Connection conn) throws SQLException {
        try {
            return GeometryFormat.columnType(conn, config.geometryFormat());
        } catch (IllegalStateException e) {
            throw new ConnectException("Ferry sink '" + connectorName + "': " + e.getMessage());
        }
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null;
        }
    }

    /** Bad records go to the errant-record reporter, on the task thread only. */
    private BadRecordHandler badRecordHandler() {
        return (record, table, error) -> {
            if (background != null && background.onWriterThread()) {
                // the errant-record reporter belongs to the task thread: the batch is written again there
                throw new BackgroundWrite.Redo("a bad record in " + record.topic() + "-"
                        + record.kafkaPartition() + "@" + record.kafkaOffset());
            }
            errantRecords.handle(record, table, error);
        };
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        settleBackground();
        endSpan();
        try {
            parking.assign(connections.get(), partitions);
            Map<TopicPartition, Long> stored = offsets.load(connections.get(), partitions);
            fence.load(connections.get(), partitions);
            endRead(connections.get());
            if (transactions != null) {
                transactions.assigned(partitions);
                pauses.assigned(context, partitions);
            }
            if (!stored.isEmpty()) {
                log.info("Ferry sink '{}' resumes {} partition(s) from offsets stored in PostgreSQL: {}",
                        connectorName, stored.size(), stored);
                context.offset(stored);
            }
        } catch (SQLException e) {
            resetConnection();
            String what = "Ferry sink '" + connectorName + "' cannot read its stored offsets: " + ErrorContext.chain(e);
            alerts.taskFailed(what);
            throw new ConnectException(what, e);
        }
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        settleBackground();
        endSpan();
        // their next owner starts from the offsets stored in PostgreSQL, which never include an uncommitted batch
        partitions.forEach(readAgain::remove);
        parking.revoke(partitions);
        stopped.revoke(partitions);
        fence.revoke(partitions);
        if (transactions != null) {
            pauses.forget(partitions);
            // what was held for the partitions that stay is read again, so transactions are assembled whole
            Map<TopicPartition, Long> again = transactions.clear(partitions);
            if (!again.isEmpty()) {
                context.offset(again);
            }
        }
    }

    /**
     * After any failure the rows in PostgreSQL, not this task's memory, say where each partition stands: a commit whose
     * acknowledgement was lost did happen (its records must not be applied twice), and a server that lost commits it had
     * acknowledged (a crash with synchronous_commit=off, a failover to a standby that was behind) did not keep them
     * (their records must be read again).
     */
    private boolean reconcile;

    private void resetConnection() {
        connections.reset();
        reconcile = true;
    }

    /**
     * The records PostgreSQL does not have yet; partitions it is behind on are rewound to where it stands. The
     * partitions of a batch the background write did not commit are among them, whether this batch has records of
     * them or not: the consumer is past that batch.
     */
    private Collection<SinkRecord> reconciled(Collection<SinkRecord> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (SinkRecord r : records) {
            first.merge(StoppedTables.partition(r), r.originalKafkaOffset(), Math::min);
        }
        readAgain.forEach((tp, range) -> first.merge(tp, range[1], Math::min));
        Map<TopicPartition, Long> stored;
        try {
            stored = offsets.load(connections.get(), first.keySet());
            fence.load(connections.get(), first.keySet());
            endRead(connections.get());
        } catch (SQLException e) {
            throw retryOrFail("Ferry sink '" + connectorName + "' cannot read its stored offsets after a failure: "
                    + ErrorContext.chain(e), e);
        }
        Map<TopicPartition, Long> rewind = new HashMap<>();
        first.forEach((tp, f) -> {
            Long s = stored.get(tp);
            long[] failed = readAgain.get(tp);
            if (s == null && failed != null) {
                s = failed[0]; // nothing of the partition committed yet: from the failed batch's first record
            }
            if (s != null && s < f) {
                rewind.put(tp, s);
            }
        });
        boolean afterBackground = !readAgain.isEmpty();
        readAgain.clear();
        List<SinkRecord> keep = new ArrayList<>(records.size());
        long applied = 0;
        for (SinkRecord r : records) {
            TopicPartition tp = StoppedTables.partition(r);
            Long s = stored.get(tp);
            if (rewind.containsKey(tp)) {
                continue;
            }
            if (s != null && r.originalKafkaOffset() < s) {
                applied++;
                continue;
            }
            keep.add(r);
        }
        if (!rewind.isEmpty() && afterBackground) {
            log.info("Ferry sink '{}': reading the background write's batch again from the offsets PostgreSQL committed: {}",
                    connectorName, rewind);
        } else if (!rewind.isEmpty()) {
            log.warn("Ferry sink '{}': PostgreSQL does not have commits it acknowledged before the failure (a crash with "
                    + "synchronous_commit=off, or a failover to a standby that was behind); reading again from {}",
                    connectorName, rewind);
        }
        if (!rewind.isEmpty()) {
            if (transactions != null) {
                // the held transactions must be assembled again from where PostgreSQL stands
                Map<TopicPartition, Long> again = transactions.clear(List.of());
                rewind.forEach((tp, o) -> again.merge(tp, o, Math::min));
                transactions.rewound(again);
                context.offset(again);
                reconcile = false;
                return null;
            }
            context.offset(rewind);
            rewinding.addAll(rewind.keySet());
        }
        if (applied > 0) {
            log.info("Ferry sink '{}': {} record(s) of this batch were committed before the failure; not applied twice",
                    connectorName, applied);
        }
        reconcile = false;
        return keep;
    }

    /** A read outside a write must not leave its transaction open (it would hold a snapshot until the next put). */
    private static void endRead(Connection conn) throws SQLException {
        if (!conn.getAutoCommit()) {
            conn.rollback();
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        // applies to the next poll only, so it is asked for on every put(); a retry's backoff, set later, replaces it
        context.timeout(IDLE_WORK_MS);
        if (transactions != null) {
            putTransactions(records);
            return;
        }
        rewinding.clear(); // Connect has polled since the last put(): its rewinds are done
        // decoded while the batch in flight is written: decoding touches nothing the writer thread uses
        DecodedBatch early = background != null && background.busy() && !records.isEmpty()
                ? batches.decode(records instanceof List<SinkRecord> l ? l : new ArrayList<>(records)) : null;
        settleBackground();
        if (records.isEmpty() && readAgain.isEmpty()) {
            idle();
            if (readAgain.isEmpty()) {
                return;
            }
            // a span idle() committed failed: its partitions are rewound now, not after the next records
        }
        if (reconcile) {
            // PostgreSQL's stored offsets are the truth read next: a span's rows must be among them, not in flight
            endSpan();
            Collection<SinkRecord> kept = reconciled(records);
            if (kept.size() != records.size()) {
                early = null;
            }
            records = kept;
            if (records.isEmpty()) {
                return;
            }
        }
        releaseStoppedTables();
        refreshGauges();
        refreshReloads();
        Set<TopicPartition> held = new HashSet<>();
        Set<SinkRecord> reported = Collections.newSetFromMap(new IdentityHashMap<>());
        while (true) {
            // no per-record partition bookkeeping unless some partition is held
            boolean whole = held.isEmpty() && !stopped.anyPaused();
            List<SinkRecord> batch = whole ? new ArrayList<>(records) : unheld(records, held);
            try {
                write(batch, reported, whole ? early : null);
                break;
            } catch (HoldPartitions h) {
                stopped.hold(context, records, h.partitions);
                held.addAll(h.partitions.keySet());
            } catch (OffsetStore.Moved moved) {
                // another writer committed part of this batch (e.g. this partition's previous task, still running
                // while Connect moved the partition here): apply only what PostgreSQL does not have
                log.warn("Ferry sink '{}': another writer committed records of this batch first ({}); applying only "
                        + "the rest", connectorName, moved.stored());
                records = reconciled(records);
                early = null;
                if (records.isEmpty()) {
                    return;
                }
            }
        }
        if (stopped.anyPaused()) {
            stopped.holdPaused(context, records);
        }
        if (writer.spans()) {
            // rows a span holds open become visible, their offsets stored, soon after the topic runs dry (an empty
            // put() commits the span; the span itself is the writer thread's until the next put() settles it)
            context.timeout(SPAN_IDLE_MS);
        }
    }

    /** How soon an empty put() commits a COPY spanning batches once no more records come. */
    static final long SPAN_IDLE_MS = 100;

    /** Commits the COPY spanning batches, if one is open; one that fails is read again (see absorbSpanLoss). */
    private void endSpan() {
        try {
            writer.commitSpan();
        } catch (CopySpan.Lost e) {
            // logged by the span; its partitions are read again below
        }
        absorbSpanLoss();
        reportLoaded(writer.takeLoadEnded());
    }

    /**
     * A COPY spanning batches that did not commit: its partitions are read again from the offsets PostgreSQL has, and
     * batches go through the task thread until one is written there, as after a failed background batch.
     */
    private void absorbSpanLoss() {
        Map<TopicPartition, long[]> lost = writer.takeLostSpan();
        if (lost.isEmpty()) {
            return;
        }
        lost.forEach((tp, range) -> readAgain.merge(tp, range, CopySpan::widen));
        synchronousUntilWritten = true;
        resetConnection();
    }

    /**
     * Transactional mode: records are held until their source transaction is whole; whole ones are written in commit
     * order, grouped, in one PostgreSQL transaction with their offsets (the transaction topic's too).
     */
    private void putTransactions(Collection<SinkRecord> records) {
        // a full-load batch the writer thread has in flight is committed (or failed) before anything else is written
        settleBackground();
        transactions.add(records);
        pauses.adjust(context);
        if (rewoundAfterBackgroundLoss()) {
            return;
        }
        TransactionBuffer.Ready ready = transactions.ready();
        if (ready.isEmpty()) {
            warnIfHeldLong();
            idle(); // commits a span open since the topic ran dry, which may fail
            rewoundAfterBackgroundLoss();
            return;
        }
        heldSince = 0;
        Collection<SinkRecord> batch = ready.records();
        if (reconcile) {
            batch = reconciled(batch);
            if (batch == null) {
                return; // rewound: the buffer starts again from where PostgreSQL stands
            }
        }
        releaseStoppedTables();
        refreshGauges();
        refreshReloads();
        Set<SinkRecord> reported = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!batch.isEmpty()) {
            try {
                write(new ArrayList<>(batch), reported, null);
                break;
            } catch (HoldPartitions h) {
                // a stopped table cannot leave its transactions behind while later ones commit
                throw new ConnectException("Ferry sink '" + connectorName + "' (cdc.apply.mode=transactional): table(s) "
                        + new TreeSet<>(h.partitions.values()) + " STOPPED; in transactional mode no later "
                        + "transaction is applied before it. Run the DDL from the log or the TABLE_STOPPED event on the "
                        + "target, then restart the task.");
            } catch (OffsetStore.Moved moved) {
                log.warn("Ferry sink '{}': another writer committed records of this batch first ({}); applying only "
                        + "the rest", connectorName, moved.stored());
                batch = reconciled(batch);
                if (batch == null) {
                    return;
                }
            }
        }
        transactions.applied(ready);
        pauses.adjust(context);
        if (writer.spans()) {
            context.timeout(SPAN_IDLE_MS); // as in put(): a span open when the topic runs dry commits soon
        }
    }

    /**
     * Transactional mode: a background batch or span that did not commit sends the buffer back to where PostgreSQL
     * stands, before the buffer hands out anything behind it. Whether it did.
     */
    private boolean rewoundAfterBackgroundLoss() {
        if (!reconcile || readAgain.isEmpty()) {
            return false;
        }
        if (reconciled(List.of()) == null) {
            return true;
        }
        // PostgreSQL had it all (the acknowledgement was lost): the batch handed out next is still checked against
        // the stored offsets, as after any failure
        reconcile = true;
        return false;
    }

    /** When the transaction buffer began holding events with nothing handed out (ms), 0 while it hands out. */
    private long heldSince;
    private long lastHeldWarning;
    static final long HELD_WARNING_MS = 60_000;

    /**
     * A transaction that never becomes whole holds every later one: say so, once a minute, instead of stalling
     * silently (its state is also the buffer's JMX attribute WaitingFor).
     */
    private void warnIfHeldLong() {
        long now = System.currentTimeMillis();
        if (transactions.getHeldEvents() == 0) {
            heldSince = 0;
            return;
        }
        if (heldSince == 0) {
            heldSince = now;
            return;
        }
        if (now - heldSince >= HELD_WARNING_MS && now - lastHeldWarning >= HELD_WARNING_MS) {
            lastHeldWarning = now;
            log.warn("Ferry sink '{}' (cdc.apply.mode=transactional): {} change event(s) held for {} s with nothing "
                    + "applied, waiting for {}", connectorName, transactions.getHeldEvents(),
                    (now - heldSince) / 1000, transactions.getWaitingFor());
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(
            Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (transactions == null) {
            settleBackground();
            endSpan();
            if (readAgain.isEmpty() && rewinding.isEmpty()) {
                return super.preCommit(currentOffsets); // every record put() was given is committed in PostgreSQL
            }
            // not past a batch that is to be read again
            Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>(currentOffsets);
            safe.keySet().removeAll(readAgain.keySet());
            safe.keySet().removeAll(rewinding);
            return safe;
        }
        // Kafka's committed offsets must not pass a record still held for its transaction, a full-load batch in
        // flight or a span not committed, nor a batch to be read again
        settleBackground();
        endSpan();
        Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>();
        currentOffsets.forEach((tp, om) -> {
            if (!readAgain.containsKey(tp)) {
                safe.put(tp, new OffsetAndMetadata(transactions.committable(tp, om.offset())));
            }
        });
        return safe;
    }

    private List<SinkRecord> unheld(Collection<SinkRecord> records, Set<TopicPartition> held) {
        List<SinkRecord> batch = new ArrayList<>(records.size());
        for (SinkRecord r : records) {
            TopicPartition tp = StoppedTables.partition(r);
            if (!held.contains(tp) && !stopped.isPaused(tp)) {
                batch.add(r);
            }
        }
        return batch;
    }

    /**
     * Decodes (unless {@code early} holds this very batch decoded) and writes one batch. Records of stopped tables are
     * not written: their partitions are held (thrown as {@link HoldPartitions}, before anything is reported or
     * written) and the caller tries again without them. A batch of full-load rows only goes to the background writer
     * when there is one; the next put() learns how it ended.
     */
    private void write(List<SinkRecord> records, Set<SinkRecord> reported, DecodedBatch early) {
        DecodedBatch d = early != null ? early : batches.decode(records);
        try {
            for (SourceSnapshotNotification run : d.snapshotRuns()) {
                sourceSnapshots.notified(connections.get(), run);
            }
            sourceSnapshots.firstRows(connections.get(), d.events());
        } catch (SQLException e) {
            throw retryOrFail("Ferry sink '" + connectorName + "' cannot record where Debezium's snapshot stands: "
                    + ErrorContext.chain(e), e);
        }
        for (ReloadNotification reload : d.reloadNotices()) {
            try {
                reloads.notified(connections.get(), reload);
            } catch (SQLException e) {
                throw retryOrFail("Ferry sink '" + connectorName + "' cannot record Debezium's reload "
                        + "notification: " + ErrorContext.chain(e), e);
            }
        }
        List<ChangeEvent> events = d.events();
        Map<TopicPartition, String> ofStopped = new HashMap<>();
        for (ChangeEvent e : stopped.isEmpty() ? List.<ChangeEvent>of() : events) {
            if (stopped.isStopped(e.table())) {
                ofStopped.putIfAbsent(StoppedTables.partition(e.record()), e.table());
            }
        }
        if (!ofStopped.isEmpty()) {
            throw new HoldPartitions(ofStopped);
        }
        BatchOffsets batchOffsets = BatchOffsets.of(records);
        if (background != null && !synchronousUntilWritten && d.fullLoadOnly()) {
            // badRecordHandler() sends a bad record found there back to this thread (BackgroundWrite.Redo)
            // reload notices are written on the main connection, in the batch's transaction (registry ids are not:
            // they commit on their own before their rows, KeyRegistry, so such batches may share a COPY)
            boolean mayHoldOpen = d.reloadNotices().isEmpty();
            background.submit(batchOffsets, records.size(), () -> apply(events, d.snapshotTotals(),
                    batchOffsets, new LinkedHashMap<>(), badRecordHandler(), mayHoldOpen));
            return;
        }
        Map<String, Long> badCounts = new LinkedHashMap<>();
        BadRecordHandler bad = badRecordHandler();
        // a batch tried again after a table stopped must not report its bad records twice
        BadRecordHandler once = (record, table, error) -> {
            if (reported.add(record)) {
                bad.handle(record, table, error);
            }
            badCounts.merge(record.topic(), 1L, Long::sum);
        };
        d.undecodable().forEach(u -> once.handle(u.getKey(), null, u.getValue()));
        try {
            apply(events, d.snapshotTotals(), batchOffsets, badCounts, once, false);
            synchronousUntilWritten = false;
        } catch (CopySpan.Lost lost) {
            // the span this batch's write committed first failed: this batch and the span's are read again
            absorbSpanLoss();
            context.timeout(config.retryBackoffMs());
            throw new RetriableException("Ferry sink '" + connectorName + "': " + lost.getMessage(), lost);
        } catch (UnsafeTypeChange change) {
            throw new HoldPartitions(stop(change, events));
        } catch (SQLException e) {
            throw retryOrFail("Ferry sink '" + connectorName + "' failed to write " + records.size() + " records from "
                    + batchOffsets.next().keySet() + ": " + ErrorContext.chain(e), e);
        }
    }

    /** The decoded batch into PostgreSQL with its offsets, in one transaction; on the task or the background thread. */
    private void apply(List<ChangeEvent> events, Map<String, long[]> snapshotTotals,
                       BatchOffsets batchOffsets, Map<String, Long> badCounts, BadRecordHandler bad,
                       boolean mayHoldOpen) throws SQLException {
        // before keys are allocated for them: a re-delivered insert must not take a new registry id
        fence.loadMissing(connections.get(), events);
        RedeliveryFence.Result fenced = fence.filter(events);
        events = fenced.kept();
        if (!registryKeys.isEmpty()) {
            events = registryKeys.resolve(connections.get(), events, bad);
        }
        if (writer.write(connections.get(), events, snapshotTotals, batchOffsets.with(fenced), badCounts, mayHoldOpen)) {
            fence.committed(fenced.positions());
        }
        // a load this flush ended is reported now (its keys were built in write's afterCommit), not a second later
        reportLoaded(writer.takeLoadEnded());
        remainingRetries = config.maxRetries();
    }

    /**
     * Waits for the background write in flight. One that failed is not judged here: its partitions are read again
     * from the offsets PostgreSQL committed and written on the task thread, whose handling of every failure applies.
     */
    private void settleBackground() {
        if (background == null) {
            return;
        }
        BackgroundWrite.Failed failed = background.settle();
        if (failed == null) {
            absorbSpanLoss();
            return;
        }
        Throwable cause = failed.cause();
        log.warn("Ferry sink '{}': the background write of {} full-load records from {} did not commit ({}); they are "
                + "read again from the offsets stored in PostgreSQL and written on the task thread", connectorName,
                failed.records(), failed.next().keySet(), cause instanceof SQLException sql ? ErrorContext.chain(sql)
                        : String.valueOf(cause));
        // one failed batch at most: none goes to the background again before the next put() has reconciled this one
        failed.first().forEach((tp, first) -> readAgain.put(tp, new long[] {first, failed.next().get(tp)}));
        synchronousUntilWritten = true;
        resetConnection();
        absorbSpanLoss();
    }

    /**
     * A transient failure (connection lost, server starting or shutting down, serialization) is retried max.retries
     * times; anything else (a login refused, a permission revoked) fails the task now, so an operator sees it.
     */
    private ConnectException retryOrFail(String what, SQLException e) {
        resetConnection();
        if (ErrorContext.isTransient(e) && remainingRetries-- > 0) {
            log.warn("{}; retrying in {} ms ({} retries left)", what, config.retryBackoffMs(), remainingRetries);
            context.timeout(config.retryBackoffMs());
            return new RetriableException(what, e);
        }
        alerts.taskFailed(what);
        return new ConnectException(what, e);
    }

    /** Stores the stop and says what to do about it; returns the partitions that carry the table's records. */
    private Map<TopicPartition, String> stop(UnsafeTypeChange change, List<ChangeEvent> events) {
        Map<TopicPartition, String> partitions = new HashMap<>();
        for (ChangeEvent e : events) {
            if (e.table().equals(change.table())) {
                partitions.put(StoppedTables.partition(e.record()), change.table());
            }
        }
        try {
            stopped.stop(connections.get(), change);
        } catch (SQLException e) {
            resetConnection();
            throw new RetriableException("Ferry sink '" + connectorName + "' cannot record that table "
                    + change.table() + " stops: " + ErrorContext.chain(e), e);
        }
        log.error("Ferry sink '{}' STOPPED table {} (topic-partitions {}): {}. Other tables keep flowing. To go on, "
                        + "run on the target: {} -- Ferry resumes the table by itself within {} s once the column's "
                        + "type changes; nothing of it is written or skipped meanwhile.", connectorName,
                change.table(), partitions.keySet(), change.getMessage(), change.ddl(), RELEASE_CHECK_MS / 1000);
        alerts.tableStopped(change.table(), change.getMessage(), change.ddl(), partitions.keySet());
        return partitions;
    }

    /** Reloads requested: read before the batch, so every row of a reloaded table written from now on is recorded. */
    private void refreshReloads() {
        try {
            reloads.refreshIfDue(connections.get());
        } catch (SQLException e) {
            resetConnection();
            throw retryOrFail("Ferry sink '" + connectorName + "' cannot read the reloads requested: "
                    + ErrorContext.chain(e), e);
        }
    }

    private void refreshGauges() {
        metrics.checkLag(alerts, config.lagThresholdMs(), config.lagDurationMs());
        if (gauges == null) {
            return;
        }
        try {
            gauges.refreshIfDue(connections.get());
        } catch (SQLException e) {
            resetConnection();
        }
    }

    /** Resumes stopped tables whose target column changed (checked at most every few seconds). */
    private void releaseStoppedTables() {
        long now = System.currentTimeMillis();
        if (stopped.isEmpty() || now - lastReleaseCheck < RELEASE_CHECK_MS) {
            return;
        }
        lastReleaseCheck = now;
        try {
            Set<String> before = new HashSet<>();
            stopped.all().forEach(st -> before.add(st.table()));
            Map<TopicPartition, Long> resumed = stopped.release(connections.get(), catalog::columnType);
            if (!resumed.isEmpty()) {
                stopped.all().forEach(st -> before.remove(st.table()));
                before.forEach(alerts::tableResumed);
                catalog.invalidate();
                resumed.forEach(context::offset);
                context.resume(resumed.keySet().toArray(new TopicPartition[0]));
                log.info("Ferry sink '{}': the target changed, resuming {} from {}", connectorName,
                        resumed.keySet(), resumed);
            }
        } catch (SQLException e) {
            resetConnection();
            log.warn("Ferry sink '{}' could not check its stopped tables; trying again: {}", connectorName,
                    ErrorContext.chain(e));
        }
    }

    /** Partitions of a stopped table met in a batch (with the table): not to be written now. */
    private static final class HoldPartitions extends RuntimeException {
        final Map<TopicPartition, String> partitions;

        HoldPartitions(Map<TopicPartition, String> partitions) {
            super(null, null, false, false);
            this.partitions = partitions;
        }
    }

    /** Without new records, parked rows and pending foreign keys still need their turn (at most once a second). */
    private void idle() {
        endSpan();
        long now = System.currentTimeMillis();
        if (now - lastIdleWork < IDLE_WORK_MS) {
            return;
        }
        lastIdleWork = now;
        releaseStoppedTables();
        reportLoaded(false);
        refreshGauges();
        if (reloads != null) {
            try {
                reloads.refreshIfDue(connections.get());
            } catch (SQLException e) {
                resetConnection();
            }
        }
        alerts.flushBadRecords();
        try {
            writer.afterCommit(connections.get());
        } catch (SQLException e) {
            resetConnection();
        }
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        // every put() commits before it returns: nothing is pending
    }

    @Override
    public void stop() {
        if (background != null) {
            background.close();
        }
        if (writer != null) {
            writer.closeSpan();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (connections != null) {
            connections.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (gauges != null) {
            gauges.close();
        }
        Jmx.unregister(transactionsMBean);
    }
}
