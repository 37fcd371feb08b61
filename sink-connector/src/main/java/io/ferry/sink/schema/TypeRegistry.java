package io.ferry.sink.schema;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.util.Locale;
import java.util.Map;

import static io.ferry.sink.schema.SemanticTypes.*;

/**
 * Chooses the PostgreSQL column type for a Connect field. Resolution order, most specific first:
 * the semantic schema name (Debezium's or Kafka's logical types), then the propagated source column type
 * ({@code __debezium.source.column.type}), then the plain Connect type. A schema none of these covers fails.
 */
public final class TypeRegistry {

    private final boolean tinyint1AsBoolean;
    private final String geometryType;

    public TypeRegistry(boolean tinyint1AsBoolean) {
        this(tinyint1AsBoolean, "bytea");
    }

    /** @param geometryType the column type for MySQL geometries: bytea (WKB), text (WKT) or geometry (PostGIS) */
    public TypeRegistry(boolean tinyint1AsBoolean, String geometryType) {
        this.tinyint1AsBoolean = tinyint1AsBoolean;
        this.geometryType = geometryType;
    }

    public String sqlType(String column, Schema schema) {
        String bySemantic = bySchemaName(schema);
        if (bySemantic != null) {
            return bySemantic;
        }
        String bySource = bySourceType(schema);
        if (bySource != null) {
            return bySource;
        }
        return byConnectType(column, schema);
    }

    private String bySchemaName(Schema schema) {
        String name = schema.name();
        if (name == null) {
            return null;
        }
        return switch (name) {
            case DBZ_DATE, Date.LOGICAL_NAME -> "date";
            // MySQL TIME is a duration (-838:59:59 .. 838:59:59), not a time of day: only interval holds all of it
            case DBZ_TIME, DBZ_MICRO_TIME, DBZ_NANO_TIME -> "interval";
            case Time.LOGICAL_NAME -> "time" + precision(schema, 3);
            case DBZ_TIMESTAMP, Timestamp.LOGICAL_NAME -> "timestamp" + precision(schema, 3);
            case DBZ_MICRO_TIMESTAMP, DBZ_NANO_TIMESTAMP -> "timestamp" + precision(schema, 6);
            case DBZ_ZONED_TIMESTAMP -> "timestamptz" + precision(schema, 6);
            case DBZ_ZONED_TIME -> "timetz";
            case DBZ_YEAR -> "smallint";
            case DBZ_ENUM -> "text";
            case DBZ_ENUM_SET -> "text[]";
            case DBZ_JSON -> "jsonb";
            case DBZ_UUID -> "uuid";
            case DBZ_XML -> "xml";
            // Debezium sends BIT(n) as little-endian bytes with the width as a parameter; bit(n) keeps both
            case DBZ_BITS -> bits(schema);
            case DBZ_GEOMETRY, DBZ_POINT -> geometryType;
            case DBZ_VARIABLE_SCALE_DECIMAL -> "numeric";
            case Decimal.LOGICAL_NAME -> decimal(schema);
            default -> null;
        };
    }

    private static String bits(Schema schema) {
        Integer length = schema.parameters() == null ? null : intParam(schema.parameters(), "length");
        return length != null && length > 0 ? "bit(" + length + ")" : "bit varying";
    }

    private String bySourceType(Schema schema) {
        Map<String, String> params = schema.parameters();
        if (params == null || params.get(SOURCE_COLUMN_TYPE) == null) {
            return null;
        }
        String sourceType = params.get(SOURCE_COLUMN_TYPE).toUpperCase(Locale.ROOT);
        Integer length = intParam(params, SOURCE_COLUMN_LENGTH);
        if (isUnsignedBigintAsLong(schema)) {
            throw new UnsupportedTypeException("a BIGINT UNSIGNED column arrives as int64, so values above "
                    + "9223372036854775807 would arrive negative; set bigint.unsigned.handling.mode=precise on the "
                    + "source connector");
        }
        if (tinyint1AsBoolean && (sourceType.equals("TINYINT") || sourceType.equals("BOOLEAN")
                || sourceType.equals("BOOL")) && length != null && length == 1) {
            return "boolean";
        }
        if (schema.type() == Schema.Type.STRING) {
            switch (sourceType) {
                // CHAR(n) becomes varchar(n): MySQL strips CHAR padding on read, PostgreSQL's char(n) would add it back
                case "VARCHAR", "CHAR", "NVARCHAR", "NCHAR", "CHARACTER", "VARCHAR2" -> {
                    return length != null && length > 0 ? "varchar(" + length + ")" : "text";
                }
                case "JSON" -> { return "jsonb"; }
                default -> { return null; }
            }
        }
        return null;
    }

    private String byConnectType(String column, Schema schema) {
        return switch (schema.type()) {
            case INT8, INT16 -> "smallint";
            case INT32 -> "integer";
            case INT64 -> "bigint";
            case FLOAT32 -> "real";
            case FLOAT64 -> "double precision";
            case BOOLEAN -> "boolean";
            case STRING -> "text";
            case BYTES -> "bytea";
            case ARRAY -> byConnectType(column, schema.valueSchema()) + "[]";
            default -> throw new UnsupportedTypeException("column \"" + column + "\": no PostgreSQL type for Connect "
                    + "schema " + describe(schema) + "; cast or drop it with an SMT, or create the target column yourself");
        };
    }

    private static String decimal(Schema schema) {
        Map<String, String> params = schema.parameters();
        Integer scale = intParam(params, Decimal.SCALE_FIELD);
        Integer precision = intParam(params, DECIMAL_PRECISION);
        if (precision == null) {
            precision = intParam(params, SOURCE_COLUMN_LENGTH);
        }
        if (precision == null || scale == null || precision < scale || precision > 1000) {
            return "numeric";
        }
        return "numeric(" + precision + "," + scale + ")";
    }

    /**
     * Fractional-second digits. With column.propagate.source.type, Debezium gives the declared fsp as the length and
     * no length at all for the default fsp of 0; some sources report the display width (19 + 1 + fsp) instead.
     * Without propagated types, the semantic type's own resolution is the best guess.
     */
    private static String precision(Schema schema, int fallback) {
        Map<String, String> params = schema.parameters();
        Integer length = intParam(params, SOURCE_COLUMN_LENGTH);
        boolean propagated = params != null && params.containsKey(SOURCE_COLUMN_TYPE);
        int fsp = propagated ? 0 : fallback;
        if (length != null) {
            if (length >= 0 && length <= 6) {
                fsp = length;
            } else if (length >= 19 && length <= 26) {
                fsp = Math.max(0, length - 20);
            }
        }
        return "(" + fsp + ")";
    }

    private static Integer intParam(Map<String, String> params, String key) {
        if (params == null || params.get(key) == null) {
            return null;
        }
        try {
            return Integer.parseInt(params.get(key).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Debezium's default bigint.unsigned.handling.mode=long: values above 2^63-1 wrap to negative numbers. */
    public static boolean isUnsignedBigintAsLong(Schema schema) {
        Map<String, String> params = schema.parameters();
        return schema.type() == Schema.Type.INT64 && params != null && params.get(SOURCE_COLUMN_TYPE) != null
                && params.get(SOURCE_COLUMN_TYPE).toUpperCase(Locale.ROOT).startsWith("BIGINT UNSIGNED");
    }

    static String describe(Schema schema) {
        return schema.type() + (schema.name() != null ? " (" + schema.name() + ")" : "");
    }
}
