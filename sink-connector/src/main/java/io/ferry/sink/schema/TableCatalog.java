package io.ferry.sink.schema;

import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.jdbc.DdlLock;
import io.ferry.sink.jdbc.Transactions;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Knows the target tables: reads them from the catalog once, creates missing ones from the record schema, adds
 * columns that appear later. DDL runs in its own committed transaction under an advisory lock, so tasks racing on
 * the same table do not fail each other. Row schemas already checked are remembered by identity: no catalog
 * work per record.
 */
public final class TableCatalog {

    private static final Logger log = LoggerFactory.getLogger(TableCatalog.class);

    private final String targetSchema;
    private final TypeRegistry types;
    private final boolean autoCreate;
    private final boolean autoEvolve;
    private final Set<String> designed;
    private final Map<String, TargetTable> tables = new HashMap<>();
    private final Map<String, Set<Schema>> checkedSchemas = new HashMap<>();
    private final Set<String> warnedRetypes = new java.util.HashSet<>();
    /** Per column seen in a record (key: {@link #seen}), the type its last schema asked for. */
    private final Map<String, String> lastWanted = new HashMap<>();
    /** Per table, the row schema of the last record resolved: a rename shows as one name changed in place. */
    private final Map<String, Schema> lastRowSchema = new HashMap<>();
    private final EnumColumns enums;
    private final boolean dropColumns;
    private final boolean stopOnUnsafe;
    private final Set<String> jsonColumns;
    private final CatalogOptions.AddPolicy addPolicy;
    private final DesignColumns designColumns;
    /** Per table, source columns ignored by column.add.policy=ignore (warned once each). */
    private final Map<String, Set<String>> ignored = new HashMap<>();

    public TableCatalog(String targetSchema, TypeRegistry types, CatalogOptions options, Set<String> designed) {
        this(targetSchema, types, options, designed, null);
    }

    /**
     * @param designed      tables of the user's target DDL: source columns they lack are left out, their types are
     *                      the user's, no enum checks or types are added to them
     * @param designColumns which source columns each designed table knew of (null: no designed tables)
     */
    public TableCatalog(String targetSchema, TypeRegistry types, CatalogOptions options, Set<String> designed,
                        DesignColumns designColumns) {
        this.addPolicy = options.addPolicy();
        this.designColumns = designColumns;
        this.stopOnUnsafe = options.stopOnUnsafe();
        this.jsonColumns = Set.copyOf(options.jsonColumns());
        this.enums = new EnumColumns(options.enums());
        this.dropColumns = options.dropColumns();
        this.designed = Set.copyOf(designed);
        this.targetSchema = targetSchema;
        this.types = types;
        this.autoCreate = options.autoCreate();
        this.autoEvolve = options.autoEvolve();
    }

    /** The target table for rows of {@code rowSchema} (may be null for tombstones), creating or evolving it. */
    public TargetTable resolve(Connection conn, String table, Schema rowSchema, Schema keySchema) throws SQLException {
        TargetTable known = tables.get(table);
        Set<Schema> checked = checkedSchemas.computeIfAbsent(table, t -> Collections.newSetFromMap(new IdentityHashMap<>()));
        if (known != null && (rowSchema == null || checked.contains(rowSchema))) {
            return known;
        }
        checkLength("table", table);
        if (rowSchema != null) {
            for (Field f : rowSchema.fields()) {
                checkLength("column", f.name());
            }
        }
        if (known == null) {
            known = read(conn, table);
        }
        if (known == null) {
            if (rowSchema == null) {
                throw new BadRecordException("table " + targetSchema + "." + table + " does not exist and a record "
                        + "without a row image cannot create it");
            }
            if (!autoCreate) {
                throw new BadRecordException("table " + targetSchema + "." + table + " does not exist and "
                        + "table.auto.create is false");
            }
            known = create(conn, table, rowSchema, keySchema);
        } else if (rowSchema != null) {
            known = evolve(conn, known, rowSchema);
        }
        tables.put(table, known);
        if (rowSchema != null) {
            checked.add(rowSchema);
            lastRowSchema.put(table, rowSchema);
        }
        return known;
    }

