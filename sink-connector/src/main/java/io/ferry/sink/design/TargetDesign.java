package io.ferry.sink.design;

import io.ferry.sink.schema.Identifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The target design the user wrote as PostgreSQL DDL ({@code target.ddl}). PostgreSQL parses it, not Ferry: the DDL
 * runs in the session's temporary schema (a scratch space any role has) inside a transaction that is rolled back, and the catalog is read meanwhile. What comes out
 * is, per table, a bare CREATE TABLE (columns, types, defaults, NOT NULL, primary key) for the full load, and
 * everything else (secondary indexes, unique, check, exclusion and foreign-key constraints) as {@link DeferredDdl}
 * built after the load.
 */
public final class TargetDesign {

    private final Map<String, String> bareTables;
    private final Map<String, Map<String, String>> columnTypes;
    private final List<DeferredDdl> deferred;

    private TargetDesign(Map<String, String> bareTables, Map<String, Map<String, String>> columnTypes,
                         List<DeferredDdl> deferred) {
        this.bareTables = bareTables;
        this.columnTypes = columnTypes;
        this.deferred = deferred;
    }

    public static TargetDesign empty() {
        return new TargetDesign(Map.of(), Map.of(), List.of());
    }

    /** Table -> column -> type as PostgreSQL formats it, in column order; only the designed tables. */
    public Map<String, Map<String, String>> columnTypes() { return columnTypes; }

    /** Table name -> its column list and primary key, the inside of CREATE TABLE (...). */
    public Map<String, String> bareTables() { return bareTables; }

    public List<DeferredDdl> deferred() { return deferred; }

    public boolean isEmpty() { return bareTables.isEmpty(); }

    public String createTableSql(String targetSchema, String table) {
        return "CREATE TABLE IF NOT EXISTS " + Identifiers.qualified(targetSchema, table) + " (\n  "
                + bareTables.get(table) + "\n)";
    }

    /**
     * Lets PostgreSQL parse {@code ddl} and reads the result. Nothing persists: the transaction is rolled back.
     *
     * @throws DesignException naming the PostgreSQL error (with its position) or what the DDL must not do
     */
    public static TargetDesign read(Connection conn, String ddl) throws SQLException {
        return read(conn, ddl, "public");
    }

