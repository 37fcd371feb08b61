package io.ferry.sink.errors;

import org.apache.kafka.connect.sink.SinkRecord;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;

/**
 * Builds the one message every write failure carries: connector, topic-partition@offset, table, key, column and
 * the whole SQLException chain with SQLStates. Values of the row are not included (they may be sensitive); the key
 * is, because without it nobody can find the row.
 */
public final class ErrorContext {
    private ErrorContext() {}

    public static String describe(String connector, SinkRecord record, String table, Throwable error) {
        StringBuilder sb = new StringBuilder();
        sb.append("Ferry sink '").append(connector).append("' could not write ")
                .append(record.topic()).append('-').append(record.kafkaPartition()).append('@').append(record.kafkaOffset());
        if (table != null) {
            sb.append(" to table \"").append(table).append('"');
        }
        sb.append(" (key ").append(record.key()).append(')');
        String column = column(error);
        if (column != null) {
            sb.append(", column \"").append(column).append('"');
        }
        sb.append(": ").append(chain(error));
        return sb.toString();
    }

    /** Every cause and every chained SQLException, with SQLState where there is one. */
    public static String chain(Throwable error) {
        StringBuilder sb = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Throwable t = error;
        while (t != null && seen.add(t)) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            append(sb, t);
            if (t instanceof SQLException sql) {
                SQLException next = sql.getNextException();
                while (next != null && seen.add(next)) {
                    sb.append(" | next: ");
                    append(sb, next);
                    next = next.getNextException();
                }
            }
            t = t.getCause();
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, Throwable t) {
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            sb.append("[SQLState ").append(sql.getSQLState()).append("] ");
        }
        sb.append(t.getClass().getSimpleName()).append(": ");
        if (t instanceof java.sql.BatchUpdateException) {
            // pgjdbc prints the whole statement with its bound values here; the next exception has the reason
            sb.append("a batched statement failed (statement and values omitted)");
        } else {
            sb.append(t.getMessage());
        }
    }

    /** The column PostgreSQL names in its error report, if any. */
    public static String column(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p) {
                ServerErrorMessage m = p.getServerErrorMessage();
                if (m != null && m.getColumn() != null) {
                    return m.getColumn();
                }
            }
            if (t instanceof SQLException sql && sql.getNextException() instanceof PSQLException p) {
                ServerErrorMessage m = p.getServerErrorMessage();
                if (m != null && m.getColumn() != null) {
                    return m.getColumn();
                }
            }
        }
        return null;
    }

    /**
     * Failures that go away by themselves: lost connection (08), server shutting down or starting (57P0x),
     * out of resources (53), deadlock or serialization failure (40001, 40P01).
     */
    public static boolean isTransient(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            String state = s.getSQLState();
            if (state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
                    || state.equals("40001") || state.equals("40P01"))) {
                return true;
            }
            if (s.getCause() instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }
}