    /** PostgreSQL keeps 63 bytes of a name and cuts the rest without a word: two long names could become one. */
    private static void checkLength(String what, String name) {
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > 63) {
            throw new BadRecordException(what + " name \"" + name + "\" is " + bytes + " bytes; PostgreSQL keeps 63 and "
                    + "would cut it without an error. Give it a shorter name (table.name.format, RenameColumns)");
        }
    }

    /** Creates the user's designed tables bare (columns and primary key only) where they do not exist yet. */
    public void createDesigned(Connection conn, io.ferry.sink.design.TargetDesign design) throws SQLException {
        for (String table : design.bareTables().keySet()) {
            if (read(conn, table) == null) {
                String ddl = design.createTableSql(targetSchema, table);
                runDdl(conn, table, List.of(Identifiers.createSchemaIfMissing(targetSchema), ddl));
                log.info("Created designed table {}.{} for the full load (indexes and constraints follow it):\n{}",
                        targetSchema, table, ddl);
            }
        }
    }

    /** The registry's type, unless json.columns names the column. */
    private String sqlType(String table, Field f) {
        if (f.schema().type() == Schema.Type.STRING && jsonColumns.contains(table + "." + f.name())) {
            return "jsonb";
        }
        return types.sqlType(f.name(), f.schema());
    }

    private static String seen(String table, String column) {
        return table + '\u0000' + column;
    }

    /** The type of a target column as PostgreSQL has it now (null when the table or column is missing). */
    public String columnType(Connection conn, String table, String column) throws SQLException {
        TargetTable t = read(conn, table);
        TargetColumn c = t == null ? null : t.column(column);
        return c == null ? null : c.sqlType();
    }

    /** Forget what is cached, e.g. after a failed transaction that may have rolled DDL back. */
    public void invalidate() {
        tables.clear();
        checkedSchemas.clear();
        if (designColumns != null) {
            designColumns.invalidate();
        }
    }

    private TargetTable create(Connection conn, String table, Schema rowSchema, Schema keySchema) throws SQLException {
        List<String> key = new ArrayList<>();
        if (keySchema != null && keySchema.type() == Schema.Type.STRUCT) {
            for (Field f : keySchema.fields()) {
                key.add(f.name());
            }
        }
        StringJoiner cols = new StringJoiner(",\n  ");
        for (Field f : rowSchema.fields()) {
            String type = sqlType(table, f);
            lastWanted.put(seen(table, f.name()), type);
            type = enums.columnType(targetSchema, table, f, type);
            boolean notNull = !f.schema().isOptional() || key.contains(f.name());
            cols.add(Identifiers.quote(f.name()) + " " + type + (notNull ? " NOT NULL" : ""));
        }
        if (!key.isEmpty()) {
            StringJoiner pk = new StringJoiner(", ", "PRIMARY KEY (", ")");
            key.forEach(k -> pk.add(Identifiers.quote(k)));
            cols.add(pk.toString());
        }
        enums.forCreate(targetSchema, table, rowSchema).forEach(cols::add);
        String ddl = "CREATE TABLE IF NOT EXISTS " + Identifiers.qualified(targetSchema, table) + " (\n  " + cols + "\n)";
        List<String> statements = new ArrayList<>();
        statements.add(Identifiers.createSchemaIfMissing(targetSchema));
        statements.addAll(enums.types(targetSchema, table, rowSchema, null));
        statements.add(ddl);
        runDdl(conn, table, statements);
        log.info("Created target table {}.{}:\n{}", targetSchema, table, ddl);
        return read(conn, table);
    }

    private TargetTable evolve(Connection conn, TargetTable table, Schema rowSchema) throws SQLException {
        // what the columns last asked for only moves on with DDL that ran: a stop or a failure leaves it as it was
        Map<String, String> wantedBefore = new HashMap<>(lastWanted);
        try {
            return evolveOnce(conn, table, rowSchema);
        } catch (SQLException | RuntimeException e) {
            lastWanted.clear();
            lastWanted.putAll(wantedBefore);
            throw e;
        }
    }

    private TargetTable evolveOnce(Connection conn, TargetTable table, Schema rowSchema) throws SQLException {
        List<String> ddl = new ArrayList<>();
        // a designed table leaves out the source columns it lacked when it first met the source, on purpose
        Set<String> designedOut = table.designed() && designColumns != null
                ? designColumns.known(conn, table.name(), rowSchema) : Set.of();
        boolean newlyIgnored = false;
        String[] renamed = autoEvolve ? renamed(table, lastRowSchema.get(table.name()), rowSchema, designedOut) : null;
        if (renamed != null) {
            ddl.add("ALTER TABLE " + table.qualifiedName() + " RENAME COLUMN " + Identifiers.quote(renamed[0]) + " TO "
                    + Identifiers.quote(renamed[1]));
            lastWanted.put(seen(table.name(), renamed[1]), lastWanted.remove(seen(table.name(), renamed[0])));
            log.info("Column {}.{} was renamed to {} at the source; renaming it in the target", table, renamed[0],
                    renamed[1]);
        }
        for (Field f : rowSchema.fields()) {
            if (renamed != null && f.name().equals(renamed[1])) {
                continue;
            }
            if (table.column(f.name()) == null) {
                if (designedOut.contains(f.name()) || table.ignored().contains(f.name())) {
                    continue;
                }
                String type = sqlType(table.name(), f);
                String add = "ALTER TABLE " + table.qualifiedName() + " ADD COLUMN IF NOT EXISTS "
                        + Identifiers.quote(f.name()) + " " + (table.designed() ? type
                        : enums.columnType(targetSchema, table.name(), f, type)) + defaultClause(f, type);
                switch (addPolicy) {
                    case STOP -> throw UnsafeTypeChange.columnAdded(table, f.name(), add);
                    case IGNORE -> {
                        if (ignored.computeIfAbsent(table.name(), t -> new java.util.LinkedHashSet<>()).add(f.name())) {
                            log.warn("Column {}.{} appeared at the source during CDC; column.add.policy=ignore: its values "
                                    + "are not written, and the rows that carry one are counted in {}.table_stats."
                                    + "ignored_values. To take them from now on, run on the target and restart the "
                                    + "connector: {}", table, f.name(), "the state schema", add);
                        }
                        newlyIgnored = true;
                    }
                    case ADD -> {
                        if (!autoEvolve) {
                            throw new BadRecordException("column \"" + f.name() + "\" is missing in target table " + table
                                    + " and table.auto.evolve is false; run: " + add);
                        }
                        ddl.add(add);
                    }
                }
            } else {
                retype(table, f, ddl);
            }
        }
        if (autoEvolve) {
            if (!table.designed()) {
                ddl.addAll(0, enums.types(targetSchema, table.name(), rowSchema, table));
                ddl.addAll(enums.forEvolve(table, rowSchema));
            }
            dropped(table, rowSchema, ddl);
        }
        if (ddl.isEmpty()) {
            return newlyIgnored ? read(conn, table.name()) : table;
        }
        runDdl(conn, table.name(), ddl);
        log.info("Evolved target table {}: {}", table, ddl);
        return read(conn, table.name());
    }

    /**
     * A source column whose type grew (ALTER TABLE ... MODIFY during CDC) is widened in place when no stored value
     * can change. An unsafe change stops the table ({@link UnsafeTypeChange}, unsafe.change.policy=stop), or is
     * logged once with the DDL to run while values that do not fit go the bad-record way with PostgreSQL's reason;
     * either way nothing is truncated. Only a change seen happening is followed: the column
     * matched the target before and the source's new schema differs. A target that differed from the start is the
     * user's choice (a table they created narrower or wider) and is left alone.
     */
    private void retype(TargetTable table, Field f, List<String> ddl) {
        if (!autoEvolve) {
            return;
        }
        String existing = table.column(f.name()).sqlType();
        String wanted;
        try {
            wanted = sqlType(table.name(), f);
        } catch (RuntimeException e) {
            return; // the writer reports a column it cannot type, with the column named
        }
        String before = lastWanted.put(seen(table.name(), f.name()), wanted);
        if (before == null || before.equals(wanted)
                || TypeWidening.compare(existing, before) != TypeWidening.Verdict.SAME) {
            return;
        }
        switch (TypeWidening.compare(existing, wanted)) {
            case WIDEN -> ddl.add("ALTER TABLE " + table.qualifiedName() + " ALTER COLUMN " + Identifiers.quote(f.name())
                    + " TYPE " + wanted);
            case UNSAFE -> {
                if (stopOnUnsafe) {
                    throw new UnsafeTypeChange(table, f.name(), existing, wanted);
                }
                if (warnedRetypes.add(table + "." + f.name() + ":" + wanted)) {
                    log.warn("Source column {}.{} is now {} but target column is {}; Ferry does not change it because "
                            + "stored values could change. Values that do not fit go to the dead-letter queue (or fail "
                            + "the task). To follow the source, run: ALTER TABLE {} ALTER COLUMN {} TYPE {} USING ...",
                            table, f.name(), wanted, existing, table.qualifiedName(), Identifiers.quote(f.name()), wanted);
                }
            }
            default -> { }
        }
    }

    /**
     * {old, new} when the new schema is the previous one with exactly one column's name changed in place and its type
     * unchanged (ALTER TABLE ... RENAME COLUMN, or CHANGE old new with the same type), the old column is in the target
     * and the new one is not; else null. A DROP plus an ADD cannot look like this: MySQL adds columns at the end
     * unless told otherwise, and a dropped column shortens the list.
     */
    private String[] renamed(TargetTable table, Schema previous, Schema current, Set<String> designedOut) {
        if (previous == null || previous.fields().size() != current.fields().size()) {
            return null;
        }
        String[] found = null;
        for (int i = 0; i < current.fields().size(); i++) {
            Field was = previous.fields().get(i);
            Field is = current.fields().get(i);
            if (was.name().equals(is.name())) {
                continue;
            }
            if (found != null || !sqlType(table.name(), was).equals(sqlType(table.name(), is))
                    || table.column(was.name()) == null || table.column(is.name()) != null
                    || table.keyColumns().contains(was.name()) || designedOut.contains(is.name())
                    || addPolicy != CatalogOptions.AddPolicy.ADD) {
                return null;
            }
            found = new String[] {was.name(), is.name()};
        }
        return found;
    }

    /**
     * A column seen in this table's earlier records and gone from the new schema was dropped at the source
     * (ALTER TABLE ... DROP COLUMN during CDC). Kept (the default), it loses NOT NULL so that new rows, which have no
     * value for it, still land; dropped, it goes. Columns never seen in a record (added in the target by the user)
     * are not touched, nor are key columns.
     */
    private void dropped(TargetTable table, Schema rowSchema, List<String> ddl) {
        for (String column : table.columns().keySet()) {
            if (rowSchema.field(column) != null || table.keyColumns().contains(column)
                    || lastWanted.remove(seen(table.name(), column)) == null) {
                continue;
            }
            String c = Identifiers.quote(column);
            ddl.add(dropColumns ? "ALTER TABLE " + table.qualifiedName() + " DROP COLUMN IF EXISTS " + c
                    : "ALTER TABLE " + table.qualifiedName() + " ALTER COLUMN " + c + " DROP NOT NULL");
            log.info("Column {}.{} was dropped at the source; {}", table, column,
                    dropColumns ? "dropping it (column.drop.policy=drop)" : "keeping it, nullable (column.drop.policy=keep)");
        }
    }

    /**
     * MySQL fills an added column's default into existing rows without writing binlog events for them; the same
     * default on the target column gives those rows the same value. Debezium carries it as the schema default.
     */
    private static String defaultClause(Field f, String sqlType) {
        Object def = f.schema().defaultValue();
        if (def == null) {
            return "";
        }
        String text = new io.ferry.sink.write.PgText(io.ferry.sink.config.FerrySinkConfig.NulPolicy.STRIP)
                .encode(def, f.schema(), new TargetColumn(f.name(), sqlType));
        return text == null ? "" : " DEFAULT " + Identifiers.literal(text) + "::" + sqlType;
    }

    private void runDdl(Connection conn, String table, List<String> statements) throws SQLException {
        Transactions.commit(conn, c -> {
            try (Statement st = c.createStatement()) {
                DdlLock.take(st, targetSchema, table);
                for (String sql : statements) {
                    st.execute(sql);
                }
            }
        });
    }

    TargetTable read(Connection conn, String table) throws SQLException {
        String regclass = Identifiers.qualified(targetSchema, table);
        LinkedHashMap<String, TargetColumn> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(
                // a domain is written as its base type (with the base's modifier), its CHECK applied by PostgreSQL
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN t.typtype = 'd' "
                        + "THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END "
                        + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(?) "
                        + "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), new TargetColumn(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        if (columns.isEmpty()) {
            return null;
        }
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true "
                        + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                        + "WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY k.n")) {
            ps.setString(1, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return new TargetTable(targetSchema, table, columns, key, designed.contains(table),
                ignored.getOrDefault(table, Set.of()));
    }

}