    /**
     * @param targetSchema where the tables will live: types and domains the DDL uses are looked up there (and in
     *                     public), as they were created beforehand; the column types read back name their schema
     */
    public static TargetDesign read(Connection conn, String ddl, String targetSchema) throws SQLException {
        if (ddl == null || ddl.isBlank()) {
            return empty();
        }
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            // the session's temporary schema: any role may create there (TEMP is granted to PUBLIC), so reading the
            // design needs no CREATE on the database
            st.execute("SET LOCAL search_path TO pg_temp, " + Identifiers.quote(targetSchema) + ", public");
            try {
                st.execute(ddl);
            } catch (SQLException e) {
                throw new DesignException("PostgreSQL rejects the target DDL: " + e.getMessage(), e);
            }
            // from here format_type qualifies every type outside the scratch schema, so the bare tables created in
            // the target schema later find the user's enum types and domains whatever the search_path then is
            st.execute("SET LOCAL search_path TO pg_temp");
            Map<String, Long> tables = tables(conn);
            if (tables.isEmpty()) {
                throw new DesignException("the target DDL creates no table; write unqualified CREATE TABLE statements "
                        + "(the sink puts them in target.schema)", null);
            }
            Map<String, String> bare = new LinkedHashMap<>();
            Map<String, Map<String, String>> types = new LinkedHashMap<>();
            List<DeferredDdl> deferred = new ArrayList<>();
            for (Map.Entry<String, Long> t : tables.entrySet()) {
                StringJoiner body = new StringJoiner(",\n  ");
                Map<String, String> columnTypes = new LinkedHashMap<>();
                columns(conn, t.getValue(), columnTypes).forEach(body::add);
                types.put(t.getKey(), columnTypes);
                constraints(conn, t.getKey(), t.getValue(), body, deferred);
                indexes(conn, t.getKey(), t.getValue(), deferred);
                bare.put(t.getKey(), body.toString());
            }
            return new TargetDesign(bare, types, deferred);
        } finally {
            conn.rollback();
            conn.setAutoCommit(auto);
        }
    }

    private static Map<String, Long> tables(Connection conn) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT c.relname, c.oid FROM pg_class c "
                + "WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind IN ('r', 'p') ORDER BY c.oid")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Column definitions; serial columns become identities (their sequence lives in the scratch schema). */
    private static List<String> columns(Connection conn, long oid, Map<String, String> types) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
                + "a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
                + "CASE WHEN a.attcollation <> t.typcollation THEN (SELECT quote_ident(collname) FROM pg_collation "
                + "WHERE oid = a.attcollation) END, t.typnamespace = c.relnamespace "
                + "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid "
                + "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                + "WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(8)) {
                        throw new DesignException("column \"" + rs.getString(1) + "\" has type " + rs.getString(2)
                                + ", created by the target DDL itself; create types (CREATE TYPE, CREATE DOMAIN) in the "
                                + "target database beforehand and refer to them qualified", null);
                    }
                    types.put(rs.getString(1), rs.getString(2));
                    StringBuilder col = new StringBuilder(Identifiers.quote(rs.getString(1))).append(' ')
                            .append(rs.getString(2));
                    if (rs.getString(7) != null) {
                        col.append(" COLLATE ").append(rs.getString(7));
                    }
                    String def = rs.getString(4);
                    String identity = rs.getString(5);
                    String generated = rs.getString(6);
                    if ("s".equals(generated)) {
                        col.append(" GENERATED ALWAYS AS (").append(def).append(") STORED");
                    } else if (!identity.isEmpty() || (def != null && def.startsWith("nextval("))) {
                        // BY DEFAULT: the migrated rows bring their own ids
                        col.append(" GENERATED BY DEFAULT AS IDENTITY");
                    } else if (def != null) {
                        col.append(" DEFAULT ").append(def);
                    }
                    if (rs.getBoolean(3)) {
                        col.append(" NOT NULL");
                    }
                    out.add(col.toString());
                }
            }
        }
        return out;
    }

    private static void constraints(Connection conn, String table, long oid, StringJoiner body,
                                    List<DeferredDdl> deferred) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT c.conname, c.contype, pg_get_constraintdef(c.oid), "
                + "p.relname FROM pg_constraint c LEFT JOIN pg_class p ON p.oid = c.confrelid "
                + "WHERE c.conrelid = ? AND c.contype IN ('p', 'u', 'c', 'x', 'f') ORDER BY c.contype, c.conname")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String def = rs.getString(3);
                    DeferredDdl.Kind kind = switch (rs.getString(2)) {
                        case "p" -> null;
                        case "u" -> DeferredDdl.Kind.UNIQUE;
                        case "c" -> DeferredDdl.Kind.CHECK;
                        case "x" -> DeferredDdl.Kind.EXCLUSION;
                        default -> DeferredDdl.Kind.FOREIGN_KEY;
                    };
                    if (kind == null) {
                        // the primary key stays with the table: upserts and re-run snapshots need it
                        body.add("CONSTRAINT " + Identifiers.quote(name) + " " + def);
                        continue;
                    }
                    Set<String> tables = new LinkedHashSet<>();
                    tables.add(table);
                    if (kind == DeferredDdl.Kind.FOREIGN_KEY) {
                        tables.add(rs.getString(4));
                    }
                    deferred.add(new DeferredDdl(table, name, kind, tables, def, false));
                }
            }
        }
    }

    private static void indexes(Connection conn, String table, long oid, List<DeferredDdl> deferred) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique "
                + "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ? "
                + "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) "
                + "ORDER BY c.relname")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String def = rs.getString(2);
                    int using = def.indexOf(" USING ");
                    deferred.add(new DeferredDdl(table, rs.getString(1), DeferredDdl.Kind.INDEX, Set.of(table),
                            def.substring(using + 1), rs.getBoolean(3)));
                }
            }
        }
    }

    /** The target DDL cannot be used; the message says why. */
    public static final class DesignException extends SQLException {
        public DesignException(String message, SQLException cause) {
            super(message, cause == null ? null : cause.getSQLState(), cause);
        }
    }
}
