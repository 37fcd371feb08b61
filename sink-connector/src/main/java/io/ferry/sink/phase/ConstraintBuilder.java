package io.ferry.sink.phase;

import io.ferry.sink.config.ForeignKeyDeclaration;
import io.ferry.sink.design.DeferredDdl;
import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.jdbc.DdlLock;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Builds what waits for the full load (secondary indexes; unique, check, exclusion and foreign-key constraints) once
 * every table it involves is loaded (phase STREAMING: the snapshot is over), never during the COPY. Foreign keys and
 * checks are added {@code NOT VALID}, then {@code VALIDATE}d, each step committed on its own so the long validation
 * holds only a light lock. What cannot be built or validated yet (rows whose parent is missing, a duplicate under a
 * unique index) is tried again later and logged; PostgreSQL enforces a NOT VALID constraint for new rows either way.
 * Existence is read from the catalog, so a restart never builds anything twice.
 */
public final class ConstraintBuilder {

    private static final Logger log = LoggerFactory.getLogger(ConstraintBuilder.class);
    private static final long RETRY_MS = 30_000;

    private final String targetSchema;
    private final StateSchema state;
    private final String connector;
    private final List<DeferredDdl> all;
    private final List<DeferredDdl> pending;
    private final Map<String, Long> notBefore = new HashMap<>();
    private io.ferry.sink.events.SinkEvents events = io.ferry.sink.events.SinkEvents.none();

    public ConstraintBuilder(String targetSchema, StateSchema state, String connector, List<DeferredDdl> deferred) {
        this.targetSchema = targetSchema;
        this.state = state;
        this.connector = connector;
        this.all = List.copyOf(deferred);
        this.pending = new ArrayList<>(deferred);
    }

    /** Where BUILT, WAITING and FAILED are reported (each once per change of state). */
    public ConstraintBuilder reportingTo(io.ferry.sink.events.SinkEvents events) {
        this.events = events;
        return this;
    }

    /**
     * A table is loaded again from scratch: the foreign keys it takes part in (either side) are dropped inside the
     * caller's transaction and built again once every table they involve is loaded, so the new COPY meets no foreign
     * key and the table can be truncated. Its other constraints hold for any rows of its own and stay.
     *
     * @return the names of the foreign keys dropped
     */
    public List<String> dropForReload(Connection conn, String table) throws SQLException {
        List<String> dropped = new ArrayList<>();
        for (DeferredDdl d : all) {
            if (d.kind() != DeferredDdl.Kind.FOREIGN_KEY || !d.tables().contains(table)) {
                continue;
            }
            try (Statement st = conn.createStatement()) {
                DdlLock.take(st, targetSchema, d.table());
                st.execute("ALTER TABLE " + Identifiers.qualified(targetSchema, d.table()) + " DROP CONSTRAINT IF EXISTS "
                        + Identifiers.quote(d.name()));
            }
            record(conn, d, "PENDING", "dropped: " + table + " is loaded again");
            if (!pending.contains(d)) {
                pending.add(d);
            }
            notBefore.remove(d.table() + "." + d.name());
            dropped.add(d.name());
        }
        return dropped;
    }

    /** A foreign key as DEFERRABLE INITIALLY DEFERRED, unless its definition says how it defers already. */
    public static DeferredDdl deferrable(DeferredDdl d) {
        if (d.kind() != DeferredDdl.Kind.FOREIGN_KEY
                || d.definition().toUpperCase(java.util.Locale.ROOT).contains("DEFERRABLE")) {
            return d;
        }
        return new DeferredDdl(d.table(), d.name(), d.kind(), d.tables(), d.definition() + " DEFERRABLE INITIALLY DEFERRED",
                d.unique());
    }

    /** The foreign keys declared in {@code foreign.keys}, as deferred constraints. */
    public static List<DeferredDdl> declared(String targetSchema, List<ForeignKeyDeclaration> fks) {
        List<DeferredDdl> out = new ArrayList<>();
        for (ForeignKeyDeclaration fk : fks) {
            StringJoiner cols = new StringJoiner(", ");
            fk.childColumns().forEach(c -> cols.add(Identifiers.quote(c)));
            StringJoiner refs = new StringJoiner(", ");
            fk.parentColumns().forEach(c -> refs.add(Identifiers.quote(c)));
            Set<String> tables = new LinkedHashSet<>(List.of(fk.child(), fk.parent()));
            out.add(new DeferredDdl(fk.child(), fk.constraintName(), DeferredDdl.Kind.FOREIGN_KEY, tables,
                    "FOREIGN KEY (" + cols + ") REFERENCES " + Identifiers.qualified(targetSchema, fk.parent()) + " ("
                            + refs + ") ON DELETE " + fk.onDelete(), false));
        }
        return out;
    }

