package io.ferry.converter;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FerryBinaryConverterTest {

    static final Schema ROW = SchemaBuilder.struct().name("srv.db.t.Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("i8", Schema.OPTIONAL_INT8_SCHEMA)
            .field("i16", SchemaBuilder.int16().optional().parameter("__debezium.source.column.type", "TINYINT")
                    .parameter("__debezium.source.column.length", "1").build())
            .field("i32", Schema.OPTIONAL_INT32_SCHEMA)
            .field("f32", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("f64", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("b", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("s", SchemaBuilder.string().optional().doc("a doc").defaultValue("dflt").build())
            .field("bytes", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("dec", Decimal.builder(30).optional().parameter("connect.decimal.precision", "65").build())
            .field("date", Date.builder().optional().build())
            .field("ts", Timestamp.builder().optional().build())
            .field("dbz_ts", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1).optional().build())
            .field("set", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
            .field("map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA).optional().build())
            .field("geo", SchemaBuilder.struct().name("io.debezium.data.geometry.Point").optional()
                    .field("x", Schema.FLOAT64_SCHEMA).field("wkb", Schema.OPTIONAL_BYTES_SCHEMA)
                    .field("srid", Schema.OPTIONAL_INT32_SCHEMA).build())
            .build();
    static final Schema ENVELOPE = SchemaBuilder.struct().name("srv.db.t.Envelope").version(2)
            .field("before", ROW).field("after", ROW).field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();

    FerryBinaryConverter converter;

    @BeforeEach
    void setUp() {
        converter = new FerryBinaryConverter();
        converter.configure(Map.of(), false);
    }

    static Struct row(long id) {
        return new Struct(ROW).put("id", id).put("i8", (byte) -128).put("i16", (short) 1).put("i32", Integer.MIN_VALUE)
                .put("f32", Float.NaN).put("f64", -0.0).put("b", true).put("s", "Zoë 😀 \u0000")
                .put("bytes", new byte[] {0, -1, 2}).put("dec", new BigDecimal("-12345678901234567890123456789012345.123456789012345678901234567890"))
                .put("date", new java.util.Date(86_400_000L * 20_000)).put("ts", new java.util.Date(1_700_000_000_123L))
                .put("dbz_ts", Long.MAX_VALUE).put("set", List.of("a", "c")).put("map", Map.of("k", 1))
                .put("geo", new Struct(ROW.field("geo").schema()).put("x", 1.5).put("wkb", new byte[] {1}).put("srid", null));
    }

    @Test
    void roundTripsEveryTypeExactly() {
        Struct value = new Struct(ENVELOPE).put("before", null).put("after", row(Long.MIN_VALUE)).put("op", "c").put("ts_ms", 5L);
        SchemaAndValue back = converter.toConnectData("t", converter.fromConnectData("t", ENVELOPE, value));
        assertThat(back.schema()).isEqualTo(ENVELOPE);
        assertThat(back.value()).isEqualTo(value);
        assertThat(back.schema().field("after").schema().field("s").schema().defaultValue()).isEqualTo("dflt");
        assertThat(back.schema().field("after").schema().field("i16").schema().parameters())
                .containsEntry("__debezium.source.column.length", "1");
    }

    @Test
    void structsAreFilledWithoutRevalidationAndStillValidate() {
        assertThat(ReadPlan.fillsStructsDirectly()).as("the fast path is in use on this Kafka version").isTrue();
        Struct value = new Struct(ENVELOPE).put("before", row(7)).put("after", row(8)).put("op", "u").put("ts_ms", null);
        Struct back = (Struct) converter.toConnectData("t", converter.fromConnectData("t", ENVELOPE, value)).value();
        back.validate();
        assertThat(back.getStruct("after").getInt64("id")).isEqualTo(8L);
    }

    @Test
    void aByteBufferIsWrittenAsItsRemainingBytes() {
        Schema s = SchemaBuilder.struct().field("b", Schema.BYTES_SCHEMA).build();
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {9, 1, 2, 3}, 1, 3);
        SchemaAndValue back = converter.toConnectData("t", converter.fromConnectData("t", s, new Struct(s).put("b", buf)));
        assertThat((byte[]) ((Struct) back.value()).get("b")).containsExactly(1, 2, 3);
    }

    @Test
    void tombstonesAreNullBothWays() {
        assertThat(converter.fromConnectData("t", ENVELOPE, null)).isNull();
        assertThat(converter.toConnectData("t", null)).isEqualTo(SchemaAndValue.NULL);
    }

    @Test
    void aSecondReaderDecodesTheSameAndSchemaChangesAreSeen() {
        FerryBinaryConverter reader = new FerryBinaryConverter();
        reader.configure(Map.of("schemas.cache.size", "1"), false);
        Schema v2 = SchemaBuilder.struct().name("srv.db.t.Value").field("id", Schema.INT64_SCHEMA)
                .field("added", Schema.OPTIONAL_STRING_SCHEMA).build();
        for (int i = 0; i < 3; i++) {
            assertThat(reader.toConnectData("t", converter.fromConnectData("t", ROW, row(i))).value()).isEqualTo(row(i));
            Struct s = new Struct(v2).put("id", (long) i).put("added", "x");
            assertThat(reader.toConnectData("t", converter.fromConnectData("t", v2, s)).value()).isEqualTo(s);
        }
    }

    /**
     * One reader over many records, as a sink task reads a topic: strings that repeat, change now and then or never
     * repeat (the reader reuses a repeated short string, and stops trying where it does not pay), and decimals of every
     * length on both sides of the eight bytes read as a long.
     */
    @Test
    void aLongRunOfRecordsReadsBackExactly() {
        Schema s = SchemaBuilder.struct().name("srv.db.t.Value")
                .field("tag", Schema.STRING_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA)
                .field("dec", Decimal.builder(2).optional().build()).field("n", Schema.INT64_SCHEMA).build();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 3_000; i++) {
            java.math.BigInteger unscaled = new java.math.BigInteger(1 + random.nextInt(150), random);
            Struct value = new Struct(s).put("tag", i % 500 < 400 ? "tag-" + (i / 7) : "x".repeat(i % 60))
                    .put("name", i % 11 == 0 ? null : "name-" + i)
                    .put("dec", new BigDecimal(random.nextBoolean() ? unscaled.negate() : unscaled, 2))
                    .put("n", random.nextLong() >> random.nextInt(64));
            assertThat(converter.toConnectData("t", converter.fromConnectData("t", s, value)).value())
                    .as("record %d", i).isEqualTo(value);
        }
    }

    @Test
    void isSmallerThanJsonWithSchemas() {
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        Struct value = new Struct(ENVELOPE).put("before", null).put("after", row(1)).put("op", "r").put("ts_ms", 5L);
        int jsonSize = json.fromConnectData("t", ENVELOPE, value).length;
        int binarySize = converter.fromConnectData("t", ENVELOPE, value).length;
        assertThat(binarySize).isLessThan(jsonSize / 2);
    }

    @Test
    void foreignOrDamagedBytesAreRefusedWithTheTopicNamed() {
        assertThatThrownBy(() -> converter.toConnectData("orders", "{\"schema\":{}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DataException.class).hasMessageContaining("orders").hasMessageContaining("another converter");
        byte[] good = converter.fromConnectData("t", ROW, row(1));
        assertThatThrownBy(() -> converter.toConnectData("orders", Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(DataException.class).hasMessageContaining("ends early");
        assertThatThrownBy(() -> converter.fromConnectData("orders", null, "x")).hasMessageContaining("needs a schema");
        assertThatThrownBy(() -> converter.fromConnectData("orders", Schema.INT32_SCHEMA, "x"))
                .hasMessageContaining("String is not a value of INT32");
    }
}
