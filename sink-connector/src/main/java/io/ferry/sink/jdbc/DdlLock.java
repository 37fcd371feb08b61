package io.ferry.sink.jdbc;

import io.ferry.sink.schema.Identifiers;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The transaction-scoped lock every DDL on one target table takes (creating or evolving it, building its indexes
 * and constraints), so that tasks and workers racing on the same table take turns instead of failing each other.
 */
public final class DdlLock {

    private DdlLock() {
    }

    public static void take(Statement st, String schema, String table) throws SQLException {
        st.execute("SELECT pg_advisory_xact_lock(hashtext(" + Identifiers.literal("ferry-ddl:" + schema + "." + table) + "))");
    }
}
