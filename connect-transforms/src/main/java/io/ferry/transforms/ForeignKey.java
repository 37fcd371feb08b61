package io.ferry.transforms;

import io.ferry.keys.NaturalKeyUuid;
import io.ferry.transforms.util.Schemaless;
import io.ferry.transforms.util.UuidColumn;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.util.List;
import java.util.Map;

/**
 * Turns a relationship that lived only in joins into a real foreign-key column: the parent's {@link SurrogateKey}
 * id, computed from the child's own columns that hold the parent's natural key. No lookup, so it is right whatever
 * order the parent's and the child's topics deliver rows in. NULL when any of those columns is NULL.
 */
public class ForeignKey<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String OVERVIEW_DOC = "Adds a foreign-key column holding the parent's Ferry surrogate id, "
            + "computed from the child's columns that carry the parent's natural key, to before/after or the flat row.";

    public interface ConfigName {
        String FIELD = "field";
        String FIELDS = "fields";
        String PARENT_TABLE = "parent.table";
    }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ConfigName.FIELD, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.HIGH, "Name of the new foreign-key column, e.g. film_id_ref.")
            .define(ConfigName.FIELDS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "The child's columns holding the parent's natural key, in the order of the parent's "
                            + "natural.key.fields (or primary key).")
            .define(ConfigName.PARENT_TABLE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                    "The parent table, as its SurrogateKey names it (its source table name by default).");

    private static final String PURPOSE = "Ferry ForeignKey";

    private UuidColumn column;
    private List<String> fields;
    private String parent;

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        fields = config.getList(ConfigName.FIELDS);
        if (fields.isEmpty() || fields.stream().anyMatch(String::isBlank)) {
            throw new ConfigException(ConfigName.FIELDS, fields, "name at least one column, none blank");
        }
        parent = config.getString(ConfigName.PARENT_TABLE);
        column = new UuidColumn(config.getString(ConfigName.FIELD), fields, true);
    }

    @Override
    public R apply(R record) {
        if (record.value() == null) {
            return record;
        }
        if (record.valueSchema() == null) {
            if (!(record.value() instanceof Map<?, ?> value)) {
                throw new DataException(PURPOSE + ": a schemaless value must be a Map");
            }
            var ns = NaturalKeyUuid.namespace(parent);
            Object newValue;
            if (Schemaless.isEnvelope(value)) {
                Map<String, Object> env = Schemaless.with(value, "op", value.get("op"));
                for (String image : List.of("before", "after")) {
                    Map<?, ?> row = (Map<?, ?>) value.get(image);
                    env.put(image, row == null ? null
                            : Schemaless.with(row, column.column(), Schemaless.idOf(row, fields, ns, true, PURPOSE)));
                }
                newValue = env;
            } else {
                newValue = Schemaless.with(value, column.column(), Schemaless.idOf(value, fields, ns, true, PURPOSE));
            }
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), null,
                    newValue, record.timestamp(), record.headers());
        }
        if (!(record.value() instanceof Struct value)) {
            throw new DataException(PURPOSE + ": a record value with a schema must be a Struct");
        }
        Object newValue = column.addTo(record.valueSchema(), value, image -> column.idOf(image, parent, PURPOSE));
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                column.schemaFor(record.valueSchema()), newValue, record.timestamp(), record.headers());
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
