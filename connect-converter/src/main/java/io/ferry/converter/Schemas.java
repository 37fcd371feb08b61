package io.ferry.converter;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.errors.DataException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Connect schema in bytes: type, flags (optional, has default), name, version, doc, parameters, then the
 * type's parts (fields, element, key and value schemas), then the default value in the value format.
 * <p>
 * Format 2 writes the same tree more compactly, because a Debezium schema repeats itself: every column carries the
 * same {@code __debezium.source.column.*} parameter keys, and the row schema comes twice (before, after). So each
 * distinct string is written once and afterwards as its number, and a struct equal to one written before is written
 * as that struct's number. A change event of the bench's table carries its schema in 1,177 bytes instead of 3,352
 * (the whole record: 1,473 instead of 3,648). Format 1 (plain strings, no repeats) is still read, and written when
 * asked.
 */
final class Schemas {

    private static final Schema.Type[] TYPES = Schema.Type.values();
    private static final int OPTIONAL = 1;
    private static final int HAS_DEFAULT = 2;
    /** Format 2, in place of a type: a struct written before, by its number (structs are numbered as they end). */
    private static final int STRUCT_SEEN = 0x7F;

    private Schemas() {
    }

    static void write(ByteSink out, Schema schema, int format) {
        new Writer(out, format == 2).schema(schema);
    }

    static Schema read(ByteSource in, int format) {
        return new Reader(in, format == 2).schema();
    }

    /** One schema's writing; in format 2 it remembers the strings and structs written so far. */
    private static final class Writer {
        private final ByteSink out;
        private final boolean compact;
        private final Map<String, Integer> strings = new HashMap<>();
        private final Map<Schema, Integer> structs = new HashMap<>();

        Writer(ByteSink out, boolean compact) {
            this.out = out;
            this.compact = compact;
        }

        void schema(Schema schema) {
            if (compact && schema.type() == Schema.Type.STRUCT) {
                Integer seen = structs.get(schema);
                if (seen != null) {
                    out.write(STRUCT_SEEN);
                    out.varint(seen);
                    return;
                }
            }
            out.write(schema.type().ordinal());
            out.write((schema.isOptional() ? OPTIONAL : 0) | (schema.defaultValue() != null ? HAS_DEFAULT : 0));
            nullableString(schema.name());
            out.zigzag(schema.version() == null ? -1 : schema.version());
            nullableString(schema.doc());
            Map<String, String> params = schema.parameters() == null ? Map.of() : new TreeMap<>(schema.parameters());
            out.varint(params.size());
            params.forEach((k, v) -> {
                string(k);
                nullableString(v);
            });
            switch (schema.type()) {
                case STRUCT -> {
                    out.varint(schema.fields().size());
                    for (Field f : schema.fields()) {
                        string(f.name());
                        schema(f.schema());
                    }
                }
                case ARRAY -> schema(schema.valueSchema());
                case MAP -> {
                    schema(schema.keySchema());
                    schema(schema.valueSchema());
                }
                default -> { }
            }
            if (schema.defaultValue() != null) {
                Values.write(out, schema, schema.defaultValue());
            }
            if (compact && schema.type() == Schema.Type.STRUCT) {
                structs.putIfAbsent(schema, structs.size());
            }
        }

        private void string(String s) {
            if (compact) {
                nullableString(s);
            } else {
                out.string(s);
            }
        }

        /** Format 2: 0 null, 1 a new string follows (length, UTF-8), n >= 2 the string numbered n - 2. */
        private void nullableString(String s) {
            if (!compact) {
                out.nullableString(s);
            } else if (s == null) {
                out.varint(0);
            } else {
                Integer seen = strings.get(s);
                if (seen != null) {
                    out.varint(seen + 2);
                } else {
                    strings.put(s, strings.size());
                    out.varint(1);
                    out.string(s);
                }
            }
        }
    }

    /** One schema's reading, the mirror of {@link Writer}. */
    private static final class Reader {
        private final ByteSource in;
        private final boolean compact;
        private final List<String> strings = new ArrayList<>();
        private final List<Schema> structs = new ArrayList<>();

        Reader(ByteSource in, boolean compact) {
            this.in = in;
            this.compact = compact;
        }

        Schema schema() {
            int t = in.read();
            if (compact && t == STRUCT_SEEN) {
                int n = in.varint();
                if (n >= structs.size()) {
                    throw new DataException("struct " + n + " referred to before it was written, at byte " + in.pos);
                }
                return structs.get(n);
            }
            if (t >= TYPES.length) {
                throw new DataException("unknown schema type " + t + " at byte " + (in.pos - 1));
            }
            Schema schema = body(TYPES[t]);
            if (compact && schema.type() == Schema.Type.STRUCT) {
                structs.add(schema);
            }
            return schema;
        }

        private Schema body(Schema.Type type) {
            int flags = in.read();
            SchemaBuilder b = new SchemaBuilder(type);
            String name = nullableString();
            if (name != null) {
                b.name(name);
            }
            int version = in.zigzag32();
            if (version >= 0) {
                b.version(version);
            }
            String doc = nullableString();
            if (doc != null) {
                b.doc(doc);
            }
            int params = in.varint();
            for (int i = 0; i < params; i++) {
                b.parameter(string(), nullableString());
            }
            SchemaBuilder typed = switch (type) {
                case STRUCT -> {
                    int n = in.varint();
                    for (int i = 0; i < n; i++) {
                        b.field(string(), schema());
                    }
                    yield b;
                }
                case ARRAY -> copyHeader(b, SchemaBuilder.array(schema()));
                case MAP -> {
                    Schema key = schema();
                    yield copyHeader(b, SchemaBuilder.map(key, schema()));
                }
                default -> b;
            };
            if ((flags & OPTIONAL) != 0) {
                typed.optional();
            }
            if ((flags & HAS_DEFAULT) != 0) {
                // laid out by the schema itself; reading needs it built once without the default
                typed.defaultValue(Values.read(in, typed.build()));
            }
            return typed.build();
        }

        private String string() {
            if (!compact) {
                return in.string();
            }
            String s = nullableString();
            if (s == null) {
                throw new DataException("a name is missing at byte " + in.pos);
            }
            return s;
        }

        private String nullableString() {
            if (!compact) {
                return in.nullableString();
            }
            int n = in.varint();
            if (n == 0) {
                return null;
            }
            if (n == 1) {
                String s = in.string();
                strings.add(s);
                return s;
            }
            if (n - 2 >= strings.size()) {
                throw new DataException("string " + (n - 2) + " referred to before it was written, at byte " + in.pos);
            }
            return strings.get(n - 2);
        }
    }

    private static SchemaBuilder copyHeader(SchemaBuilder from, SchemaBuilder to) {
        if (from.name() != null) {
            to.name(from.name());
        }
        if (from.version() != null) {
            to.version(from.version());
        }
        if (from.doc() != null) {
            to.doc(from.doc());
        }
        if (from.parameters() != null) {
            to.parameters(from.parameters());
        }
        return to;
    }
}
