package io.ferry.converter;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;

/**
 * Values laid out by their schema, nothing else: an optional value starts with a presence byte; integers of 32 and
 * 64 bits are zigzag varints, 8 and 16 bits fixed; floats fixed IEEE; strings and bytes length-prefixed; arrays and
 * maps count-prefixed; a struct is its fields in order. Kafka's logical types (Decimal, Date, Time, Timestamp) travel
 * in their physical form, as JsonConverter does.
 */
final class Values {

    private Values() {
    }

    /** One value written alone (a schema's default); records are written by the plan the converter caches per schema. */
    static void write(ByteSink out, Schema schema, Object value) {
        WritePlan.of(schema).write(out, value);
    }

    /** One value read alone (a schema's default); records are read by the plan the converter caches per schema. */
    static Object read(ByteSource in, Schema schema) {
        return ReadPlan.of(schema).read(in);
    }

    /**
     * A Decimal schema's scale, or null when its scale parameter is missing or does not parse: the plans then leave
     * each value to Kafka's Decimal, which refuses it with its own reason.
     */
    static Integer decimalScale(Schema schema) {
        try {
            return Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD));
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String describe(Schema schema) {
        return schema.type() + (schema.name() != null ? " " + schema.name() : "");
    }
}
