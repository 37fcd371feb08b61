package io.ferry.sink.schema;

/** Schema names of the Debezium and Kafka Connect semantic types the sink understands. */
public final class SemanticTypes {
    private SemanticTypes() {}

    public static final String DBZ_DATE = "io.debezium.time.Date";
    public static final String DBZ_TIME = "io.debezium.time.Time";
    public static final String DBZ_MICRO_TIME = "io.debezium.time.MicroTime";
    public static final String DBZ_NANO_TIME = "io.debezium.time.NanoTime";
    public static final String DBZ_TIMESTAMP = "io.debezium.time.Timestamp";
    public static final String DBZ_MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
    public static final String DBZ_NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
    public static final String DBZ_ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    public static final String DBZ_ZONED_TIME = "io.debezium.time.ZonedTime";
    public static final String DBZ_YEAR = "io.debezium.time.Year";
    public static final String DBZ_ENUM = "io.debezium.data.Enum";
    public static final String DBZ_ENUM_SET = "io.debezium.data.EnumSet";
    public static final String DBZ_JSON = "io.debezium.data.Json";
    public static final String DBZ_BITS = "io.debezium.data.Bits";
    public static final String DBZ_UUID = "io.debezium.data.Uuid";
    public static final String DBZ_XML = "io.debezium.data.Xml";
    public static final String DBZ_VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
    public static final String DBZ_GEOMETRY = "io.debezium.data.geometry.Geometry";
    public static final String DBZ_POINT = "io.debezium.data.geometry.Point";

    /** Parameters that Debezium adds with column.propagate.source.type. */
    public static final String SOURCE_COLUMN_TYPE = "__debezium.source.column.type";
    public static final String SOURCE_COLUMN_LENGTH = "__debezium.source.column.length";
    public static final String SOURCE_COLUMN_SCALE = "__debezium.source.column.scale";
    public static final String DECIMAL_PRECISION = "connect.decimal.precision";
}
