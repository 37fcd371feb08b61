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
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
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

    static Object read(ByteSource in, Schema schema) {
        if (schema.isOptional() && in.read() == 0) {
            return null;
        }
        Object value = switch (schema.type()) {
            case INT8 -> (byte) in.read();
            case INT16 -> in.fixed16();
            case INT32 -> in.zigzag32();
            case INT64 -> in.zigzag64();
            case FLOAT32 -> Float.intBitsToFloat(in.fixed32());
            case FLOAT64 -> Double.longBitsToDouble(in.fixed64());
            case BOOLEAN -> in.read() != 0;
            case STRING -> in.string();
            case BYTES -> in.bytes(in.varint());
            case ARRAY -> {
                int n = in.varint();
                List<Object> items = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    items.add(read(in, schema.valueSchema()));
                }
                yield items;
            }
            case MAP -> {
                int n = in.varint();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(read(in, schema.keySchema()), read(in, schema.valueSchema()));
                }
                yield map;
            }
            case STRUCT -> {
                Struct struct = new Struct(schema);
                Object[] slots = slots(struct);
                for (Field f : schema.fields()) {
                    Object v = read(in, f.schema());
                    if (slots != null) {
                        slots[f.index()] = v;
                    } else {
                        struct.put(f, v);
                    }
                }
                yield struct;
            }
        };
        String logical = schema.name();
        if (logical == null) {
            return value;
        }
        return switch (logical) {
            case Decimal.LOGICAL_NAME -> Decimal.toLogical(schema, (byte[]) value);
            case Date.LOGICAL_NAME -> Date.toLogical(schema, (Integer) value);
            case Time.LOGICAL_NAME -> Time.toLogical(schema, (Integer) value);
            case Timestamp.LOGICAL_NAME -> Timestamp.toLogical(schema, (Long) value);
            default -> value;
        };
    }

    /**
     * The struct's value array, to fill without Struct.put's per-field validation: every value here was decoded by
     * its own field schema, so it is of the right type by construction, and validating it again was a third of the
     * decode time. Null when the runtime's Struct does not have the field (then put() is used).
     */
    private static Object[] slots(Struct struct) {
        return STRUCT_VALUES == null ? null : (Object[]) STRUCT_VALUES.get(struct);
    }

    private static final java.lang.invoke.VarHandle STRUCT_VALUES = structValues();

    static boolean fillsStructsDirectly() {
        return STRUCT_VALUES != null;
    }

    private static java.lang.invoke.VarHandle structValues() {
        try {
            return java.lang.invoke.MethodHandles.privateLookupIn(Struct.class, java.lang.invoke.MethodHandles.lookup())
                    .findVarHandle(Struct.class, "values", Object[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static String describe(Schema schema) {
        return schema.type() + (schema.name() != null ? " " + schema.name() : "");
    }
}
