package io.ferry.sink.event;

import org.apache.kafka.connect.errors.DataException;

/** A record the sink cannot decode or write; it goes to the errant-record reporter or fails the task. */
public class BadRecordException extends DataException {
    public BadRecordException(String message) { super(message); }
    public BadRecordException(String message, Throwable cause) { super(message, cause); }
}
