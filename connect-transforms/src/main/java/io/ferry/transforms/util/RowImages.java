package io.ferry.transforms.util;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.util.function.Function;

/**
 * Adds one computed column to the row images of a record value, whatever its shape: a Debezium envelope (to
 * {@code before} and {@code after}, each computed from its own image, so they stay consistent) or a flat row.
 */
public final class RowImages {
    private RowImages() {}

    public static boolean isEnvelope(Schema schema) {
        return schema != null && schema.type() == Schema.Type.STRUCT && schema.field("op") != null
                && schema.field("before") != null && schema.field("after") != null;
    }

    /** The image that identifies the row: after, or before for deletes. */
    public static Struct identifyingImage(Struct envelope) {
        Struct after = envelope.getStruct("after");
        return after != null ? after : envelope.getStruct("before");
    }

    public static Schema rowSchemaWith(Schema row, String field, Schema fieldSchema) {
        if (row.field(field) != null) {
            throw new DataException("the row already has a column \"" + field + "\"");
        }
        SchemaBuilder b = SchemaBuilder.struct().name(row.name()).version(row.version()).doc(row.doc());
        if (row.isOptional()) {
            b.optional();
        }
        if (row.parameters() != null) {
            b.parameters(row.parameters());
        }
        for (Field f : row.fields()) {
            b.field(f.name(), f.schema());
        }
        b.field(field, fieldSchema);
        return b.build();
    }

    public static Struct rowWith(Struct row, Schema newSchema, String field, Object value) {
        if (row == null) {
            return null;
        }
        Struct out = new Struct(newSchema);
        for (Field f : row.schema().fields()) {
            out.put(f.name(), row.get(f));
        }
        out.put(field, value);
        return out;
    }

    public static Schema envelopeSchemaWith(Schema envelope, Schema newRow) {
        SchemaBuilder b = SchemaBuilder.struct().name(envelope.name()).version(envelope.version()).doc(envelope.doc());
        if (envelope.isOptional()) {
            b.optional();
        }
        for (Field f : envelope.fields()) {
            b.field(f.name(), f.name().equals("before") || f.name().equals("after") ? newRow : f.schema());
        }
        return b.build();
    }

    /** The envelope with {@code compute(image)} added to before and after. */
    public static Struct envelopeWith(Struct envelope, Schema newEnvelope, String field,
                                      Function<Struct, Object> compute) {
        Schema newRow = newEnvelope.field("after").schema();
        Struct out = new Struct(newEnvelope);
        for (Field f : envelope.schema().fields()) {
            if (f.name().equals("before") || f.name().equals("after")) {
                Struct image = envelope.getStruct(f.name());
                out.put(f.name(), image == null ? null : rowWith(image, newRow, field, compute.apply(image)));
            } else {
                out.put(f.name(), envelope.get(f));
            }
        }
        return out;
    }
}
