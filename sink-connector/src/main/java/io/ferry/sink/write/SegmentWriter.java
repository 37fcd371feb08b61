package io.ferry.sink.write;

import io.ferry.sink.batch.Segment;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.Op;
import io.ferry.sink.schema.Identifiers;
import io.ferry.sink.schema.TargetColumn;
import io.ferry.sink.schema.TargetTable;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Writes one segment of one table inside the caller's transaction: snapshot rows by COPY, changes as batched
 * upserts and deletes by primary key.
 */
public final class SegmentWriter {

    private static final String UNIQUE_VIOLATION = "23505";

    private final PgText text;
    private final boolean copyEnabled;
    private final boolean deleteEnabled;
    private BinaryCopy binary;

    public SegmentWriter(PgText text, boolean copyEnabled, boolean deleteEnabled) {
        this.text = text;
        this.copyEnabled = copyEnabled;
        this.deleteEnabled = deleteEnabled;
    }

    public void write(Connection conn, TargetTable table, Segment segment) throws SQLException {
        Collection<ChangeEvent> events = segment.reduced();
        if (segment.kind() == Segment.Kind.SNAPSHOT) {
            writeSnapshot(conn, table, events);
            return;
        }
        List<ChangeEvent> deletes = new ArrayList<>();
        List<ChangeEvent> upserts = new ArrayList<>();
        for (ChangeEvent e : events) {
            (e.op() == Op.DELETE ? deletes : upserts).add(e);
        }
        delete(conn, table, deletes);
        upsert(conn, table, upserts);
    }

    /** One event alone, for replaying a failed batch record by record. */
    public void writeOne(Connection conn, TargetTable table, ChangeEvent event) throws SQLException {
        if (event.op() == Op.DELETE) {
            delete(conn, table, List.of(event));
        } else {
            upsert(conn, table, List.of(event));
        }
    }

