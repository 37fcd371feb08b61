package io.ferry.sink.write;

import io.ferry.sink.config.FerrySinkConfig.NulPolicy;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.schema.TargetColumn;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgTextTest {

    final PgText text = new PgText(NulPolicy.STRIP);

    static TargetColumn col(String type) {
        return new TargetColumn("c", type, type);
    }

    @Test
    void integersBecomeBooleansWhenTheColumnIsBoolean() {
        assertThat(text.encode((short) 1, Schema.INT16_SCHEMA, col("boolean"))).isEqualTo("t");
        assertThat(text.encode((short) 0, Schema.INT16_SCHEMA, col("boolean"))).isEqualTo("f");
        assertThat(text.encode((short) 5, Schema.INT16_SCHEMA, col("smallint"))).isEqualTo("5");
    }

    @Test
    void debeziumTimes() {
        Schema date = SchemaBuilder.int32().name("io.debezium.time.Date").build();
        assertThat(text.encode(19_000, date, col("date"))).isEqualTo("2022-01-08");
        Schema ts = SchemaBuilder.int64().name("io.debezium.time.Timestamp").build();
        assertThat(text.encode(1_136_214_245_000L, ts, col("timestamp without time zone"))).isEqualTo("2006-01-02T15:04:05");
        Schema micro = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build();
        assertThat(text.encode(1_136_214_245_123_456L, micro, col("timestamp without time zone")))
                .isEqualTo("2006-01-02T15:04:05.123456");
        Schema time = SchemaBuilder.int64().name("io.debezium.time.MicroTime").build();
        assertThat(text.encode(3_723_000_001L, time, col("time without time zone"))).isEqualTo("01:02:03.000001");
        assertThat(text.encode(91_800_000_000L, time, col("interval"))).isEqualTo("91800000000 microseconds");
        assertThatThrownBy(() -> text.encode(91_800_000_000L, time, col("time without time zone")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("interval");
    }

    @Test
    void setBecomesQuotedArrayAndBytesHex() {
        Schema set = SchemaBuilder.string().name("io.debezium.data.EnumSet").build();
        assertThat(text.encode("Trailers,Deleted Scenes", set, col("text[]"))).isEqualTo("{\"Trailers\",\"Deleted Scenes\"}");
        assertThat(text.encode("", set, col("text[]"))).isEqualTo("{}");
        assertThat(text.encode(new byte[]{0, 15, (byte) 255}, Schema.BYTES_SCHEMA, col("bytea"))).isEqualTo("\\x000fff");
    }

    @Test
    void bitsAreLittleEndianBytesWrittenAsABitStringOfTheColumnWidth() {
        var bits = org.apache.kafka.connect.data.SchemaBuilder.bytes().name("io.debezium.data.Bits")
                .parameter("length", "12").build();
        // BIT(12) b'101010101010' = 0x0AAA, sent as {0xAA, 0x0A}
        assertThat(text.encode(new byte[] {(byte) 0xAA, 0x0A}, bits, col("bit(12)"))).isEqualTo("101010101010");
        assertThat(text.encode(new byte[] {1}, bits, col("bit(12)"))).isEqualTo("000000000001");
        assertThat(text.encode(new byte[] {1}, bits, col("bit(16)"))).as("a wider bit(n) is padded").isEqualTo("0000000000000001");
        assertThat(text.encode(new byte[] {1, 0}, bits, col("bit varying(16)"))).as("bit varying keeps the source's width")
                .isEqualTo("000000000001");
        assertThatThrownBy(() -> text.encode(new byte[] {(byte) 0xAA, 0x0A}, bits, col("bit(8)")))
                .as("a set bit beyond the column's width is never cut").isInstanceOf(BadRecordException.class)
                .hasMessageContaining("beyond the 8 of bit(8)");
        assertThat(text.encode(new byte[] {(byte) 0xAA, 0}, bits, col("bit(8)"))).isEqualTo("10101010");
        assertThat(text.encode(new byte[] {1}, bits, col("bytea"))).isEqualTo("\\x01");
    }

    @Test
    void whatAnAssignmentWouldShortenOrRoundSilentlyIsRefused() {
        Schema s = Schema.STRING_SCHEMA;
        assertThat(text.encode("fr", s, col("character(2)"))).isEqualTo("fr");
        assertThat(text.encode("Zoë😀", s, col("character(4)"))).as("code points, not UTF-16 units").isEqualTo("Zoë😀");
        assertThat(text.encode("abc", s, col("character varying(2)")))
                .as("too long with characters PostgreSQL refuses itself, with its own reason").isEqualTo("abc");
        assertThatThrownBy(() -> text.encode("ab  ", s, col("character varying(3)")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("value too long for type character varying(3)");
        assertThatThrownBy(() -> text.encode("x, ", Schema.STRING_SCHEMA, col("character(2)")))
                .isInstanceOf(BadRecordException.class);
        Schema dec = Decimal.schema(3);
        assertThat(text.encode(new BigDecimal("1.250"), dec, col("numeric(5,2)"))).isEqualTo("1.250");
        assertThatThrownBy(() -> text.encode(new BigDecimal("1.255"), dec, col("numeric(5,2)")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("round");
        assertThatThrownBy(() -> text.encode("1.255", s, col("numeric(5,2)"))).isInstanceOf(BadRecordException.class);
        assertThat(text.encode(new BigDecimal("7.00"), Decimal.schema(2), col("integer"))).isEqualTo("7");
        assertThatThrownBy(() -> text.encode(new BigDecimal("7.50"), Decimal.schema(2), col("integer")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("whole numbers");
        Schema micro = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build();
        assertThat(text.encode(1_136_214_245_123_000L, micro, col("timestamp(3) without time zone")))
                .isEqualTo("2006-01-02T15:04:05.123");
        assertThatThrownBy(() -> text.encode(1_136_214_245_123_456L, micro, col("timestamp(3) without time zone")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("fractional-second");
        assertThatThrownBy(() -> text.encode(1_136_214_245_123_456L, micro, col("date")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("time of day");
        Schema time = SchemaBuilder.int64().name("io.debezium.time.MicroTime").build();
        assertThatThrownBy(() -> text.encode(1_500_000L, time, col("time(0) without time zone")))
                .isInstanceOf(BadRecordException.class);
        assertThatThrownBy(() -> text.encode(0.1d, Schema.FLOAT64_SCHEMA, col("real")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("double precision");
        assertThat(text.encode(1.5d, Schema.FLOAT64_SCHEMA, col("real"))).isEqualTo("1.5");
        Schema set = SchemaBuilder.string().name("io.debezium.data.EnumSet").build();
        assertThatThrownBy(() -> text.encode("a  ,b", set, col("character varying(1)[]"))).isInstanceOf(BadRecordException.class);
        assertThat(text.encode(true, Schema.BOOLEAN_SCHEMA, col("smallint"))).isEqualTo("1");
    }

    @Test
    void decimalsArePlain() {
        assertThat(text.encode(new BigDecimal("1E+3"), Decimal.schema(0), col("numeric"))).isEqualTo("1000");
        assertThat(text.encode(new BigDecimal("18446744073709551615"), Decimal.schema(0), col("numeric")))
                .isEqualTo("18446744073709551615");
    }

    @Test
    void nulBytesAreStrippedAndCountedOrRefused() {
        assertThat(text.encode("a\0b\0", Schema.STRING_SCHEMA, col("text"))).isEqualTo("ab");
        assertThat(text.takeNulsStripped()).isEqualTo(2);
        assertThat(text.takeNulsStripped()).isZero();
        PgText strict = new PgText(NulPolicy.FAIL);
        assertThatThrownBy(() -> strict.encode("a\0", Schema.STRING_SCHEMA, col("text")))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("NUL");
    }

    // COPY escaping: CopyStreamTest
}
