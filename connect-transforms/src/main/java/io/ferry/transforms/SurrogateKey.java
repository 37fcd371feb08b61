package io.ferry.transforms;

import io.ferry.keys.NaturalKeyUuid;
import io.ferry.transforms.util.RowImages;
import io.ferry.transforms.util.Schemaless;
import io.ferry.transforms.util.Tables;
import io.ferry.transforms.util.UuidColumn;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Gives a table a one-column primary key: a name-based UUID of its natural (usually composite) key. The column is
 * added to the row images and the record key becomes that column alone, so key, before and after stay consistent.
 * One transform for key and value together (no Key/Value variants): the key is derived from the value and must
 * change with it. Scope it to tables with a predicate (TopicNameMatches).
 */
public class SurrogateKey<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String OVERVIEW_DOC = "Adds a deterministic UUID key column computed from the natural-key "
            + "columns (RFC 4122 v5, Ferry's documented encoding) to before/after or the flat row, and makes it the "
            + "record key. The same natural key gives the same id in snapshot and CDC, on every worker.";

    public interface ConfigName {
        String FIELD = "field";
        String NATURAL_KEY_FIELDS = "natural.key.fields";
        String TABLE = "table";
    }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ConfigName.FIELD, ConfigDef.Type.STRING, "id", new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.HIGH, "Name of the new key column.")
            .define(ConfigName.NATURAL_KEY_FIELDS, ConfigDef.Type.LIST, List.of(), ConfigDef.Importance.HIGH,
                    "Columns whose values identify the row, in order. Empty: the record key's columns (the source "
                            + "primary key), which is what keeps key changes right: Debezium sends those as delete + create.")
            .define(ConfigName.TABLE, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM,
                    "Table name for the id namespace. Empty: the envelope's source.table, else the topic's last part. "
                            + "Foreign keys that reference this table must name the same table.");

    private static final String PURPOSE = "Ferry SurrogateKey";

    private UuidColumn column;
    private List<String> declaredFields;
    private String table;
    /** Without declared fields, one column per key layout (one transform instance serves many tables). */
    private final Map<List<String>, UuidColumn> byKeyFields = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        declaredFields = config.getList(ConfigName.NATURAL_KEY_FIELDS);
        if (declaredFields.stream().anyMatch(String::isBlank)) {
            throw new ConfigException(ConfigName.NATURAL_KEY_FIELDS, declaredFields, "column names must not be blank");
        }
        table = config.getString(ConfigName.TABLE);
        column = new UuidColumn(config.getString(ConfigName.FIELD), declaredFields, false);
    }

    @Override
    public R apply(R record) {
        String tableName = table.isEmpty() ? Tables.of(record) : table;
        if (record.value() == null) {
            return tombstone(record, tableName);
        }
        if (record.valueSchema() == null) {
            return schemaless(record, tableName);
        }
        if (!(record.value() instanceof Struct value)) {
            throw new DataException(PURPOSE + ": a record value with a schema must be a Struct, got "
                    + record.value().getClass().getSimpleName());
        }
        UuidColumn col = columnFor(record);
        String id;
        if (RowImages.isEnvelope(value.schema())) {
            Struct before = value.getStruct("before");
            Struct after = value.getStruct("after");
            id = col.idOf(RowImages.identifyingImage(value), tableName, PURPOSE);
            if (before != null && after != null && !Objects.equals(id, col.idOf(before, tableName, PURPOSE))) {
                throw new DataException(PURPOSE + ": the natural key of a row of " + tableName + " changed in an "
                        + "update (topic " + record.topic() + "); declare the source primary key as natural.key.fields, "
                        + "whose changes Debezium sends as delete + create");
            }
        } else {
            id = col.idOf(value, tableName, PURPOSE);
        }
        Object newValue = col.addTo(record.valueSchema(), value, image -> col.idOf(image, tableName, PURPOSE));
        Schema keySchema = keySchema(record.keySchema(), col);
        return record.newRecord(record.topic(), record.kafkaPartition(), keySchema, new Struct(keySchema).put(col.column(), id),
                col.schemaFor(record.valueSchema()), newValue, record.timestamp(), record.headers());
    }

    /** With no declared fields the natural key is the record key's columns; resolved per record (once per key schema). */
    private UuidColumn columnFor(R record) {
        if (!declaredFields.isEmpty()) {
            return column;
        }
        if (!(record.key() instanceof Struct key)) {
            throw new DataException(PURPOSE + ": record on " + record.topic() + " has no struct key; declare "
                    + ConfigName.NATURAL_KEY_FIELDS);
        }
        List<String> keyFields = key.schema().fields().stream().map(Field::name).toList();
        return byKeyFields.computeIfAbsent(keyFields, f -> new UuidColumn(column.column(), f, false));
    }

    private R tombstone(R record, String tableName) {
        if (!(record.key() instanceof Struct key)) {
            return record;
        }
        UuidColumn col = columnFor(record);
        String id = col.idOf(key, tableName, PURPOSE);
        Schema keySchema = keySchema(record.keySchema(), col);
        return record.newRecord(record.topic(), record.kafkaPartition(), keySchema, new Struct(keySchema).put(col.column(), id),
                record.valueSchema(), null, record.timestamp(), record.headers());
    }

    private R schemaless(R record, String tableName) {
        if (!(record.value() instanceof Map<?, ?> value)) {
            throw new DataException(PURPOSE + ": a schemaless value must be a Map, got "
                    + record.value().getClass().getSimpleName());
        }
        if (declaredFields.isEmpty()) {
            throw new DataException(PURPOSE + ": schemaless records need " + ConfigName.NATURAL_KEY_FIELDS);
        }
        var ns = NaturalKeyUuid.namespace(tableName);
        Object newValue;
        String id;
        if (Schemaless.isEnvelope(value)) {
            Map<?, ?> before = (Map<?, ?>) value.get("before");
            Map<?, ?> after = (Map<?, ?>) value.get("after");
            Map<?, ?> image = after != null ? after : before;
            id = Schemaless.idOf(image, declaredFields, ns, false, PURPOSE);
            Map<String, Object> env = Schemaless.with(value, "before",
                    before == null ? null : Schemaless.with(before, column.column(), Schemaless.idOf(before, declaredFields, ns, false, PURPOSE)));
            env.put("after", after == null ? null : Schemaless.with(after, column.column(), Schemaless.idOf(after, declaredFields, ns, false, PURPOSE)));
            newValue = env;
        } else {
            id = Schemaless.idOf(value, declaredFields, ns, false, PURPOSE);
            newValue = Schemaless.with(value, column.column(), id);
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), null, Map.of(column.column(), id), null, newValue,
                record.timestamp(), record.headers());
    }

    private static Schema keySchema(Schema original, UuidColumn col) {
        return SchemaBuilder.struct().name(original != null ? original.name() : null)
                .field(col.column(), col.columnSchema()).build();
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
        byKeyFields.clear();
    }
}