    /**
     * Records every declared index and constraint in the state schema ({@code design_constraints}) with its state, so
     * `ferry cutover-check` and operators see what is built, waiting or failed; committed at once.
     */
    public void register(Connection conn) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        io.ferry.sink.jdbc.Transactions.commit(conn, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + state.table("design_constraints")
                    + " (connector, target_schema, table_name, name, kind, definition, state) VALUES (?, ?, ?, ?, ?, ?, "
                    + "'PENDING') ON CONFLICT (connector, table_name, name) DO UPDATE SET kind = EXCLUDED.kind, "
                    + "definition = EXCLUDED.definition, target_schema = EXCLUDED.target_schema")) {
                for (DeferredDdl d : pending) {
                    ps.setString(1, connector);
                    ps.setString(2, targetSchema);
                    ps.setString(3, d.table());
                    ps.setString(4, d.name());
                    ps.setString(5, d.kind().name());
                    ps.setString(6, d.definition());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    private void record(Connection conn, DeferredDdl d, String stateName, String detail) throws SQLException {
        String t = state.table("design_constraints");
        String before;
        try (PreparedStatement ps = conn.prepareStatement("WITH old AS (SELECT state FROM " + t + " WHERE connector = ? "
                + "AND table_name = ? AND name = ? FOR UPDATE) UPDATE " + t + " c SET state = ?, detail = ?, "
                + "updated_at = now() FROM old WHERE c.connector = ? AND c.table_name = ? AND c.name = ? "
                + "RETURNING old.state")) {
            ps.setString(1, connector);
            ps.setString(2, d.table());
            ps.setString(3, d.name());
            ps.setString(4, stateName);
            ps.setString(5, detail);
            ps.setString(6, connector);
            ps.setString(7, d.table());
            ps.setString(8, d.name());
            try (ResultSet rs = ps.executeQuery()) {
                before = rs.next() ? rs.getString(1) : stateName;
            }
        }
        if (stateName.equals(before)) {
            return; // no change of state (a restart finding it built, a retry still waiting): nothing to report
        }
        switch (stateName) {
            case "BUILT" -> events.constraintBuilt(d.table(), d.name(), d.definition());
            case "WAITING" -> events.constraintWaiting(d.table(), d.name(), d.definition(), detail);
            case "FAILED" -> events.constraintFailed(d.table(), d.name(), d.definition(), detail);
            default -> { }
        }
    }

    /** Builds what is ready; cheap when nothing is declared or everything is built. */
    public void buildReady(Connection conn) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        Set<String> loaded = loadedTables(conn);
        for (DeferredDdl d : new ArrayList<>(pending)) {
            Long wait = notBefore.get(d.table() + "." + d.name());
            if (loaded.containsAll(d.tables()) && (wait == null || System.currentTimeMillis() >= wait)) {
                if (build(conn, d)) {
                    pending.remove(d);
                } else {
                    notBefore.put(d.table() + "." + d.name(), System.currentTimeMillis() + RETRY_MS);
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

    /** True once it exists (and, for NOT VALID kinds, is validated). */
    private boolean build(Connection conn, DeferredDdl d) throws SQLException {
        String table = Identifiers.qualified(targetSchema, d.table());
        String what = d.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + d.name() + " on " + table;
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            DdlLock.take(st, targetSchema, d.table());
            // names in the user's definitions (REFERENCES parent, functions in checks) resolve in the target schema
            st.execute("SET LOCAL search_path TO " + Identifiers.quote(targetSchema) + ", public");
            Boolean validated = existing(conn, table, d);
            if (validated == null) {
                long t0 = System.nanoTime();
                st.execute(addSql(table, d));
                conn.commit();
                log.info("Built {} in {} ms{}", what, (System.nanoTime() - t0) / 1_000_000,
                        d.kind().validatesLater() ? " (NOT VALID); validating" : "");
                if (!d.kind().validatesLater()) {
                    record(conn, d, "BUILT", null);
                    conn.commit();
                    return true;
                }
            } else if (validated) {
                record(conn, d, "BUILT", null);
                conn.commit();
                return true;
            } else {
                conn.commit();
            }
            long t0 = System.nanoTime();
            st.execute("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + Identifiers.quote(d.name()));
            record(conn, d, "BUILT", null);
            conn.commit();
            log.info("Validated {} in {} ms", what, (System.nanoTime() - t0) / 1_000_000);
            return true;
        } catch (SQLException e) {
            conn.rollback();
            String sqlState = e.getSQLState() == null ? "" : e.getSQLState();
            if (sqlState.startsWith("23")) {
                log.warn("{} cannot be built or validated yet, the rows break it ({}); retrying in {} s", what,
                        ErrorContext.chain(e), RETRY_MS / 1000);
                recordQuietly(conn, d, "WAITING", ErrorContext.chain(e));
                return false;
            }
            recordQuietly(conn, d, "FAILED", ErrorContext.chain(e));
            throw new SQLException("cannot build " + what + ": " + ErrorContext.chain(e), e.getSQLState(), e);
        } finally {
            conn.setAutoCommit(auto);
        }
    }

    private void recordQuietly(Connection conn, DeferredDdl d, String stateName, String detail) {
        try {
            record(conn, d, stateName, detail);
            conn.commit();
        } catch (SQLException ignored) {
            // the state row is a report; the build is tried again either way
        }
    }

    private static String addSql(String table, DeferredDdl d) {
        if (d.kind() == DeferredDdl.Kind.INDEX) {
            return "CREATE " + (d.unique() ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + Identifiers.quote(d.name())
                    + " ON " + table + " " + d.definition();
        }
        return "ALTER TABLE " + table + " ADD CONSTRAINT " + Identifiers.quote(d.name()) + " " + d.definition()
                + (d.kind().validatesLater() ? " NOT VALID" : "");
    }

    /** null when it does not exist, else whether it is validated (indexes: always true). */
    private Boolean existing(Connection conn, String table, DeferredDdl d) throws SQLException {
        if (d.kind() == DeferredDdl.Kind.INDEX) {
            try (PreparedStatement ps = conn.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                ps.setString(1, Identifiers.qualified(targetSchema, d.name()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1) ? Boolean.TRUE : null;
                }
            }
        }
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?")) {
            ps.setString(1, table);
            ps.setString(2, d.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

}
