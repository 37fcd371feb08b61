package io.ferry.sink.schema;

import io.ferry.sink.event.BadRecordException;

/** A Connect schema the type registry has no PostgreSQL type for: loud, never a silent guess. */
public class UnsupportedTypeException extends BadRecordException {
    public UnsupportedTypeException(String message) { super(message); }
}
