package io.ferry.transforms;

import io.ferry.transforms.util.RowImages;
import io.ferry.transforms.util.Schemaless;
import org.apache.kafka.common.cache.Cache;
import org.apache.kafka.common.cache.LRUCache;
import org.apache.kafka.common.cache.SynchronizedCache;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The record-shape work shared by {@link RenameColumns}, {@link DropColumns} and {@link CastColumns}: a per-column
 * rule applied to every image of a row at once, so key, {@code before} and {@code after} of a Debezium envelope
 * stay consistent (Kafka's ReplaceField and Cast see only the top level of a value). Flat rows, schemaless maps and
 * tombstones (key only) are handled the same way. Subclasses say what happens to one column, the same for key
 * columns and row columns: its new name (or none), and, when they change it, its schema and value.
 */
public abstract class ColumnTransform<R extends ConnectRecord<R>> implements Transformation<R> {

    private final Cache<Schema, Schema> schemas = new SynchronizedCache<>(new LRUCache<>(256));

    /** The column's new name, or null to leave it out. */
    protected String newName(String column) {
        return column;
    }

    protected Schema newSchema(String column, Schema schema) {
        return schema;
    }

    /** {@code schema} is null for schemaless records. */
    protected Object newValue(String column, Schema schema, Object value) {
        return value;
    }

    protected abstract String purpose();

    @Override
    public R apply(R record) {
        Object key = record.key();
        Schema keySchema = record.keySchema();
        if (key instanceof Struct k) {
            keySchema = rowSchema(k.schema(), true);
            key = row(k, keySchema);
        } else if (key instanceof Map<?, ?> m) {
            key = row(m, true);
        }
        Object value = record.value();
        Schema valueSchema = record.valueSchema();
        if (value instanceof Struct v) {
            if (RowImages.isEnvelope(v.schema())) {
                valueSchema = envelopeSchema(v.schema());
                value = envelope(v, valueSchema);
            } else {
                valueSchema = rowSchema(v.schema(), false);
                value = row(v, valueSchema);
            }
        } else if (value instanceof Map<?, ?> m) {
            if (Schemaless.isEnvelope(m)) {
                Map<String, Object> env = new LinkedHashMap<>();
                m.forEach((name, image) -> env.put(String.valueOf(name),
                        (name.equals("before") || name.equals("after")) && image instanceof Map<?, ?> row
                                ? row(row, false) : image));
                value = env;
            } else {
                value = row(m, false);
            }
        } else if (value != null) {
            throw new DataException(purpose() + ": a record value must be a Struct or a Map, got "
                    + value.getClass().getSimpleName() + " on " + record.topic());
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), keySchema, key, valueSchema, value,
                record.timestamp(), record.headers());
    }

    private Schema envelopeSchema(Schema envelope) {
        Schema cached = schemas.get(envelope);
        if (cached == null) {
            Schema row = rowSchema(envelope.field("after").schema(), false);
            cached = RowImages.envelopeSchemaWith(envelope, row);
            schemas.put(envelope, cached);
        }
        return cached;
    }

    private Struct envelope(Struct envelope, Schema newEnvelope) {
        Struct out = new Struct(newEnvelope);
        Schema newRow = newEnvelope.field("after").schema();
        for (Field f : envelope.schema().fields()) {
            Object v = envelope.get(f);
            if ((f.name().equals("before") || f.name().equals("after")) && v != null) {
                v = row((Struct) v, newRow);
            }
            out.put(f.name(), v);
        }
        return out;
    }

    private Schema rowSchema(Schema row, boolean isKey) {
        Schema cached = schemas.get(row);
        if (cached != null) {
            return cached;
        }
        SchemaBuilder b = SchemaBuilder.struct().name(row.name()).version(row.version()).doc(row.doc());
        if (row.isOptional()) {
            b.optional();
        }
        for (Field f : row.fields()) {
            String name = newName(f.name());
            if (name == null) {
                if (isKey) {
                    throw new DataException(purpose() + ": column \"" + f.name() + "\" is part of the record key; "
                            + "leaving it out would make rows indistinguishable");
                }
                continue;
            }
            if (b.field(name) != null) {
                throw new DataException(purpose() + ": two columns would be named \"" + name + "\"");
            }
            b.field(name, newSchema(f.name(), f.schema()));
        }
        Schema built = b.build();
        schemas.put(row, built);
        return built;
    }

    private Struct row(Struct row, Schema newSchema) {
        Struct out = new Struct(newSchema);
        for (Field f : row.schema().fields()) {
            String name = newName(f.name());
            if (name != null) {
                out.put(name, newValue(f.name(), f.schema(), row.get(f)));
            }
        }
        return out;
    }

    private Map<String, Object> row(Map<?, ?> row, boolean isKey) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> {
            String column = String.valueOf(k);
            String name = newName(column);
            if (name == null && isKey) {
                throw new DataException(purpose() + ": column \"" + column + "\" is part of the record key");
            }
            if (name != null) {
                out.put(name, newValue(column, null, v));
            }
        });
        return out;
    }

    @Override
    public void close() {
    }
}
