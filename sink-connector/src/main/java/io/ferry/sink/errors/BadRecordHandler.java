package io.ferry.sink.errors;

import org.apache.kafka.connect.sink.SinkRecord;

/** Where a record that cannot be written goes: the errant-record reporter (DLQ), or a task failure. */
@FunctionalInterface
public interface BadRecordHandler {
    void handle(SinkRecord record, String table, Throwable error);
}
