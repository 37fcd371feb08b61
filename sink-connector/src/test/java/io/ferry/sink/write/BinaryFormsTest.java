package io.ferry.sink.write;

import io.ferry.sink.config.FerrySinkConfig.NulPolicy;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.schema.TargetColumn;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;

import static io.ferry.sink.schema.SemanticTypes.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The binary COPY forms against PostgreSQL's documented send/recv layouts, and the values that must go as text (where
 * PostgreSQL or the text path's rules decide). That PostgreSQL stores the same rows either way is
 * {@code io.ferry.sink.BinaryCopyTest}'s job, on a real server.
 */
class BinaryFormsTest {

    final CopyStreamTest recorder = new CopyStreamTest();
    final PgText text = new PgText(NulPolicy.STRIP);

    static Schema named(Schema.Type type, String name) {
        return new SchemaBuilder(type).name(name).build();
    }

    /** The field as sent: its 4-byte length, then the bytes. */
    ByteBuffer field(String columnType, Object value, Schema schema) throws Exception {
        TargetColumn column = new TargetColumn("c", columnType);
        CopyStream stream = new CopyStream(recorder.recording());
        BinaryForms.write(stream, BinaryForms.of(column), value, schema, column, text);
        stream.end();
        ByteBuffer b = ByteBuffer.wrap(recorder.sent.toByteArray());
        recorder.sent.reset();
        assertThat(b.getInt()).as("field length").isEqualTo(b.remaining());
        return b;
    }

    void noBinaryForm(String columnType, Object value, Schema schema) {
        TargetColumn column = new TargetColumn("c", columnType);
        assertThatThrownBy(() -> field(columnType, value, schema)).isInstanceOf(BinaryForms.NoBinaryForm.class);
        assertThat(BinaryForms.of(column)).isNotNull();
    }

    @Test
    void columnTypesWithAPlainBinaryFormAndTheRest() {
        for (String t : new String[] {"smallint", "integer", "bigint", "boolean", "real", "double precision",
                "numeric(12,2)", "numeric", "text", "character varying(10)", "character(2)", "json", "jsonb", "bytea",
                "timestamp(6) without time zone", "timestamp with time zone", "date"}) {
            assertThat(BinaryForms.of(new TargetColumn("c", t))).as(t).isNotNull();
        }
        for (String t : new String[] {"uuid", "interval", "time without time zone", "text[]", "bit(3)", "mood",
                "geometry", "inet", "money"}) {
            assertThat(BinaryForms.of(new TargetColumn("c", t))).as(t).isNull();
        }
    }

    @Test
    void integersBooleansAndFloats() throws Exception {
        assertThat(field("integer", 70_000, Schema.INT32_SCHEMA).getInt()).isEqualTo(70_000);
        assertThat(field("smallint", (short) -3, Schema.INT16_SCHEMA).getShort()).isEqualTo((short) -3);
        assertThat(field("bigint", -5L, Schema.INT64_SCHEMA).getLong()).isEqualTo(-5L);
        assertThat(field("bigint", 7, Schema.INT32_SCHEMA).getLong()).isEqualTo(7L);
        assertThat(field("integer", new BigDecimal("12.000"), Decimal.schema(3)).getInt()).isEqualTo(12);
        assertThat(field("boolean", true, Schema.BOOLEAN_SCHEMA).get()).isEqualTo((byte) 1);
        assertThat(field("boolean", (short) 0, Schema.INT16_SCHEMA).get()).isEqualTo((byte) 0); // tinyint(1)
        assertThat(field("double precision", 0.1d, Schema.FLOAT64_SCHEMA).getDouble()).isEqualTo(0.1d);
        // PostgreSQL reads a FLOAT32's text, 0.1, not the float widened (0.10000000149...)
        assertThat(field("double precision", 0.1f, Schema.FLOAT32_SCHEMA).getDouble()).isEqualTo(0.1d);
        assertThat(field("real", 0.1f, Schema.FLOAT32_SCHEMA).getFloat()).isEqualTo(0.1f);
    }

