package io.ferry.sink.event;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a SinkRecord into a {@link ChangeEvent}. Two shapes are understood:
 * <ul>
 *   <li>a Debezium envelope (value struct with op, before, after, source);</li>
 *   <li>a flat row (value struct of columns, e.g. after ExtractNewRecordState): an upsert.</li>
 * </ul>
 * A null value (tombstone) with a struct key is a delete by key. Anything else is a {@link BadRecordException}.
 */
public final class ChangeEventDecoder {

    private final TableNamer namer;
    /** The fields of the last value schema seen, resolved once: records come in long runs of one schema. */
    private Schema lastSchema;
    private Layout lastLayout;

    /** Where an envelope keeps what the decoder reads (null fields: absent). */
    private record Layout(boolean envelope, Field op, Field before, Field after, Field source, Field db, Field table,
                          Field snapshot, Field tsMs) {

        static Layout of(Schema schema) {
            if (!isEnvelope(schema)) {
                return new Layout(false, null, null, null, null, null, null, null, null);
            }
            Field source = schema.field("source");
            Schema s = source == null || source.schema().type() != Schema.Type.STRUCT ? null : source.schema();
            Field ts = s == null ? null : s.field("ts_ms");
            return new Layout(true, schema.field("op"), schema.field("before"), schema.field("after"), s == null ? null : source,
                    s == null ? null : s.field("db"), s == null ? null : s.field("table"),
                    s == null ? null : s.field("snapshot"), ts != null && ts.schema().type() == Schema.Type.INT64 ? ts : null);
        }
    }

    public ChangeEventDecoder(TableNamer namer) {
        this.namer = namer;
    }

    public ChangeEvent decode(SinkRecord record) {
        Struct key = keyStruct(record);
        Object value = record.value();
        if (value == null) {
            if (key == null) {
                throw new BadRecordException("tombstone without a struct key: nothing identifies the row to delete");
            }
            return new ChangeEvent(record, Op.DELETE, namer.tableFor(record.topic(), null, null), key, null, null, null);
        }
        if (!(value instanceof Struct struct) || record.valueSchema() == null) {
            throw new BadRecordException("record value has no Connect schema (" + value.getClass().getSimpleName()
                    + "); use a converter with schemas (e.g. JsonConverter with schemas.enable=true or Avro)");
        }
        Schema schema = struct.schema();
        if (schema != lastSchema) {
            lastLayout = Layout.of(schema);
            lastSchema = schema;
        }
        return lastLayout.envelope() ? fromEnvelope(record, key, struct, lastLayout) : fromFlat(record, key, struct);
    }

    public static boolean isEnvelope(Schema schema) {
        return schema.type() == Schema.Type.STRUCT && schema.field("op") != null && schema.field("after") != null
                && schema.field("before") != null;
    }

    private ChangeEvent fromEnvelope(SinkRecord record, Struct key, Struct envelope, Layout l) {
        Object opValue = envelope.get(l.op());
        String opCode = opValue == null ? null : opValue.toString();
        Struct source = l.source() != null ? (Struct) envelope.get(l.source()) : null;
        String db = source != null ? text(source, l.db()) : null;
        String sourceTable = source != null ? text(source, l.table()) : null;
        String snapshot = source != null ? text(source, l.snapshot()) : null;
        Long tsMs = source != null && l.tsMs() != null ? (Long) source.get(l.tsMs()) : null;
        String table = namer.tableFor(record.topic(), db, sourceTable);
        Op op = switch (opCode == null ? "" : opCode) {
            case "r" -> Op.SNAPSHOT;
            case "c" -> Op.INSERT;
            case "u" -> Op.UPDATE;
            case "d" -> Op.DELETE;
            default -> throw new BadRecordException("unsupported Debezium op '" + opCode + "' (truncate and message "
                    + "events are not applied)");
        };
        Struct row = (Struct) envelope.get(op == Op.DELETE ? l.before() : l.after());
        if (op != Op.DELETE && row == null) {
            throw new BadRecordException("Debezium op '" + opCode + "' without an 'after' row image");
        }
        if (op == Op.DELETE && key == null) {
            throw new BadRecordException("delete for a table without a primary key: the row cannot be identified");
        }
        return new ChangeEvent(record, op, table, key, row, snapshot, tsMs);
    }

    private ChangeEvent fromFlat(SinkRecord record, Struct key, Struct row) {
        return new ChangeEvent(record, Op.INSERT, namer.tableFor(record.topic(), null, null), key, row, null, null);
    }

    private static Struct keyStruct(SinkRecord record) {
        Object key = record.key();
        if (key == null) {
            return null;
        }
        if (key instanceof Struct struct) {
            return struct.schema().fields().isEmpty() ? null : struct;
        }
        throw new BadRecordException("record key is a " + key.getClass().getSimpleName()
                + ", not a struct of primary-key columns");
    }

    private static String text(Struct struct, Field field) {
        if (field == null) {
            return null;
        }
        Object v = struct.get(field);
        return v == null ? null : v.toString();
    }
}
