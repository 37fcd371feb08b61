package io.ferry.sink.stats;

/**
 * Connector-wide state of one target table, as kept in the state schema (so every task and restart agrees on it):
 * published by task 0 of the sink only, so a sum over workers does not count it twice.
 */
public interface TableStateMBean {
    /** Rows a foreign key refused for now, waiting for their parent. */
    long getParkedRows();
    /** Age of the oldest parked row in seconds; 0 when none is parked. */
    long getParkedOldestSeconds();
    /** 1 while the table is STOPPED by a source change the sink will not apply by itself. */
    int getStopped();
    /** Declared indexes and constraints not built yet (waiting for the load or for valid data). */
    long getConstraintsPending();
    long getConstraintsFailed();
    /** Rows the latest `ferry verify` found different; -1 when the table was never verified. */
    long getValidationMismatched();
    /** The latest `ferry verify` verdict (VALIDATED, MISMATCHED, IN_FLIGHT, ...), NONE when never verified. */
    String getValidationState();
}
