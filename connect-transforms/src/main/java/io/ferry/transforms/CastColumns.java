package io.ferry.transforms;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Casts columns to another Connect type in the key and every row image. A value that does not convert fails the
 * record with the column and value type named (errors.tolerance decides whether it goes to the dead-letter queue);
 * nothing is truncated or guessed silently. The new column schema carries no semantic name or source-type
 * parameters, so the sink types it by the cast type.
 */
public class CastColumns<R extends ConnectRecord<R>> extends ColumnTransform<R> {

    public static final String OVERVIEW_DOC = "Casts columns (int8, int16, int32, int64, float32, float64, boolean, "
            + "string) in the record key and both row images of a Debezium envelope (or the flat row).";

    public interface ConfigName {
        String CASTS = "casts";
    }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ConfigName.CASTS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "Comma-separated column:type pairs, type one of int8, int16, int32, int64, float32, float64, "
                            + "boolean, string; e.g. zip:string,is_active:boolean.");

    private static final Map<String, Schema.Type> TYPES = Map.of("int8", Schema.Type.INT8, "int16", Schema.Type.INT16,
            "int32", Schema.Type.INT32, "int64", Schema.Type.INT64, "float32", Schema.Type.FLOAT32,
            "float64", Schema.Type.FLOAT64, "boolean", Schema.Type.BOOLEAN, "string", Schema.Type.STRING);

    private Map<String, Schema.Type> casts;

    @Override
    public void configure(Map<String, ?> props) {
        List<String> pairs = new SimpleConfig(CONFIG_DEF, props).getList(ConfigName.CASTS);
        casts = new HashMap<>();
        for (String pair : pairs) {
            String[] p = pair.split(":", -1);
            Schema.Type type = p.length == 2 ? TYPES.get(p[1].trim().toLowerCase(Locale.ROOT)) : null;
            if (type == null || p[0].isBlank()) {
                throw new ConfigException(ConfigName.CASTS, pair, "expected column:type with type one of "
                        + TYPES.keySet().stream().sorted().toList());
            }
            casts.put(p[0].trim(), type);
        }
        if (casts.isEmpty()) {
            throw new ConfigException(ConfigName.CASTS, pairs, "name at least one column:type pair");
        }
    }

    @Override
    protected Schema newSchema(String column, Schema schema) {
        Schema.Type type = casts.get(column);
        if (type == null) {
            return schema;
        }
        SchemaBuilder b = new SchemaBuilder(type);
        return schema.isOptional() ? b.optional().build() : b.build();
    }

    @Override
    protected Object newValue(String column, Schema schema, Object value) {
        Schema.Type type = casts.get(column);
        if (type == null || value == null) {
            return value;
        }
        try {
            return cast(schema, value, type);
        } catch (DataException | ArithmeticException e) {
            throw new DataException(purpose() + ": column \"" + column + "\" value of type "
                    + value.getClass().getSimpleName() + " does not cast to " + type + ": " + e.getMessage(), e);
        }
    }

    private static Object cast(Schema schema, Object value, Schema.Type type) {
        if (value instanceof BigDecimal d && type != Schema.Type.STRING && type != Schema.Type.FLOAT32
                && type != Schema.Type.FLOAT64 && type != Schema.Type.BOOLEAN) {
            long exact = d.longValueExact(); // a fraction or an overflow is an error, not a truncation
            value = exact;
            schema = Schema.INT64_SCHEMA;
        }
        return switch (type) {
            case INT8 -> Values.convertToByte(schema, value);
            case INT16 -> Values.convertToShort(schema, value);
            case INT32 -> Values.convertToInteger(schema, value);
            case INT64 -> Values.convertToLong(schema, value);
            case FLOAT32 -> Values.convertToFloat(schema, value);
            case FLOAT64 -> Values.convertToDouble(schema, value);
            case BOOLEAN -> Values.convertToBoolean(schema, value);
            default -> value instanceof BigDecimal d ? d.toPlainString() : Values.convertToString(schema, value);
        };
    }

    @Override
    protected String purpose() {
        return "Ferry CastColumns";
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }
}
