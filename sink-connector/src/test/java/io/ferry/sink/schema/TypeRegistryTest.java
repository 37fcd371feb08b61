package io.ferry.sink.schema;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TypeRegistryTest {

    private final TypeRegistry registry = new TypeRegistry(true);

    private static SchemaBuilder source(SchemaBuilder b, String type, Integer length) {
        b.parameter(SemanticTypes.SOURCE_COLUMN_TYPE, type);
        if (length != null) {
            b.parameter(SemanticTypes.SOURCE_COLUMN_LENGTH, length.toString());
        }
        return b;
    }

    @Test
    void plainConnectTypes() {
        assertThat(registry.sqlType("c", Schema.INT16_SCHEMA)).isEqualTo("smallint");
        assertThat(registry.sqlType("c", Schema.INT32_SCHEMA)).isEqualTo("integer");
        assertThat(registry.sqlType("c", Schema.INT64_SCHEMA)).isEqualTo("bigint");
        assertThat(registry.sqlType("c", Schema.FLOAT64_SCHEMA)).isEqualTo("double precision");
        assertThat(registry.sqlType("c", Schema.STRING_SCHEMA)).isEqualTo("text");
        assertThat(registry.sqlType("c", Schema.BYTES_SCHEMA)).isEqualTo("bytea");
        assertThat(registry.sqlType("c", SchemaBuilder.array(Schema.STRING_SCHEMA).build())).isEqualTo("text[]");
    }

    @Test
    void semanticNameWinsOverConnectType() {
        assertThat(registry.sqlType("d", SchemaBuilder.int32().name("io.debezium.time.Date").build())).isEqualTo("date");
        assertThat(registry.sqlType("d", Date.SCHEMA)).isEqualTo("date");
        assertThat(registry.sqlType("t", SchemaBuilder.int64().name("io.debezium.time.Timestamp").build()))
                .isEqualTo("timestamp(3)");
        assertThat(registry.sqlType("t", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build()))
                .isEqualTo("timestamp(6)");
        assertThat(registry.sqlType("t", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build()))
                .isEqualTo("timestamptz(6)");
        assertThat(registry.sqlType("e", SchemaBuilder.string().name("io.debezium.data.Enum").build())).isEqualTo("text");
        assertThat(registry.sqlType("s", SchemaBuilder.string().name("io.debezium.data.EnumSet").build())).isEqualTo("text[]");
        assertThat(registry.sqlType("j", SchemaBuilder.string().name("io.debezium.data.Json").build())).isEqualTo("jsonb");
        assertThat(registry.sqlType("y", SchemaBuilder.int32().name("io.debezium.time.Year").build())).isEqualTo("smallint");
    }

    @Test
    void decimalKeepsPrecisionAndScale() {
        Schema unsignedBigint = Decimal.builder(0).parameter(SemanticTypes.DECIMAL_PRECISION, "20").build();
        assertThat(registry.sqlType("u", unsignedBigint)).isEqualTo("numeric(20,0)");
        Schema money = source(Decimal.builder(2), "DECIMAL", 5).build();
        assertThat(registry.sqlType("m", money)).isEqualTo("numeric(5,2)");
        assertThat(registry.sqlType("x", Decimal.schema(3))).isEqualTo("numeric");
    }

    @Test
    void sourceColumnTypeRefinesStrings() {
        assertThat(registry.sqlType("v", source(SchemaBuilder.string(), "VARCHAR", 45).build())).isEqualTo("varchar(45)");
        assertThat(registry.sqlType("c", source(SchemaBuilder.string(), "CHAR", 3).build())).isEqualTo("varchar(3)");
        assertThat(registry.sqlType("t", source(SchemaBuilder.string(), "TEXT", 65535).build())).isEqualTo("text");
    }

    @Test
    void datetimePrecisionFromSourceLength() {
        Schema dt6 = source(SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp"), "DATETIME", 6).build();
        assertThat(registry.sqlType("t", dt6)).isEqualTo("timestamp(6)");
        Schema dt0 = source(SchemaBuilder.int64().name("io.debezium.time.Timestamp"), "DATETIME", 19).build();
        assertThat(registry.sqlType("t", dt0)).isEqualTo("timestamp(0)");
        Schema declaredWithoutFsp = source(SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp"), "TIMESTAMP", null).build();
        assertThat(registry.sqlType("t", declaredWithoutFsp)).isEqualTo("timestamptz(0)");
    }

    @Test
    void tinyint1BecomesBooleanOnlyWhenAskedAndOnlyForWidthOne() {
        Schema tiny1 = source(SchemaBuilder.int16(), "TINYINT", 1).build();
        Schema tiny4 = source(SchemaBuilder.int16(), "TINYINT", 4).build();
        assertThat(registry.sqlType("b", tiny1)).isEqualTo("boolean");
        assertThat(registry.sqlType("b", tiny4)).isEqualTo("smallint");
        assertThat(new TypeRegistry(false).sqlType("b", tiny1)).isEqualTo("smallint");
    }

    @Test
    void mysqlTimeIsAnIntervalAndUnsignedBigintAsLongIsRefused() {
        assertThat(registry.sqlType("t", SchemaBuilder.int64().name("io.debezium.time.MicroTime").build())).isEqualTo("interval");
        Schema wrapped = source(SchemaBuilder.int64(), "BIGINT UNSIGNED", 20).build();
        assertThatThrownBy(() -> registry.sqlType("big", wrapped)).isInstanceOf(UnsupportedTypeException.class)
                .hasMessageContaining("bigint.unsigned.handling.mode=precise");
    }

    @Test
    void unknownStructFailsLoudlyNamingTheColumn() {
        Schema struct = SchemaBuilder.struct().field("x", Schema.INT32_SCHEMA).build();
        assertThatThrownBy(() -> registry.sqlType("weird", struct))
                .isInstanceOf(UnsupportedTypeException.class).hasMessageContaining("\"weird\"").hasMessageContaining("STRUCT");
    }
}
