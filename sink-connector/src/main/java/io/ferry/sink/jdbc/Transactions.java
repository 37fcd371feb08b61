package io.ferry.sink.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of work in its own committed transaction, whatever the connection's auto-commit mode was before. */
public final class Transactions {

    private Transactions() {
    }

    @FunctionalInterface
    public interface Work {
        void run(Connection conn) throws SQLException;
    }

    /** Runs {@code work} and commits; rolls back and rethrows on failure; restores the auto-commit mode. */
    public static void commit(Connection conn, Work work) throws SQLException {
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try {
            work.run(conn);
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(auto);
        }
    }
}
