package io.ferry.transforms.util;

import io.ferry.keys.NaturalKeyUuid;
import org.apache.kafka.common.cache.Cache;
import org.apache.kafka.common.cache.LRUCache;
import org.apache.kafka.common.cache.SynchronizedCache;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * A column whose value is the {@link NaturalKeyUuid} of other columns of the same row, added to a record value of
 * either shape. The namespace is a table's: the row's own (surrogate key) or its parent's (foreign key).
 */
public final class UuidColumn {

    /** Debezium's semantic name for UUID strings: sinks create a uuid column for it. */
    public static final String UUID_SCHEMA_NAME = "io.debezium.data.Uuid";

    private final String column;
    private final List<String> sourceFields;
    private final boolean optional;
    private final Cache<Schema, Schema> schemas = new SynchronizedCache<>(new LRUCache<>(64));
    private final Map<String, UUID> namespaces = new HashMap<>();

    public UuidColumn(String column, List<String> sourceFields, boolean optional) {
        this.column = column;
        this.sourceFields = List.copyOf(sourceFields);
        this.optional = optional;
    }

    public String column() { return column; }

    public Schema columnSchema() {
        SchemaBuilder b = SchemaBuilder.string().name(UUID_SCHEMA_NAME).version(1);
        return optional ? b.optional().build() : b.build();
    }

    public UUID namespace(String table) {
        return namespaces.computeIfAbsent(table, NaturalKeyUuid::namespace);
    }

    /** The id of a row image (or key struct) under a table's namespace; null if a value is null and nulls are allowed. */
    public String idOf(Struct row, String table, String purpose) {
        List<Object> values = new ArrayList<>(sourceFields.size());
        List<Schema> valueSchemas = new ArrayList<>(sourceFields.size());
        for (String name : sourceFields) {
            Field f = row.schema().field(name);
            if (f == null) {
                throw new DataException(purpose + ": the row of table " + table + " has no column \"" + name
                        + "\" (columns: " + row.schema().fields().stream().map(Field::name).toList() + ")");
            }
            Object v = row.get(f);
            if (v == null) {
                if (optional) {
                    return null;
                }
                throw new DataException(purpose + ": natural-key column \"" + name + "\" of table " + table + " is null");
            }
            values.add(v);
            valueSchemas.add(f.schema());
        }
        return NaturalKeyUuid.of(namespace(table), values, valueSchemas).toString();
    }

    /** The value with the column added, computing each image's id with {@code id}. */
    public Object addTo(Schema valueSchema, Struct value, Function<Struct, String> id) {
        Schema updated = schemas.get(valueSchema);
        if (RowImages.isEnvelope(valueSchema)) {
            if (updated == null) {
                Schema row = RowImages.rowSchemaWith(valueSchema.field("after").schema(), column, columnSchema());
                updated = RowImages.envelopeSchemaWith(valueSchema, row);
                schemas.put(valueSchema, updated);
            }
            return RowImages.envelopeWith(value, updated, column, id::apply);
        }
        if (updated == null) {
            updated = RowImages.rowSchemaWith(valueSchema, column, columnSchema());
            schemas.put(valueSchema, updated);
        }
        return RowImages.rowWith(value, updated, column, id.apply(value));
    }

    public Schema schemaFor(Schema valueSchema) {
        return schemas.get(valueSchema);
    }
}
