package io.ferry.converter;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;

/**
 * Values laid out by their schema, nothing else: an optional value starts with a presence byte; integers of 32 and
 * 64 bits are zigzag varints, 8 and 16 bits fixed; floats fixed IEEE; strings and bytes length-prefixed; arrays and
 * maps count-prefixed; a struct is its fields in order. Kafka's logical types (Decimal, Date, Time, Timestamp) travel
 * in their physical form, as JsonConverter does.
 */
final class Values {

    private Values() {
    }

    static void write(ByteSink out, Schema schema, Object value) {
        if (schema.isOptional()) {
            if (value == null) {
                out.write(0);
                return;
            }
            out.write(1);
        } else if (value == null) {
            if (schema.defaultValue() == null) {
                throw new DataException("null value for required " + describe(schema));
            }
            value = schema.defaultValue();
        }
        String logical = schema.name();
        if (logical != null) {
            switch (logical) {
                case Decimal.LOGICAL_NAME -> value = Decimal.fromLogical(schema, (BigDecimal) value);
                case Date.LOGICAL_NAME -> value = Date.fromLogical(schema, (java.util.Date) value);
                case Time.LOGICAL_NAME -> value = Time.fromLogical(schema, (java.util.Date) value);
                case Timestamp.LOGICAL_NAME -> value = Timestamp.fromLogical(schema, (java.util.Date) value);
                default -> { }
            }
        }
        try {
            switch (schema.type()) {
                case INT8 -> out.write((Byte) value);
                case INT16 -> out.fixed16((Short) value);
                case INT32 -> out.zigzag((int) (Integer) value);
                case INT64 -> out.zigzag((long) (Long) value);
                case FLOAT32 -> out.fixed32(Float.floatToIntBits((Float) value));
                case FLOAT64 -> out.fixed64(Double.doubleToLongBits((Double) value));
                case BOOLEAN -> out.write(((Boolean) value) ? 1 : 0);
                case STRING -> out.string((String) value);
                case BYTES -> bytes(out, value);
                case ARRAY -> {
                    Collection<?> items = (Collection<?>) value;
                    out.varint(items.size());
                    for (Object item : items) {
                        write(out, schema.valueSchema(), item);
                    }
                }
                case MAP -> {
                    Map<?, ?> map = (Map<?, ?>) value;
                    out.varint(map.size());
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        write(out, schema.keySchema(), e.getKey());
                        write(out, schema.valueSchema(), e.getValue());
                    }
                }
                case STRUCT -> {
                    Struct struct = (Struct) value;
                    for (Field f : schema.fields()) {
                        write(out, f.schema(), struct.get(f));
                    }
                }
            }
        } catch (ClassCastException e) {
            throw new DataException(value.getClass().getName() + " is not a value of " + describe(schema), e);
        }
    }

    private static void bytes(ByteSink out, Object value) {
        if (value instanceof byte[] b) {
            out.varint(b.length);
            out.write(b);
        } else {
            ByteBuffer bb = ((ByteBuffer) value).duplicate();
            out.varint(bb.remaining());
            if (bb.hasArray()) {
                out.write(bb.array(), bb.arrayOffset() + bb.position(), bb.remaining());
            } else {
                byte[] b = new byte[bb.remaining()];
                bb.get(b);
                out.write(b);
            }
        }
    }

    /** One value read alone (a schema's default); records are read by the plan the converter caches per schema. */
    static Object read(ByteSource in, Schema schema) {
        return ReadPlan.of(schema).read(in);
    }

    static String describe(Schema schema) {
        return schema.type() + (schema.name() != null ? " " + schema.name() : "");
    }
}
