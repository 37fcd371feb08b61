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
import java.util.List;
import java.util.Map;

/**
 * How to write the values of one schema (the layout {@link Values} describes), worked out once per schema instead of
 * once per value, as {@link ReadPlan} does for reading: the type, the logical type and a decimal's scale (parsed from
 * the schema's parameters) are decided here, so writing a record is a switch per value. Encoding was 60% of the source
 * task thread in a Debezium snapshot (a JFR profile of {@code ferry bench --only end-to-end}, 2026-12-06); deciding
 * once took about a tenth off that thread's CPU. The plan is cached with the schema's header bytes; it keeps no state
 * between records.
 */
final class WritePlan {

    private static final int INT8 = 0, INT16 = 1, INT32 = 2, INT64 = 3, FLOAT32 = 4, FLOAT64 = 5, BOOLEAN = 6,
            STRING = 7, BYTES = 8, ARRAY = 9, MAP = 10, STRUCT = 11, DECIMAL = 12, DATE = 13, TIME = 14,
            TIMESTAMP = 15, DECIMAL_UNPARSED = 16, LOGICAL_MISMATCH = 17;

    private final Node root;

    private WritePlan(Node root) {
        this.root = root;
    }

    static WritePlan of(Schema schema) {
        return new WritePlan(node(schema));
    }

    void write(ByteSink out, Object value) {
        write(out, root, value);
    }

    /** One schema in the tree, with what writing its values needs. */
    private static final class Node {
        final Schema schema;
        final boolean optional;
        final Object defaultValue;
        final int kind;
        final int scale;
        final Field[] fields;
        final Node[] children;
        final Node key;
        /** An array's element or a map's value, as Connect's valueSchema() names both. */
        final Node value;

        Node(Schema schema, int kind, int scale, Field[] fields, Node[] children, Node key, Node value) {
            this.schema = schema;
            this.optional = schema.isOptional();
            this.defaultValue = schema.defaultValue();
            this.kind = kind;
            this.scale = scale;
            this.fields = fields;
            this.children = children;
            this.key = key;
            this.value = value;
        }
    }

    private static Node node(Schema schema) {
        String name = schema.name();
        Schema.Type type = schema.type();
        // Kafka's logical types by name, as JsonConverter decides them; on another physical type than their own the
        // converted value cannot be written, which every value of that schema is told
        if (Decimal.LOGICAL_NAME.equals(name)) {
            return type == Schema.Type.BYTES ? decimal(schema) : leaf(schema, LOGICAL_MISMATCH);
        }
        if (Date.LOGICAL_NAME.equals(name) || Time.LOGICAL_NAME.equals(name)) {
            return leaf(schema, type != Schema.Type.INT32 ? LOGICAL_MISMATCH : Date.LOGICAL_NAME.equals(name) ? DATE : TIME);
        }
        if (Timestamp.LOGICAL_NAME.equals(name)) {
            return leaf(schema, type == Schema.Type.INT64 ? TIMESTAMP : LOGICAL_MISMATCH);
        }
        return switch (type) {
            case INT8 -> leaf(schema, INT8);
            case INT16 -> leaf(schema, INT16);
            case INT32 -> leaf(schema, INT32);
            case INT64 -> leaf(schema, INT64);
            case FLOAT32 -> leaf(schema, FLOAT32);
            case FLOAT64 -> leaf(schema, FLOAT64);
            case BOOLEAN -> leaf(schema, BOOLEAN);
            case STRING -> leaf(schema, STRING);
            case BYTES -> leaf(schema, BYTES);
            case ARRAY -> new Node(schema, ARRAY, 0, null, null, null, node(schema.valueSchema()));
            case MAP -> new Node(schema, MAP, 0, null, null, node(schema.keySchema()), node(schema.valueSchema()));
            case STRUCT -> {
                List<Field> declared = schema.fields();
                Field[] fields = declared.toArray(new Field[0]);
                Node[] children = new Node[fields.length];
                for (int i = 0; i < fields.length; i++) {
                    children[i] = node(fields[i].schema());
                }
                yield new Node(schema, STRUCT, 0, fields, children, null, null);
            }
        };
    }

    private static Node leaf(Schema schema, int kind) {
        return new Node(schema, kind, 0, null, null, null, null);
    }

    private static Node decimal(Schema schema) {
        Integer scale = Values.decimalScale(schema);
        return scale == null ? leaf(schema, DECIMAL_UNPARSED) : new Node(schema, DECIMAL, scale, null, null, null, null);
    }

    private static void write(ByteSink out, Node node, Object value) {
        if (node.optional) {
            if (value == null) {
                out.write(0);
                return;
            }
            out.write(1);
        } else if (value == null) {
            if (node.defaultValue == null) {
                throw new DataException("null value for required " + Values.describe(node.schema));
            }
            value = node.defaultValue;
        }
        try {
            switch (node.kind) {
                case INT8 -> out.write((Byte) value);
                case INT16 -> out.fixed16((Short) value);
                case INT32 -> out.zigzag((int) (Integer) value);
                case INT64 -> out.zigzag((long) (Long) value);
                case FLOAT32 -> out.fixed32(Float.floatToIntBits((Float) value));
                case FLOAT64 -> out.fixed64(Double.doubleToLongBits((Double) value));
                case BOOLEAN -> out.write(((Boolean) value) ? 1 : 0);
                case STRING -> out.string((String) value);
                case BYTES -> bytes(out, value);
                case DECIMAL -> decimal(out, node, (BigDecimal) value);
                case DECIMAL_UNPARSED -> bytes(out, Decimal.fromLogical(node.schema, (BigDecimal) value));
                case DATE -> out.zigzag(Date.fromLogical(node.schema, (java.util.Date) value));
                case TIME -> out.zigzag(Time.fromLogical(node.schema, (java.util.Date) value));
                case TIMESTAMP -> out.zigzag(Timestamp.fromLogical(node.schema, (java.util.Date) value));
                case ARRAY -> {
                    Collection<?> items = (Collection<?>) value;
                    out.varint(items.size());
                    for (Object item : items) {
                        write(out, node.value, item);
                    }
                }
                case MAP -> {
                    Map<?, ?> map = (Map<?, ?>) value;
                    out.varint(map.size());
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        write(out, node.key, e.getKey());
                        write(out, node.value, e.getValue());
                    }
                }
                case STRUCT -> {
                    Struct struct = (Struct) value;
                    Field[] fields = node.fields;
                    Node[] children = node.children;
                    for (int i = 0; i < fields.length; i++) {
                        write(out, children[i], struct.get(fields[i]));
                    }
                }
                case LOGICAL_MISMATCH -> throw new DataException("logical type " + node.schema.name()
                        + " on physical type " + node.schema.type() + " cannot be written");
                default -> throw new IllegalStateException("no writer for kind " + node.kind);
            }
        } catch (ClassCastException e) {
            throw new DataException(value.getClass().getName() + " is not a value of " + Values.describe(node.schema), e);
        }
    }

    /**
     * Kafka's Decimal form: the unscaled value as big-endian two's complement in as few bytes as hold it with its sign
     * (BigInteger.toByteArray), after the same scale check as Decimal.fromLogical.
     */
    private static void decimal(ByteSink out, Node node, BigDecimal value) {
        if (value.scale() != node.scale) {
            throw new DataException("BigDecimal has mismatching scale value for given Decimal schema");
        }
        byte[] b = value.unscaledValue().toByteArray();
        out.varint(b.length);
        out.write(b);
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
}
