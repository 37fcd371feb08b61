package io.ferry.converter;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to read the values of one schema (the layout {@link Values#write} writes), worked out once per schema instead
 * of once per record: the type, the logical type and a decimal's scale are decided here, so reading a record is a
 * switch per value. Built when a schema is first read and cached with it; not thread-safe (the converter reads under
 * its own lock), because strings remember the last value they read.
 */
final class ReadPlan {

    private static final int INT8 = 0, INT16 = 1, INT32 = 2, INT64 = 3, FLOAT32 = 4, FLOAT64 = 5, BOOLEAN = 6,
            STRING = 7, BYTES = 8, ARRAY = 9, MAP = 10, STRUCT = 11, DECIMAL = 12, DATE = 13, TIME = 14,
            TIMESTAMP = 15, DECIMAL_UNPARSED = 16;

    /**
     * A string no longer than this is compared with the one read before it at the same place. The envelope repeats the
     * same few short strings in every record (connector, version, server, database, table, binlog file, snapshot
     * marker); handing out the same String spares an allocation and a decode each time. Longer strings are data.
     */
    private static final int REUSE_MAX_BYTES = 48;
    /**
     * After this many strings at one place, reuse stops there for good if fewer than half of them repeated the one
     * before (a column of data, not of the envelope); otherwise it stays.
     */
    private static final int REUSE_TRIAL = 256;

    private final Node root;

    private ReadPlan(Node root) {
        this.root = root;
    }

    static ReadPlan of(Schema schema) {
        return new ReadPlan(node(schema));
    }

    Object read(ByteSource in) {
        return read(in, root);
    }

    /** One schema in the tree, with what reading its values needs. */
    private static final class Node {
        final Schema schema;
        final boolean optional;
        final int kind;
        final int scale;
        final Node[] fields;
        final Node key;
        /** An array's element or a map's value, as Connect's valueSchema() names both. */
        final Node value;
        // strings only: the last one read here, while reuse pays
        boolean reuse;
        byte[] lastBytes;
        String lastString;
        int seen;
        int repeats;

        Node(Schema schema, int kind, int scale, Node[] fields, Node key, Node value) {
            this.schema = schema;
            this.optional = schema.isOptional();
            this.kind = kind;
            this.scale = scale;
            this.fields = fields;
            this.key = key;
            this.value = value;
            this.reuse = kind == STRING;
        }
    }

    private static Node node(Schema schema) {
        return switch (schema.type()) {
            case INT8 -> leaf(schema, INT8);
            case INT16 -> leaf(schema, INT16);
            case INT32 -> leaf(schema, logical(schema, Date.LOGICAL_NAME) ? DATE
                    : logical(schema, Time.LOGICAL_NAME) ? TIME : INT32);
            case INT64 -> leaf(schema, logical(schema, Timestamp.LOGICAL_NAME) ? TIMESTAMP : INT64);
            case FLOAT32 -> leaf(schema, FLOAT32);
            case FLOAT64 -> leaf(schema, FLOAT64);
            case BOOLEAN -> leaf(schema, BOOLEAN);
            case STRING -> leaf(schema, STRING);
            case BYTES -> logical(schema, Decimal.LOGICAL_NAME) ? decimal(schema) : leaf(schema, BYTES);
            case ARRAY -> new Node(schema, ARRAY, 0, null, null, node(schema.valueSchema()));
            case MAP -> new Node(schema, MAP, 0, null, node(schema.keySchema()), node(schema.valueSchema()));
            case STRUCT -> {
                List<Field> fields = schema.fields();
                Node[] nodes = new Node[fields.size()];
                for (int i = 0; i < nodes.length; i++) {
                    nodes[i] = node(fields.get(i).schema());
                }
                yield new Node(schema, STRUCT, 0, nodes, null, null);
            }
        };
    }

    private static Node leaf(Schema schema, int kind) {
        return new Node(schema, kind, 0, null, null, null);
    }

    private static boolean logical(Schema schema, String name) {
        return name.equals(schema.name());
    }

    private static Node decimal(Schema schema) {
        Integer scale = Values.decimalScale(schema);
        return scale == null ? leaf(schema, DECIMAL_UNPARSED) : new Node(schema, DECIMAL, scale, null, null, null);
    }

    private static Object read(ByteSource in, Node node) {
        if (node.optional && in.read() == 0) {
            return null;
        }
        return switch (node.kind) {
            case INT8 -> (byte) in.read();
            case INT16 -> in.fixed16();
            case INT32 -> in.zigzag32();
            case INT64 -> in.zigzag64();
            case FLOAT32 -> Float.intBitsToFloat(in.fixed32());
            case FLOAT64 -> Double.longBitsToDouble(in.fixed64());
            case BOOLEAN -> in.read() != 0;
            case STRING -> string(in, node);
            case BYTES -> in.bytes(in.varint());
            case DECIMAL -> decimal(in, node.scale);
            case DECIMAL_UNPARSED -> Decimal.toLogical(node.schema, in.bytes(in.varint()));
            case DATE -> Date.toLogical(node.schema, in.zigzag32());
            case TIME -> Time.toLogical(node.schema, in.zigzag32());
            case TIMESTAMP -> Timestamp.toLogical(node.schema, in.zigzag64());
            case ARRAY -> {
                int n = in.varint();
                List<Object> items = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    items.add(read(in, node.value));
                }
                yield items;
            }
            case MAP -> {
                int n = in.varint();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(read(in, node.key), read(in, node.value));
                }
                yield map;
            }
            case STRUCT -> struct(in, node);
            default -> throw new IllegalStateException("no reader for kind " + node.kind);
        };
    }

    private static Struct struct(ByteSource in, Node node) {
        Struct struct = new Struct(node.schema);
        Node[] fields = node.fields;
        Object[] slots = STRUCT_VALUES == null ? null : (Object[]) STRUCT_VALUES.get(struct);
        if (slots != null) {
            for (int i = 0; i < fields.length; i++) {
                slots[i] = read(in, fields[i]);
            }
        } else {
            List<Field> declared = node.schema.fields();
            for (int i = 0; i < fields.length; i++) {
                struct.put(declared.get(i), read(in, fields[i]));
            }
        }
        return struct;
    }

    private static String string(ByteSource in, Node node) {
        int n = in.varint();
        in.need(n);
        byte[] buf = in.buf;
        int from = in.pos;
        in.pos += n;
        if (!node.reuse) {
            return new String(buf, from, n, StandardCharsets.UTF_8);
        }
        byte[] last = node.lastBytes;
        String s = last != null && last.length == n && Arrays.equals(last, 0, n, buf, from, from + n)
                ? node.lastString : null;
        if (node.seen < REUSE_TRIAL) {
            node.seen++;
            node.repeats += s != null ? 1 : 0;
            if (node.seen == REUSE_TRIAL && node.repeats < REUSE_TRIAL / 2) {
                node.reuse = false;
                node.lastBytes = null;
                node.lastString = null;
            }
        }
        if (s == null) {
            s = new String(buf, from, n, StandardCharsets.UTF_8);
            if (node.reuse && n <= REUSE_MAX_BYTES) {
                node.lastBytes = Arrays.copyOfRange(buf, from, from + n);
                node.lastString = s;
            }
        }
        return s;
    }

    /**
     * Kafka's Decimal is a big-endian two's-complement unscaled value; up to eight bytes it fits a long, and
     * BigDecimal.valueOf makes the same value (equal, same scale) without the BigInteger Kafka's own reader builds.
     */
    private static BigDecimal decimal(ByteSource in, int scale) {
        int n = in.varint();
        if (n == 0 || n > 8) {
            return new BigDecimal(new java.math.BigInteger(in.bytes(n)), scale);
        }
        in.need(n);
        byte[] buf = in.buf;
        int p = in.pos;
        long v = buf[p]; // sign-extended
        for (int i = 1; i < n; i++) {
            v = (v << 8) | (buf[p + i] & 0xFF);
        }
        in.pos += n;
        return BigDecimal.valueOf(v, scale);
    }

    /**
     * The struct's value array, to fill without Struct.put's per-field validation: every value here was decoded by
     * its own field schema, so it is of the right type by construction, and validating it again was a third of the
     * decode time. Null when the runtime's Struct does not have the field (then put() is used).
     */
    private static final VarHandle STRUCT_VALUES = structValues();

    static boolean fillsStructsDirectly() {
        return STRUCT_VALUES != null;
    }

    private static VarHandle structValues() {
        try {
            return MethodHandles.privateLookupIn(Struct.class, MethodHandles.lookup())
                    .findVarHandle(Struct.class, "values", Object[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
