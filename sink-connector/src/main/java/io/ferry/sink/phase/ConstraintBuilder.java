package io.ferry.sink.phase;

import io.ferry.sink.config.ForeignKeyDeclaration;
import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.schema.Identifiers;
import io.ferry.sink.state.StateSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Builds the declared foreign keys once both of their tables are loaded (phase STREAMING: the snapshot is over),
 * never during the full load: {@code ADD CONSTRAINT ... NOT VALID}, then {@code VALIDATE CONSTRAINT}, each committed
 * on its own so the long validation holds only a light lock. A constraint that cannot be validated yet (rows whose
 * parent is missing) stays NOT VALID and is tried again later; PostgreSQL enforces it for new rows either way.
 */
public final class ConstraintBuilder {

    private static final Logger log = LoggerFactory.getLogger(ConstraintBuilder.class);
    private static final long RETRY_VALIDATE_MS = 30_000;

    private final String targetSchema;
    private final StateSchema state;
    private final String connector;
    private final List<ForeignKeyDeclaration> pending;
    private final Map<String, Long> notBefore = new HashMap<>();

    public ConstraintBuilder(String targetSchema, StateSchema state, String connector, List<ForeignKeyDeclaration> declared) {
        this.targetSchema = targetSchema;
        this.state = state;
        this.connector = connector;
        this.pending = new ArrayList<>(declared);
    }

    /** Builds what is ready; cheap when nothing is declared or everything is built. */
    public void buildReady(Connection conn) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        Set<String> loaded = loadedTables(conn);
        for (ForeignKeyDeclaration fk : new ArrayList<>(pending)) {
            Long wait = notBefore.get(fk.constraintName());
            if (loaded.contains(fk.child()) && loaded.contains(fk.parent())
                    && (wait == null || System.currentTimeMillis() >= wait)) {
                if (build(conn, fk)) {
                    pending.remove(fk);
                } else {
                    notBefore.put(fk.constraintName(), System.currentTimeMillis() + RETRY_VALIDATE_MS);
                }
            }
        }
    }

    private Set<String> loadedTables(Connection conn) throws SQLException {
        Set<String> out = new HashSet<>();
        // a table Debezium read no row from is loaded but does not exist yet: its keys wait for its first row
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name FROM " + state.table("table_stats")
                + " WHERE connector = ? AND phase = 'STREAMING' "
                + "AND to_regclass(quote_ident(?) || '.' || quote_ident(table_name)) IS NOT NULL")) {
            ps.setString(1, connector);
            ps.setString(2, targetSchema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** True once the constraint exists and is validated. */
    private boolean build(Connection conn, ForeignKeyDeclaration fk) throws SQLException {
        String name = fk.constraintName();
        String child = Identifiers.qualified(targetSchema, fk.child());
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(hashtext(" + literal("ferry-fk:" + targetSchema + "." + name) + "))");
            Boolean validated = validated(conn, child, name);
            if (validated == null) {
                StringJoiner cols = new StringJoiner(", ");
                fk.childColumns().forEach(c -> cols.add(Identifiers.quote(c)));
                StringJoiner refs = new StringJoiner(", ");
                fk.parentColumns().forEach(c -> refs.add(Identifiers.quote(c)));
                st.execute("ALTER TABLE " + child + " ADD CONSTRAINT " + Identifiers.quote(name) + " FOREIGN KEY ("
                        + cols + ") REFERENCES " + Identifiers.qualified(targetSchema, fk.parent()) + " (" + refs
                        + ") ON DELETE " + fk.onDelete() + " NOT VALID");
                conn.commit();
                log.info("Foreign key {} added to {} (NOT VALID); validating", name, child);
            } else if (validated) {
                conn.commit();
                return true;
            } else {
                conn.commit();
            }
            long t0 = System.nanoTime();
            st.execute("ALTER TABLE " + child + " VALIDATE CONSTRAINT " + Identifiers.quote(name));
            conn.commit();
            log.info("Foreign key {} on {} validated in {} ms", name, child, (System.nanoTime() - t0) / 1_000_000);
            return true;
        } catch (SQLException e) {
            conn.rollback();
            if ("23503".equals(e.getSQLState())) {
                log.warn("Foreign key {} on {} stays NOT VALID for now: some rows have no parent yet ({}); "
                        + "retrying in {} s", name, child, ErrorContext.chain(e), RETRY_VALIDATE_MS / 1000);
                return false;
            }
            throw e;
        } finally {
            conn.setAutoCommit(auto);
        }
    }

    /** null when the constraint does not exist, else whether it is validated. */
    private static Boolean validated(Connection conn, String table, String name) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?")) {
            ps.setString(1, table);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
