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

    /** A small change event as Ferry 0.1 wrote it (format 1), bytes kept from that version's writer. */
    static final String FORMAT_1_RECORD = "4601f9d607e4072916d7ce030b00127372762e64622e742e456e76656c6f706504000003066265666f72650b010f7372" +
            "762e64622e742e56616c7565010000030269640300000100011d5f5f646562657a69756d2e736f757263652e636f6c75" +
            "6d6e2e7479706507424947494e5404636f64650703000100021f5f5f646562657a69756d2e736f757263652e636f6c75" +
            "6d6e2e6c656e67746802321d5f5f646562657a69756d2e736f757263652e636f6c756d6e2e7479706505434841520102" +
            "7a7a0570726963650801266f72672e6170616368652e6b61666b612e636f6e6e6563742e646174612e446563696d616c" +
            "020001057363616c6502320561667465720b010f7372762e64622e742e56616c7565010000030269640300000100011d" +
            "5f5f646562657a69756d2e736f757263652e636f6c756d6e2e7479706507424947494e5404636f64650703000100021f" +
            "5f5f646562657a69756d2e736f757263652e636f6c756d6e2e6c656e67746802321d5f5f646562657a69756d2e736f75" +
            "7263652e636f6c756d6e2e74797065054348415201027a7a0570726963650801266f72672e6170616368652e6b61666b" +
            "612e636f6e6e6563742e646174612e446563696d616c020001057363616c650232026f70070000010000010201026162" +
            "010183010201037ac3a9000175";

    static final Schema GOLD_ROW = SchemaBuilder.struct().name("srv.db.t.Value").optional()
            .field("id", SchemaBuilder.int64().parameter("__debezium.source.column.type", "BIGINT").build())
            .field("code", SchemaBuilder.string().optional().parameter("__debezium.source.column.type", "CHAR")
                    .parameter("__debezium.source.column.length", "2").defaultValue("zz").build())
            .field("price", Decimal.builder(2).optional().build()).build();
    static final Schema GOLD_ENVELOPE = SchemaBuilder.struct().name("srv.db.t.Envelope").version(2)
            .field("before", GOLD_ROW).field("after", GOLD_ROW).field("op", Schema.STRING_SCHEMA).build();

    static Struct goldValue() {
        return new Struct(GOLD_ENVELOPE)
                .put("before", new Struct(GOLD_ROW).put("id", 1L).put("code", "ab").put("price", new BigDecimal("-1.25")))
                .put("after", new Struct(GOLD_ROW).put("id", 1L).put("code", "zé").put("price", null)).put("op", "u");
    }

    @Test
    void recordsOfFormat1AreStillReadAndStillWrittenWhenAsked() {
        byte[] old = java.util.HexFormat.of().parseHex(FORMAT_1_RECORD);
        SchemaAndValue back = converter.toConnectData("t", old);
        assertThat(back.schema()).isEqualTo(GOLD_ENVELOPE);
        assertThat(back.value()).isEqualTo(goldValue());
        FerryBinaryConverter format1 = new FerryBinaryConverter();
        format1.configure(Map.of("format.version", "1"), false);
        assertThat(format1.fromConnectData("t", GOLD_ENVELOPE, goldValue())).isEqualTo(old);
        byte[] format2 = converter.fromConnectData("t", GOLD_ENVELOPE, goldValue());
        assertThat(format2[1]).as("format written by default").isEqualTo((byte) 2);
        // the same reader, one record of each format after the other: the schema cache keeps them apart
        for (byte[] record : List.of(old, format2, old, format2)) {
            assertThat(converter.toConnectData("t", record).value()).isEqualTo(goldValue());
        }
        assertThatThrownBy(() -> format1.configure(Map.of("format.version", "3"), false))
                .hasMessageContaining("format.version");
    }

    /** Format 2 writes each string and each repeated struct once: Debezium's before/after and column parameters. */
    @Test
    void format2WritesRepeatedSchemaPartsOnce() {
        FerryBinaryConverter format1 = new FerryBinaryConverter();
        format1.configure(Map.of("format.version", "1"), false);
        Struct value = new Struct(ENVELOPE).put("before", row(1)).put("after", row(2)).put("op", "u").put("ts_ms", 5L);
        byte[] compact = converter.fromConnectData("t", ENVELOPE, value);
        byte[] plain = format1.fromConnectData("t", ENVELOPE, value);
        assertThat(compact.length).as("format 2 against format 1 (%d bytes)", plain.length)
                .isLessThan(plain.length * 3 / 4);
        byte[] key = "__debezium.source.column.type".getBytes(StandardCharsets.UTF_8);
        byte[] gold = converter.fromConnectData("t", GOLD_ENVELOPE, goldValue());
        int first = indexOf(gold, key);
        assertThat(indexOf(Arrays.copyOfRange(gold, first + 1, gold.length), key)).as("a string written twice").isEqualTo(-1);
        SchemaAndValue back = converter.toConnectData("t", compact);
        assertThat(back.schema()).isEqualTo(ENVELOPE);
        assertThat(back.value()).isEqualTo(value);
        assertThat(back.schema().field("after").schema()).isSameAs(back.schema().field("before").schema());
        assertThat(back.schema().field("after").schema().field("s").schema().defaultValue()).isEqualTo("dflt");
    }

    @Test
    void aFormat2ReferenceToNothingIsRefused() {
        byte[] good = converter.fromConnectData("t", GOLD_ENVELOPE, goldValue());
        // the "after" field's schema is the back-reference 0x7F 0x00 to "before": point it at struct 5
        int at = indexOf(good, new byte[] {'a', 'f', 't', 'e', 'r', 0x7F, 0x00}) + 6;
        assertThat(at).isGreaterThan(6);
        byte[] bad = good.clone();
        bad[at] = 5;
        FerryBinaryConverter fresh = new FerryBinaryConverter();
        fresh.configure(Map.of(), false);
        assertThatThrownBy(() -> fresh.toConnectData("orders", bad)).isInstanceOf(DataException.class)
                .hasMessageContaining("orders").hasMessageContaining("struct 5 referred to before it was written");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
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

    /**
     * The value bytes the format has always had (the schema is cached as a write plan since 2026-12-06; the wire must
     * not change): a required int64 as a zigzag varint, an optional string with its presence byte and length, a decimal
     * as Kafka's big-endian two's complement unscaled value, a required field with a default written as the default.
     */
    @Test
    void valuesAreLaidOutAsTheFormatSays() {
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("s", Schema.OPTIONAL_STRING_SCHEMA)
                .field("price", Decimal.builder(2).optional().build())
                .field("n", SchemaBuilder.int32().defaultValue(-3).build()).build();
        byte[] record = converter.fromConnectData("t", schema,
                new Struct(schema).put("id", -1L).put("s", "ab").put("price", new BigDecimal("-1.25")));
        byte[] values = {1, 1, 2, 'a', 'b', 1, 1, (byte) 0x83, 5};
        assertThat(Arrays.copyOfRange(record, record.length - values.length, record.length)).containsExactly(values);
        assertThat(((Struct) converter.toConnectData("t", record).value()).getInt32("n")).isEqualTo(-3);
    }

    @Test
    void valuesThatDoNotFitTheirSchemaAreRefusedWithTheTopicNamed() {
        Schema price = Decimal.builder(2).build();
        assertThatThrownBy(() -> converter.fromConnectData("orders", price, new BigDecimal("1.5")))
                .isInstanceOf(DataException.class).hasMessageContaining("orders").hasMessageContaining("scale");
        Schema nested = SchemaBuilder.struct().field("inner", SchemaBuilder.struct().field("n", Schema.INT64_SCHEMA)
                .build()).build();
        Struct wrong = new Struct(nested).put("inner", new Struct(nested.field("inner").schema()).put("n", 1L));
        assertThatThrownBy(() -> converter.fromConnectData("orders", SchemaBuilder.struct()
                .field("inner", SchemaBuilder.struct().field("n", Schema.INT32_SCHEMA).build()).build(), wrong))
                .isInstanceOf(DataException.class).hasMessageContaining("Long is not a value of INT32");
        Schema required = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        assertThatThrownBy(() -> converter.fromConnectData("orders", required, new Struct(required)))
                .isInstanceOf(DataException.class).hasMessageContaining("null value for required INT64");
        Schema mislabelled = SchemaBuilder.int64().name(Decimal.LOGICAL_NAME).build();
        assertThatThrownBy(() -> converter.fromConnectData("orders", mislabelled, 5L))
                .isInstanceOf(DataException.class).hasMessageContaining("cannot be written");
    }
}
