package io.ferry.sink.errors;

import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.events.SinkEvents;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;

/**
 * Bad records go to Connect's errant-record reporter (errors.tolerance=all, with the dead-letter queue when one is
 * named), each logged and sent as a BAD_RECORD event; without a reporter they fail the task. Either way the message
 * names the connector, the topic-partition-offset, the table, the column or key where known, and the whole cause chain.
 */
public final class ErrantRecords implements BadRecordHandler {

    private static final Logger log = LoggerFactory.getLogger(ErrantRecords.class);

    private final String connectorName;
    private final ErrantRecordReporter reporter;
    private final SinkEvents alerts;

    /** @param reporter Connect's reporter, or null when the worker has none (errors.tolerance=none, an old worker) */
    public ErrantRecords(String connectorName, ErrantRecordReporter reporter, SinkEvents alerts) {
        this.connectorName = connectorName;
        this.reporter = reporter;
        this.alerts = alerts;
    }

    public boolean reporting() {
        return reporter != null;
    }

    @Override
    public void handle(SinkRecord record, String table, Throwable error) {
        String message = ErrorContext.describe(connectorName, record, table, error);
        // the message carries the whole chain; the raw cause is left out because drivers put row values in theirs
        if (reporter == null) {
            throw new ConnectException(message + ". Set errors.tolerance=all and errors.deadletterqueue.topic.name "
                    + "to route such records to a dead-letter queue instead.");
        }
        log.warn("{} - sent to the errant-record reporter", message);
        alerts.badRecord(table, record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset(),
                ErrorContext.chain(error));
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
    }
}