    @Test
    void numericAsBase10000DigitsAlignedOnThePoint() throws Exception {
        ByteBuffer b = field("numeric(12,2)", new BigDecimal("123.45"), Decimal.schema(2));
        assertThat(new short[] {b.getShort(), b.getShort(), b.getShort(), b.getShort(), b.getShort(), b.getShort()})
                .containsExactly((short) 2, (short) 0, (short) 0, (short) 2, (short) 123, (short) 4500);
        b = field("numeric", new BigDecimal("-0.00012"), Decimal.schema(5)); // .0001 2000
        assertThat(new short[] {b.getShort(), b.getShort(), b.getShort(), b.getShort(), b.getShort(), b.getShort()})
                .containsExactly((short) 2, (short) -1, (short) 0x4000, (short) 5, (short) 1, (short) 2000);
        b = field("numeric", new BigDecimal("100000000"), Decimal.schema(0));
        assertThat(new short[] {b.getShort(), b.getShort(), b.getShort(), b.getShort(), b.getShort()})
                .containsExactly((short) 1, (short) 2, (short) 0, (short) 0, (short) 1); // 1 * 10000^2
        b = field("numeric", BigDecimal.ZERO.setScale(3), Decimal.schema(3));
        assertThat(new short[] {b.getShort(), b.getShort(), b.getShort(), b.getShort()})
                .containsExactly((short) 0, (short) 0, (short) 0, (short) 3);
        // more digits after the point than numeric(12,2) keeps: refused as on the text path
        assertThatThrownBy(() -> field("numeric(12,2)", new BigDecimal("1.234"), Decimal.schema(3)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("would round");
    }

    /**
     * Random decimals on both sides of the long path's limit (15 digits) and of every scale's padding, read back as
     * numeric_recv would: the same value and the same display scale.
     */
    @Test
    void numericRoundTripsThroughTheLongAndTheBigIntegerPath() throws Exception {
        java.util.Random random = new java.util.Random(20261203);
        for (int i = 0; i < 20_000; i++) {
            int precision = 1 + random.nextInt(40);
            StringBuilder digits = new StringBuilder(random.nextBoolean() ? "-" : "");
            for (int d = 0; d < precision; d++) {
                digits.append((char) ('0' + random.nextInt(10)));
            }
            int scale = random.nextInt(27) - 6;
            BigDecimal value = new BigDecimal(new java.math.BigInteger(digits.toString()), scale);
            ByteBuffer b = field("numeric", value, Decimal.schema(scale));
            int count = b.getShort();
            int weight = b.getShort();
            int sign = b.getShort() & 0xFFFF;
            int displayScale = b.getShort();
            BigDecimal read = BigDecimal.ZERO;
            for (int g = 0; g < count; g++) {
                read = read.add(BigDecimal.valueOf(b.getShort()).scaleByPowerOfTen(4 * (weight - g)));
            }
            if (sign == 0x4000) {
                read = read.negate();
            }
            assertThat(read.compareTo(value)).as("%s read back as %s", value, read).isZero();
            assertThat(displayScale).as("display scale of %s", value).isEqualTo(Math.max(scale, 0));
            assertThat(sign).isIn(0, 0x4000);
        }
    }

    @Test
    void timestampsAndDatesFromPostgresEpoch() throws Exception {
        long micros2000 = 946_684_800_000_000L;
        assertThat(field("timestamp(6) without time zone", micros2000 + 1, named(Schema.Type.INT64, DBZ_MICRO_TIMESTAMP))
                .getLong()).isEqualTo(1L);
        assertThat(field("timestamp(3) without time zone", 946_684_800_123L, named(Schema.Type.INT64, DBZ_TIMESTAMP))
                .getLong()).isEqualTo(123_000L);
        assertThat(field("timestamp with time zone", "2000-01-01T01:00:00+01:00", named(Schema.Type.STRING,
                DBZ_ZONED_TIMESTAMP)).getLong()).isEqualTo(0L);
        assertThat(field("date", 10_958, named(Schema.Type.INT32, DBZ_DATE)).getInt()).isEqualTo(1);
        assertThat(field("date", -719_528, named(Schema.Type.INT32, DBZ_DATE)).getInt()).isEqualTo(-719_528 - 10_957);
    }

    @Test
    void textJsonbAndBytea() throws Exception {
        ByteBuffer b = field("character varying(10)", "ä\tb\\", Schema.STRING_SCHEMA);
        assertThat(new String(b.array(), b.position(), b.remaining(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("ä\tb\\"); // no escapes in binary
        b = field("jsonb", "{\"a\":1}", named(Schema.Type.STRING, DBZ_JSON));
        assertThat(b.get()).as("jsonb version").isEqualTo((byte) 1);
        assertThat(b.remaining()).isEqualTo(7);
        b = field("bytea", new byte[] {0, (byte) 0xFF}, Schema.BYTES_SCHEMA);
        assertThat(b.remaining()).isEqualTo(2);
        assertThat(b.get(b.position() + 1)).isEqualTo((byte) 0xFF);
        b = field("text", "a\0b", Schema.STRING_SCHEMA);
        assertThat(b.remaining()).as("NUL stripped as on the text path").isEqualTo(2);
    }

    @Test
    void valuesWithoutAnExactBinaryFormGoAsText() {
        noBinaryForm("integer", 3_000_000_000L, Schema.INT64_SCHEMA); // PostgreSQL's "integer out of range"
        noBinaryForm("smallint", 40_000, Schema.INT32_SCHEMA);
        noBinaryForm("timestamp(3) without time zone", 946_684_800_000_001L, named(Schema.Type.INT64, DBZ_MICRO_TIMESTAMP));
        noBinaryForm("timestamp(6) without time zone", "2000-01-01T00:00:00Z", named(Schema.Type.STRING, DBZ_ZONED_TIMESTAMP));
        noBinaryForm("timestamp(6) with time zone", "not a time", named(Schema.Type.STRING, DBZ_ZONED_TIMESTAMP));
        noBinaryForm("numeric", Double.NaN, Schema.FLOAT64_SCHEMA);
        noBinaryForm("boolean", "yes", Schema.STRING_SCHEMA);
        noBinaryForm("integer", "0x1F", Schema.STRING_SCHEMA);
        noBinaryForm("double precision", "0x1p3", Schema.STRING_SCHEMA);
        noBinaryForm("date", 86_400_000L, named(Schema.Type.INT64, DBZ_TIMESTAMP)); // the text path checks midnight
    }

    @Test
    void zonedTimestampsReadByHandAsTheJdkReadsThem() {
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            java.time.OffsetDateTime t = java.time.OffsetDateTime.of(1 + r.nextInt(9999), 1 + r.nextInt(12), 1,
                    r.nextInt(24), r.nextInt(60), r.nextInt(60), 0, java.time.ZoneOffset.ofTotalSeconds(
                            (r.nextInt(35) - 17) * 3600 + (r.nextBoolean() ? 0 : 30 * 60 * Integer.signum(r.nextInt(3) - 1))))
                    .plusDays(r.nextInt(28)).withNano(r.nextInt(4) == 0 ? 0 : r.nextInt(1_000_000) * 1_000);
            String s = t.format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            java.time.Instant at = t.toInstant();
            assertThat(BinaryForms.zonedMicros(s)).as(s).isEqualTo(at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000);
        }
        assertThat(BinaryForms.zonedMicros("2024-02-29T23:59:59.5-00:30")).isEqualTo(
                java.time.OffsetDateTime.parse("2024-02-29T23:59:59.5-00:30").toInstant().toEpochMilli() * 1_000L);
        for (String refused : new String[] {"2023-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "2024-01-01T00:00:00.0000001Z",
                "2024-01-01T24:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00+19:00", "2024-01-01 00:00:00Z",
                "2024-01-01T00:00:00"}) {
            assertThatThrownBy(() -> BinaryForms.zonedMicros(refused)).as(refused)
                    .isInstanceOf(BinaryForms.NoBinaryForm.class);
        }
    }
}
