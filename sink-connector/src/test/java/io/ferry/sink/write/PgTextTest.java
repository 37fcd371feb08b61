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
        assertThat(text.encode(new byte[] {(byte) 0xAA, 0x0A}, bits, new TargetColumn("c", "bit(12)", "bit")))
                .isEqualTo("101010101010");
        assertThat(text.encode(new byte[] {1}, bits, new TargetColumn("c", "bit(12)", "bit"))).isEqualTo("000000000001");
        assertThat(new TargetColumn("c", "bit(12)", "bit").castType()).as("bare bit would mean bit(1)")
                .isEqualTo("bit varying");
        assertThat(text.encode(new byte[] {1}, bits, col("bytea"))).isEqualTo("\\x01");
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

    @Test
    void copyEscaping() {
        StringBuilder sb = new StringBuilder();
        SegmentWriter.escapeCopy(sb, "a\tb\\c\nd\re");
        assertThat(sb.toString()).isEqualTo("a\\tb\\\\c\\nd\\re");
    }
}
