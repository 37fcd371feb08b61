package io.ferry.sink;

import io.ferry.sink.config.FerrySinkConfig;
import io.ferry.sink.errors.BadRecordHandler;
import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.ChangeEventDecoder;
import io.ferry.sink.event.SnapshotNotification;
import io.ferry.sink.event.TableNamer;
import io.ferry.sink.design.DeclarationCheck;
import io.ferry.sink.design.DeferredDdl;
import io.ferry.sink.design.TargetDesign;
import io.ferry.sink.keys.KeyRegistry;
import io.ferry.sink.keys.RegistryKeyResolver;
import io.ferry.sink.phase.ConstraintBuilder;
import io.ferry.sink.schema.TableCatalog;
import io.ferry.sink.schema.TypeRegistry;
import io.ferry.sink.state.OffsetStore;
import io.ferry.sink.state.StateSchema;
import io.ferry.sink.stats.SinkMetrics;
import io.ferry.sink.stats.StatsStore;
import io.ferry.sink.write.PgConnections;
import io.ferry.sink.write.ParkedRows;
import io.ferry.sink.write.PgText;
import io.ferry.sink.write.SegmentWriter;
import io.ferry.sink.write.SinkWriter;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Decodes each put() into change events and hands them to the {@link SinkWriter}: one transaction per put, holding
 * the rows, the statistics and the offsets. Nothing is buffered across put() calls, so a redelivered batch after a
 * retriable failure or a rebalance is the whole truth. On partition assignment the consumer is moved to the offsets
 * stored in PostgreSQL.
 */
public class FerrySinkTask extends SinkTask {

    static final String TASK_ID = "ferry.task.id";
    private static final Logger log = LoggerFactory.getLogger(FerrySinkTask.class);

