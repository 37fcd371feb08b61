package io.ferry.converter;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.errors.DataException;

import java.util.Map;
import java.util.TreeMap;

/**
 * A Connect schema in bytes: type, flags (optional, has default), name, version, doc, parameters, then the
 * type's parts (fields, element, key and value schemas), then the default value in the value format.
 */
final class Schemas {

    private static final Schema.Type[] TYPES = Schema.Type.values();
    private static final int OPTIONAL = 1;
    private static final int HAS_DEFAULT = 2;

    private Schemas() {
    }

    static void write(ByteSink out, Schema schema) {
        out.write(schema.type().ordinal());
        out.write((schema.isOptional() ? OPTIONAL : 0) | (schema.defaultValue() != null ? HAS_DEFAULT : 0));
        out.nullableString(schema.name());
        out.zigzag(schema.version() == null ? -1 : schema.version());
        out.nullableString(schema.doc());
        Map<String, String> params = schema.parameters() == null ? Map.of() : new TreeMap<>(schema.parameters());
        out.varint(params.size());
        params.forEach((k, v) -> {
            out.string(k);
            out.nullableString(v);
        });
        switch (schema.type()) {
            case STRUCT -> {
                out.varint(schema.fields().size());
                for (Field f : schema.fields()) {
                    out.string(f.name());
                    write(out, f.schema());
                }
            }
            case ARRAY -> write(out, schema.valueSchema());
            case MAP -> {
                write(out, schema.keySchema());
                write(out, schema.valueSchema());
            }
            default -> { }
        }
        if (schema.defaultValue() != null) {
            Values.write(out, schema, schema.defaultValue());
        }
    }

    static Schema read(ByteSource in) {
        int t = in.read();
        if (t >= TYPES.length) {
            throw new DataException("unknown schema type " + t + " at byte " + (in.pos - 1));
        }
        Schema.Type type = TYPES[t];
        int flags = in.read();
        SchemaBuilder b = new SchemaBuilder(type);
        String name = in.nullableString();
        if (name != null) {
            b.name(name);
        }
        int version = in.zigzag32();
        if (version >= 0) {
            b.version(version);
        }
        String doc = in.nullableString();
        if (doc != null) {
            b.doc(doc);
        }
        int params = in.varint();
        for (int i = 0; i < params; i++) {
            b.parameter(in.string(), in.nullableString());
        }
        SchemaBuilder typed = switch (type) {
            case STRUCT -> {
                int n = in.varint();
                for (int i = 0; i < n; i++) {
                    b.field(in.string(), read(in));
                }
                yield b;
            }
            case ARRAY -> copyHeader(b, SchemaBuilder.array(read(in)));
            case MAP -> {
                Schema key = read(in);
                yield copyHeader(b, SchemaBuilder.map(key, read(in)));
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