    private void writeSnapshot(Connection conn, TargetTable table, Collection<ChangeEvent> rows) throws SQLException {
        if (!copyEnabled) {
            upsert(conn, table, rows);
            return;
        }
        Savepoint beforeCopy = conn.setSavepoint();
        try {
            copy(conn, table, rows);
            conn.releaseSavepoint(beforeCopy);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState()) || !table.hasKey()) {
                throw e;
            }
            // Rows already there: a snapshot re-run after a source restart. Upserts make it idempotent.
            conn.rollback(beforeCopy);
            upsert(conn, table, rows);
        }
    }

    private void copy(Connection conn, TargetTable table, Collection<ChangeEvent> rows) throws SQLException {
        for (List<ChangeEvent> group : bySchema(rows)) {
            Schema rowSchema = group.get(0).row().schema();
            List<Field> fields = writableFields(table, rowSchema);
            TargetColumn[] columns = columns(table, fields);
            if (binary != null && binary.copy(conn, table, rowSchema, fields, columns, group)) {
                continue;
            }
            copyRows(conn, table.qualifiedName(), fields, columns, group);
        }
    }

    static TargetColumn[] columns(TargetTable table, List<Field> fields) {
        TargetColumn[] columns = new TargetColumn[fields.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = table.column(fields.get(i).name());
        }
        return columns;
    }

    /** Snapshot COPY in PostgreSQL's binary format where every column has one (see {@link BinaryCopy}). */
    public SegmentWriter copyingBinary(boolean on) {
        this.binary = on ? new BinaryCopy(text) : null;
        return this;
    }

    /** The binary COPY writer, or null when snapshot rows go as text. */
    BinaryCopy binary() {
        return binary;
    }

    /** Rows sent by binary COPY that PostgreSQL took (their transaction may still roll back). */
    public long binaryCopyRows() {
        return binary == null ? 0 : binary.rows();
    }

    static String columnList(List<Field> fields) {
        StringJoiner cols = new StringJoiner(", ");
        fields.forEach(f -> cols.add(Identifiers.quote(f.name())));
        return cols.toString();
    }

    /** COPY of these rows' fields into a table (the target, or a staging table with the target's column types). */
    private void copyRows(Connection conn, String into, List<Field> fields, TargetColumn[] columns,
                          List<ChangeEvent> group) throws SQLException {
        CopyIn copyIn = conn.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + into + " (" + columnList(fields) + ") FROM STDIN");
        try {
            CopyStream stream = new CopyStream(copyIn);
            textRows(stream, fields, columns, group);
            stream.end();
        } finally {
            if (copyIn.isActive()) {
                copyIn.cancelCopy();
            }
        }
    }

    /** The rows' fields in COPY's text format (also a text {@link CopySpan}'s). */
    void textRows(CopyStream stream, List<Field> fields, TargetColumn[] columns, Iterable<ChangeEvent> rows)
            throws SQLException {
        for (ChangeEvent e : rows) {
            appendCopyRow(stream, fields, columns, e.row());
        }
    }

    private void appendCopyRow(CopyStream stream, List<Field> fields, TargetColumn[] columns, Struct row)
            throws SQLException {
        for (int i = 0; i < columns.length; i++) {
            if (i > 0) {
                stream.separator();
            }
            Field f = fields.get(i);
            String v = text.encode(row.get(f), f.schema(), columns[i]);
            if (v == null) {
                stream.nullValue();
            } else {
                stream.value(v);
            }
        }
        stream.endRow();
    }

    /** Groups smaller than this are cheaper as batched statements than as COPY + INSERT ... SELECT. */
    static final int COPY_UPSERT_MIN_ROWS = 64;

    private boolean upsertByCopy;

    public SegmentWriter upsertingByCopy(boolean on) {
        this.upsertByCopy = on;
        return this;
    }

    private void upsert(Connection conn, TargetTable table, Collection<ChangeEvent> events) throws SQLException {
        for (List<ChangeEvent> group : bySchema(events)) {
            List<Field> fields = writableFields(table, group.get(0).row().schema());
            if (upsertByCopy && table.hasKey() && group.size() >= COPY_UPSERT_MIN_ROWS) {
                upsertThroughStaging(conn, table, fields, group);
                continue;
            }
            String sql = upsertSql(table, fields, group.get(0));
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (ChangeEvent e : group) {
                    for (int i = 0; i < fields.size(); i++) {
                        Field f = fields.get(i);
                        bind(ps, i + 1, text.encode(e.row().get(f), f.schema(), table.column(f.name())));
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /**
     * The rows COPYed into a temporary table made from the target's own columns (so COPY parses each value into the
     * target's type exactly as the snapshot's COPY does), then one INSERT ... SELECT ... ON CONFLICT. The rows are
     * reduced per key before (Segment), so no key occurs twice in the one statement.
     */
    private void upsertThroughStaging(Connection conn, TargetTable table, List<Field> fields, List<ChangeEvent> group)
            throws SQLException {
        StringJoiner cols = new StringJoiner(", ");
        fields.forEach(f -> cols.add(Identifiers.quote(f.name())));
        String staging = Identifiers.quote("ferry_stage_" + Long.toHexString(
                (table.qualifiedName() + "|" + cols).hashCode() & 0xffffffffL) + "_" + cols.length());
        try (Statement st = conn.createStatement()) {
            // made in the batch's transaction and dropped at its end: it always has the target's current types
            st.execute("CREATE TEMP TABLE IF NOT EXISTS " + staging + " ON COMMIT DROP AS SELECT " + cols
                    + " FROM " + table.qualifiedName() + " WITH NO DATA");
            st.execute("TRUNCATE " + staging);
        }
        copyRows(conn, "pg_temp." + staging, fields, columns(table, fields), group);
        try (Statement st = conn.createStatement()) {
            st.executeUpdate("INSERT INTO " + table.qualifiedName() + " (" + cols + ") SELECT " + cols + " FROM pg_temp."
                    + staging + conflictClause(table, fields));
        }
    }

    private static String upsertSql(TargetTable table, List<Field> fields, ChangeEvent sample) {
        StringJoiner cols = new StringJoiner(", ");
        StringJoiner params = new StringJoiner(", ");
        for (Field f : fields) {
            cols.add(Identifiers.quote(f.name()));
            params.add("?");
        }
        String insert = "INSERT INTO " + table.qualifiedName() + " (" + cols + ") VALUES (" + params + ")";
        if (!table.hasKey()) {
            if (sample.op() == Op.UPDATE) {
                throw new BadRecordException("update for target table " + table + ", which has no primary key: "
                        + "the row to update cannot be identified");
            }
            return insert;
        }
        return insert + conflictClause(table, fields);
    }

    /** ON CONFLICT on the target's key: the written fields that are not key columns take the new values. */
    private static String conflictClause(TargetTable table, List<Field> fields) {
        StringJoiner updates = new StringJoiner(", ");
        for (Field f : fields) {
            if (!table.keyColumns().contains(f.name())) {
                updates.add(Identifiers.quote(f.name()) + " = EXCLUDED." + Identifiers.quote(f.name()));
            }
        }
        StringJoiner key = new StringJoiner(", ");
        table.keyColumns().forEach(k -> key.add(Identifiers.quote(k)));
        return " ON CONFLICT (" + key + ")" + (updates.length() == 0 ? " DO NOTHING" : " DO UPDATE SET " + updates);
    }

    private void delete(Connection conn, TargetTable table, List<ChangeEvent> events) throws SQLException {
        if (events.isEmpty() || !deleteEnabled) {
            return;
        }
        if (!table.hasKey()) {
            throw new BadRecordException("delete for target table " + table + ", which has no primary key");
        }
        StringJoiner where = new StringJoiner(" AND ");
        for (String k : table.keyColumns()) {
            where.add(Identifiers.quote(k) + " = ?");
        }
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + table.qualifiedName() + " WHERE " + where)) {
            for (ChangeEvent e : events) {
                Struct key = e.key();
                int i = 1;
                for (String k : table.keyColumns()) {
                    Field f = key.schema().field(k);
                    if (f == null) {
                        throw new BadRecordException("record key has no field \"" + k + "\" of target primary key "
                                + table.keyColumns());
                    }
                    bind(ps, i++, text.encode(key.get(f), f.schema(), table.column(k)));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Records the target keys of these events in a reload's key table (same columns, same types), bound as the
     * delete binds them, so a key recorded here matches the row it names.
     */
    public void touchKeys(Connection conn, TargetTable table, String keysTable, Collection<ChangeEvent> events)
            throws SQLException {
        if (events.isEmpty() || !table.hasKey()) {
            return;
        }
        StringJoiner cols = new StringJoiner(", ");
        StringJoiner params = new StringJoiner(", ");
        for (String k : table.keyColumns()) {
            cols.add(Identifiers.quote(k));
            params.add("?");
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + keysTable + " (" + cols + ") VALUES (" + params
                + ") ON CONFLICT DO NOTHING")) {
            for (ChangeEvent e : events) {
                Struct key = e.key();
                int i = 1;
                boolean complete = true;
                for (String k : table.keyColumns()) {
                    Field f = key.schema().field(k);
                    if (f == null) {
                        complete = false;
                        break;
                    }
                    bind(ps, i++, text.encode(key.get(f), f.schema(), table.column(k)));
                }
                if (complete) {
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /** Upserts a row given as column -> text form (a parked row). */
    public void upsertEncoded(Connection conn, TargetTable table, Map<String, String> row) throws SQLException {
        StringJoiner cols = new StringJoiner(", ");
        StringJoiner params = new StringJoiner(", ");
        StringJoiner updates = new StringJoiner(", ");
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> e : row.entrySet()) {
            TargetColumn c = table.column(e.getKey());
            if (c == null) {
                continue;
            }
            cols.add(Identifiers.quote(c.name()));
            params.add("?");
            if (!table.keyColumns().contains(c.name())) {
                updates.add(Identifiers.quote(c.name()) + " = EXCLUDED." + Identifiers.quote(c.name()));
            }
            values.add(e.getValue());
        }
        StringJoiner key = new StringJoiner(", ");
        table.keyColumns().forEach(k -> key.add(Identifiers.quote(k)));
        String sql = "INSERT INTO " + table.qualifiedName() + " (" + cols + ") VALUES (" + params + ") ON CONFLICT ("
                + key + ")" + (updates.length() == 0 ? " DO NOTHING" : " DO UPDATE SET " + updates);
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                bind(ps, i + 1, values.get(i));
            }
            ps.executeUpdate();
        }
    }

    /** Deletes a row by its key given as column -> text form (a parked delete). */
    public void deleteEncoded(Connection conn, TargetTable table, Map<String, String> key) throws SQLException {
        if (!deleteEnabled) {
            return;
        }
        StringJoiner where = new StringJoiner(" AND ");
        for (String k : table.keyColumns()) {
            where.add(Identifiers.quote(k) + " = ?");
        }
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + table.qualifiedName() + " WHERE " + where)) {
            int i = 1;
            for (String k : table.keyColumns()) {
                bind(ps, i++, key.get(k));
            }
            ps.executeUpdate();
        }
    }

    /**
     * Binds the text form untyped, so PostgreSQL reads it as the column's own type: an assignment that refuses what
     * does not fit, where a cast ({@code ?::character}) would truncate it.
     */
    private static void bind(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.OTHER);
        } else {
            ps.setObject(index, value, Types.OTHER);
        }
    }

    /** Events whose row carries a value in a column column.add.policy=ignore leaves out: counted, never silent. */
    public static long carryingIgnored(TargetTable table, Collection<ChangeEvent> events) {
        if (table.ignored().isEmpty()) {
            return 0;
        }
        long n = 0;
        for (ChangeEvent e : events) {
            if (e.op() == Op.DELETE || e.row() == null) {
                continue;
            }
            for (String column : table.ignored()) {
                Field f = e.row().schema().field(column);
                if (f != null && e.row().get(f) != null) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    static List<Field> writableFields(TargetTable table, Schema rowSchema) {
        List<Field> fields = new ArrayList<>();
        for (Field f : rowSchema.fields()) {
            if (table.column(f.name()) == null) {
                if (table.designed() || table.ignored().contains(f.name())) {
                    continue; // left out by the user's design, or ignored by column.add.policy (and counted)
                }
                throw new BadRecordException("column \"" + f.name() + "\" is not in target table " + table);
            }
            fields.add(f);
        }
        return fields;
    }

    /** Groups by row schema instance, in order of first appearance; each group shares one column list. */
    private static List<List<ChangeEvent>> bySchema(Collection<ChangeEvent> events) {
        Map<Schema, List<ChangeEvent>> byInstance = new IdentityHashMap<>();
        List<List<ChangeEvent>> groups = new ArrayList<>();
        for (ChangeEvent e : events) {
            byInstance.computeIfAbsent(e.row().schema(), s -> {
                List<ChangeEvent> g = new ArrayList<>();
                groups.add(g);
                return g;
            }).add(e);
        }
        return groups;
    }

    /** Deferred constraints checked per statement for the rest of the transaction (a row-by-row replay). */
    public static void checkConstraintsNow(Connection conn) throws SQLException {
        try (java.sql.Statement st = conn.createStatement()) {
            st.execute("SET CONSTRAINTS ALL IMMEDIATE");
        }
    }
}