    private FerrySinkConfig config;
    private String connectorName;
    private PgConnections connections;
    private ChangeEventDecoder decoder;
    private TableNamer namer;
    private SinkWriter writer;
    private OffsetStore offsets;
    private SinkMetrics metrics;
    private ErrantRecordReporter reporter;
    private int remainingRetries;
    private ParkedRows parking;
    private RegistryKeyResolver registryKeys;
    private long lastIdleWork;

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
        reporter = errantRecordReporter();
        StateSchema state = new StateSchema(config.stateSchema());
        try {
            state.create(connections.get());
        } catch (SQLException e) {
            throw new ConnectException("Ferry sink '" + connectorName + "' cannot prepare its state schema \""
                    + config.stateSchema() + "\": " + ErrorContext.chain(e), e);
        }
        offsets = new OffsetStore(state, connectorName);
        metrics = new SinkMetrics(connectorName, taskId);
        PgText text = new PgText(config.nulPolicy());
        TargetDesign design;
        TableCatalog catalog;
        try {
            design = TargetDesign.read(connections.get(), config.targetDdl());
            catalog = new TableCatalog(config.targetSchema(), new TypeRegistry(config.tinyint1AsBoolean()),
                    config.autoCreate(), config.autoEvolve(), config.enumCheck(),
                    config.dropColumns(), design.bareTables().keySet());
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
        List<DeferredDdl> deferred = new ArrayList<>(design.deferred());
        deferred.addAll(ConstraintBuilder.declared(config.targetSchema(), config.foreignKeys()));
        ConstraintBuilder constraints = new ConstraintBuilder(config.targetSchema(), state, connectorName, deferred);
        writer = new SinkWriter(catalog, new SegmentWriter(text, config.copyEnabled(), config.deleteEnabled()), text,
                offsets, new StatsStore(state, connectorName), metrics, badRecordHandler(), parking, constraints);
        registryKeys = new RegistryKeyResolver(config.bigintKeys(), new KeyRegistry(state));
        namer = new TableNamer(config.tableNameFormat());
        decoder = new ChangeEventDecoder(namer);
        remainingRetries = config.maxRetries();
        log.info("Ferry sink '{}' task {} started: target schema \"{}\", state schema \"{}\", DLQ reporter {}",
                connectorName, taskId, config.targetSchema(), config.stateSchema(), reporter != null ? "on" : "off");
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null;
        }
    }

    /** Bad records go to Connect's errant-record reporter (errors.tolerance / DLQ), else they fail the task. */
    private BadRecordHandler badRecordHandler() {
        return (record, table, error) -> {
            String message = ErrorContext.describe(connectorName, record, table, error);
            // the message carries the whole chain; the raw cause is left out because drivers put row values in theirs
            if (reporter == null) {
                throw new ConnectException(message + ". Set errors.tolerance=all and errors.deadletterqueue.topic.name "
                        + "to route such records to a dead-letter queue instead.");
            }
            log.warn("{} - sent to the errant-record reporter", message);
            try {
                // wait: the offsets committed with this batch must not pass a record the DLQ has not taken
                reporter.report(record, new BadRecordException(message)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException(message, e);
            } catch (ExecutionException e) {
                throw new ConnectException(message + "; the errant-record reporter failed too: "
                        + ErrorContext.chain(e.getCause()), e.getCause());
            }
        };
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        try {
            parking.assign(connections.get(), partitions);
            Map<TopicPartition, Long> stored = offsets.load(connections.get(), partitions);
            if (!stored.isEmpty()) {
                log.info("Ferry sink '{}' resumes {} partition(s) from offsets stored in PostgreSQL: {}",
                        connectorName, stored.size(), stored);
                context.offset(stored);
            }
        } catch (SQLException e) {
            connections.reset();
            throw new ConnectException("Ferry sink '" + connectorName + "' cannot read its stored offsets: "
                    + ErrorContext.chain(e), e);
        }
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        parking.revoke(partitions);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (records.isEmpty()) {
            idle();
            return;
        }
        List<ChangeEvent> events = new ArrayList<>(records.size());
        Map<String, Long> badCounts = new LinkedHashMap<>();
        Map<String, Long> snapshotTotals = new LinkedHashMap<>();
        BadRecordHandler bad = badRecordHandler();
        for (SinkRecord record : records) {
            if (SnapshotNotification.isNotification(record)) {
                SnapshotNotification n = SnapshotNotification.from(record, namer);
                if (n != null) {
                    snapshotTotals.put(n.table(), n.totalRowsScanned());
                }
                continue;
            }
            try {
                events.add(decoder.decode(record));
            } catch (BadRecordException e) {
                bad.handle(record, null, e);
                badCounts.merge(record.topic(), 1L, Long::sum);
            }
        }
        try {
            if (!registryKeys.isEmpty()) {
                events = registryKeys.resolve(connections.get(), events, (record, table, error) -> {
                    bad.handle(record, table, error);
                    badCounts.merge(record.topic(), 1L, Long::sum);
                });
            }
            writer.write(connections.get(), events, snapshotTotals, SinkWriter.nextOffsets(records), badCounts);
            remainingRetries = config.maxRetries();
        } catch (SQLException e) {
            connections.reset();
            String what = "Ferry sink '" + connectorName + "' failed to write " + records.size() + " records from "
                    + SinkWriter.nextOffsets(records).keySet() + ": " + ErrorContext.chain(e);
            if (ErrorContext.isTransient(e) && remainingRetries-- > 0) {
                log.warn("{}; retrying in {} ms ({} retries left)", what, config.retryBackoffMs(), remainingRetries);
                context.timeout(config.retryBackoffMs());
                throw new RetriableException(what, e);
            }
            throw new ConnectException(what, e);
        }
    }

    /** Without new records, parked rows and pending foreign keys still need their turn (at most once a second). */
    private void idle() {
        long now = System.currentTimeMillis();
        if (now - lastIdleWork < 1000) {
            return;
        }
        lastIdleWork = now;
        try {
            writer.afterCommit(connections.get());
        } catch (SQLException e) {
            connections.reset();
        }
    }

    @Override
    public void flush(Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> currentOffsets) {
        // every put() commits before it returns: nothing is pending
    }

    @Override
    public void stop() {
        if (connections != null) {
            connections.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
