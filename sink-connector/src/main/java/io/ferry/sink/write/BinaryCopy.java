package io.ferry.sink.write;

import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.schema.TargetColumn;
import io.ferry.sink.schema.TargetTable;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Snapshot rows by COPY in PostgreSQL's binary format, for a table whose written columns all have a plain binary
 * form ({@link BinaryForms}). Inside a savepoint: a value without an exact binary form, or a binary field PostgreSQL
 * refuses, rolls the attempt back, and the caller writes the rows as text, as this row shape is from then on.
 */
final class BinaryCopy {

    private static final Logger log = LoggerFactory.getLogger(BinaryCopy.class);
    /** PostgreSQL refused a binary field's layout: an encoder defect, which text COPY does not share. */
    private static final String INVALID_BINARY_REPRESENTATION = "22P03";

    private final PgText text;
    /** Row shapes that met a value without a binary form (weakly held: a schema change retires its shape). */
    private final Set<Schema> textOnly = Collections.newSetFromMap(new WeakHashMap<>());
    private long rows;
    private String refusedColumn;

    BinaryCopy(PgText text) {
        this.text = text;
    }

    long rows() {
        return rows;
    }

    /** True when the rows went in binary; false when the caller is to COPY them as text (nothing was written). */
    boolean copy(Connection conn, TargetTable table, Schema rowSchema, List<Field> fields, TargetColumn[] columns,
                 List<ChangeEvent> group) throws SQLException {
        if (textOnly.contains(rowSchema)) {
            return false;
        }
        BinaryForms.Kind[] kinds = kinds(columns);
        if (kinds == null) {
            return false;
        }
        Savepoint beforeBinary = conn.setSavepoint();
        try {
            send(conn, table.qualifiedName(), fields, columns, kinds, group);
            conn.releaseSavepoint(beforeBinary);
            rows += group.size();
            return true;
        } catch (BinaryForms.NoBinaryForm | SQLException e) {
            if (!refusedBinary(table, rowSchema, e)) {
                throw e; // what text COPY would meet too (a key already there, a constraint): the caller's to handle
            }
            conn.rollback(beforeBinary);
            return false;
        }
    }

    /**
     * Whether a binary COPY (one batch's, or one spanning batches) failed on the binary form itself; if so its rows
     * of this shape go as text from now on. A value without an exact form is PostgreSQL's to judge from its text (out
     * of range, too precise); a layout PostgreSQL refused is an encoder defect, which text COPY does not share.
     */
    boolean refusedBinary(TargetTable table, Schema rowSchema, Throwable e) {
        if (e instanceof BinaryForms.NoBinaryForm) {
            log.info("Table {}: a value of column \"{}\" has no exact binary COPY form; its rows of this shape are "
                    + "COPYed as text from now on", table, refusedColumn);
        } else if (e instanceof SQLException sql && INVALID_BINARY_REPRESENTATION.equals(sql.getSQLState())) {
            log.warn("Table {}: PostgreSQL refused the binary COPY form Ferry wrote ({}); its rows of this shape are "
                    + "COPYed as text from now on. Please report this with the table's column types.", table,
                    e.getMessage());
        } else {
            return false;
        }
        textOnly.add(rowSchema);
        return true;
    }

    /** Each column's binary form, or null when one of them has none. */
    private static BinaryForms.Kind[] kinds(TargetColumn[] columns) {
        BinaryForms.Kind[] kinds = new BinaryForms.Kind[columns.length];
        for (int i = 0; i < columns.length; i++) {
            kinds[i] = BinaryForms.of(columns[i]);
            if (kinds[i] == null) {
                return null;
            }
        }
        return kinds;
    }

    /**
     * Each column's binary form for rows of this shape, or null when they go as text (a column without one, or the
     * shape met a value without one before).
     */
    BinaryForms.Kind[] kindsFor(Schema rowSchema, TargetColumn[] columns) {
        return textOnly.contains(rowSchema) ? null : kinds(columns);
    }

    /** Rows sent in binary by a COPY that spans batches ({@link CopySpan}), once PostgreSQL took them. */
    void counted(long n) {
        rows += n;
    }

    /** The rows' fields in binary, after the stream's header; a value without an exact binary form is thrown. */
    void rows(CopyStream stream, List<Field> fields, TargetColumn[] columns, BinaryForms.Kind[] kinds,
              Iterable<ChangeEvent> group) throws SQLException {
        for (ChangeEvent e : group) {
            Struct row = e.row();
            stream.binaryRow(columns.length);
            for (int i = 0; i < columns.length; i++) {
                Field f = fields.get(i);
                Object value = row.get(f);
                if (value == null) {
                    stream.binaryNull();
                    continue;
                }
                try {
                    BinaryForms.write(stream, kinds[i], value, f.schema(), columns[i], text);
                } catch (BinaryForms.NoBinaryForm refused) {
                    refusedColumn = columns[i].name();
                    throw refused;
                }
            }
            stream.rowDone();
        }
    }

    private void send(Connection conn, String into, List<Field> fields, TargetColumn[] columns,
                      BinaryForms.Kind[] kinds, List<ChangeEvent> group) throws SQLException {
        CopyIn copyIn = conn.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + into + " (" + SegmentWriter.columnList(fields) + ") FROM STDIN (FORMAT binary)");
        try {
            CopyStream stream = new CopyStream(copyIn);
            stream.binaryHeader();
            rows(stream, fields, columns, kinds, group);
            stream.binaryTrailer();
            stream.end();
        } finally {
            if (copyIn.isActive()) {
                copyIn.cancelCopy();
            }
        }
    }
}
