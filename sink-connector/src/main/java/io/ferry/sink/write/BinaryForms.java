package io.ferry.sink.write;

import io.ferry.sink.schema.TargetColumn;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;

import static io.ferry.sink.schema.SemanticTypes.*;

/**
 * PostgreSQL's binary COPY form of a value for its target column, for the column types whose binary form is plain
 * (integers, boolean, floats, numeric, text/varchar/char, json/jsonb, bytea, timestamp/timestamptz, date). PostgreSQL
 * parses these cheaper than their text, and the common values (integers, timestamps, decimals) skip being formatted
 * as text here too.
 * <p>
 * Every value is held to the same rules as the text path: where the value is not one of the direct cases, its text
 * form comes from {@link PgText} (which refuses what would be shortened or rounded) and is turned into the binary
 * form. A value with no exact binary form (out of range for the column, more fractional digits than it keeps, a
 * string PostgreSQL would parse its own way) throws {@link NoBinaryForm}: the caller writes those rows as text, so
 * PostgreSQL judges them exactly as before.
 */
final class BinaryForms {

    private BinaryForms() {}

    /** Microseconds and days from the Unix epoch to PostgreSQL's (2000-01-01). */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final int PG_EPOCH_DAYS = 10_957;
    private static final int JSONB_VERSION = 1;
    private static final HexFormat HEX = HexFormat.of();

    /** No exact binary form for this value: write the rows as text. Thrown often enough to skip the stack trace. */
    static final class NoBinaryForm extends RuntimeException {
        static final NoBinaryForm INSTANCE = new NoBinaryForm();

        private NoBinaryForm() {
            super("no binary COPY form", null, false, false);
        }
    }

    enum Kind { INT2, INT4, INT8, BOOL, FLOAT4, FLOAT8, NUMERIC, TEXT, JSONB, BYTEA, TIMESTAMP, TIMESTAMPTZ, DATE }

    /** The binary form this column takes, or null when Ferry writes it as text only. */
    static Kind of(TargetColumn column) {
        return switch (column.baseName()) {
            case "smallint" -> Kind.INT2;
            case "integer" -> Kind.INT4;
            case "bigint" -> Kind.INT8;
            case "boolean" -> Kind.BOOL;
            case "real" -> Kind.FLOAT4;
            case "double precision" -> Kind.FLOAT8;
            case "numeric" -> Kind.NUMERIC;
            case "text", "character varying", "character", "json" -> Kind.TEXT;
            case "jsonb" -> Kind.JSONB;
            case "bytea" -> Kind.BYTEA;
            case "timestamp without time zone" -> Kind.TIMESTAMP;
            case "timestamp with time zone" -> Kind.TIMESTAMPTZ;
            case "date" -> Kind.DATE;
            default -> null;
        };
    }

    /** One non-null value into the stream as {@code kind}, or {@link NoBinaryForm}. */
    static void write(CopyStream out, Kind kind, Object value, Schema schema, TargetColumn column, PgText text) {
        try {
            form(out, kind, value, schema, column, text);
        } catch (ArithmeticException e) {
            throw NoBinaryForm.INSTANCE; // beyond what the binary field holds: out of the type's range anyway
        }
    }

    private static void form(CopyStream out, Kind kind, Object value, Schema schema, TargetColumn column, PgText text) {
        switch (kind) {
            case INT2, INT4, INT8 -> integer(out, kind, value, schema, column, text);
            case BOOL -> {
                if (schema.type() == Schema.Type.BOOLEAN && schema.name() == null) {
                    out.binaryByte((Boolean) value ? 1 : 0);
                } else {
                    String t = text.encode(value, schema, column);
                    out.binaryByte(switch (t) {
                        case "t" -> 1;
                        case "f" -> 0;
                        default -> throw NoBinaryForm.INSTANCE;
                    });
                }
            }
            case FLOAT4 -> {
                if (schema.type() == Schema.Type.FLOAT32 && schema.name() == null) {
                    out.binaryInt32(Float.floatToRawIntBits((Float) value));
                } else {
                    out.binaryInt32(Float.floatToRawIntBits(Float.parseFloat(number(text.encode(value, schema, column)))));
                }
            }
            // a FLOAT32 goes through its text: PostgreSQL reads Float.toString's digits, not the float widened
            case FLOAT8 -> out.binaryInt64(Double.doubleToRawLongBits(
                    schema.type() == Schema.Type.FLOAT64 && schema.name() == null ? (Double) value
                            : Double.parseDouble(number(text.encode(value, schema, column)))));
            case NUMERIC -> numeric(out, Decimal.LOGICAL_NAME.equals(schema.name())
                    ? PgText.exact((BigDecimal) value, column) : decimal(text.encode(value, schema, column)));
            case TEXT -> out.binaryText(-1, text.encode(value, schema, column));
            case JSONB -> out.binaryText(JSONB_VERSION, text.encode(value, schema, column));
            case BYTEA -> {
                if (schema.type() == Schema.Type.BYTES && schema.name() == null) {
                    out.binaryBytes(PgText.bytes(value));
                } else {
                    String t = text.encode(value, schema, column);
                    if (!t.startsWith("\\x")) {
                        throw NoBinaryForm.INSTANCE;
                    }
                    out.binaryBytes(HEX.parseHex(t, 2, t.length()));
                }
            }
            case TIMESTAMP, TIMESTAMPTZ -> out.binaryInt64(timestampMicros(kind, value, schema, column) - PG_EPOCH_MICROS);
            case DATE -> out.binaryInt32(Math.toIntExact(epochDay(value, schema) - PG_EPOCH_DAYS));
        }
    }

    private static void integer(CopyStream out, Kind kind, Object value, Schema schema, TargetColumn column,
                                PgText text) {
        long v;
        Schema.Type type = schema.type();
        if (schema.name() == null && (type == Schema.Type.INT8 || type == Schema.Type.INT16 || type == Schema.Type.INT32
                || type == Schema.Type.INT64 && (Long) value >= 0)) {
            v = ((Number) value).longValue();
        } else {
            try {
                v = Long.parseLong(text.encode(value, schema, column)); // refusals (a fraction, unsigned) as in text
            } catch (NumberFormatException e) {
                throw NoBinaryForm.INSTANCE;
            }
        }
        long min = kind == Kind.INT2 ? Short.MIN_VALUE : kind == Kind.INT4 ? Integer.MIN_VALUE : Long.MIN_VALUE;
        long max = kind == Kind.INT2 ? Short.MAX_VALUE : kind == Kind.INT4 ? Integer.MAX_VALUE : Long.MAX_VALUE;
        if (v < min || v > max) {
            throw NoBinaryForm.INSTANCE; // PostgreSQL refuses it, and says so best from the text
        }
        switch (kind) {
            case INT2 -> out.binaryInt16((short) v);
            case INT4 -> out.binaryInt32((int) v);
            default -> out.binaryInt64(v);
        }
    }

    /** Java parses hexadecimal and suffixed floats PostgreSQL does not: only what both read the same. */
    private static String number(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'E' || c == 'e')) {
                if (t.equals("NaN") || t.equals("Infinity") || t.equals("-Infinity")) {
                    return t;
                }
                throw NoBinaryForm.INSTANCE;
            }
        }
        return t;
    }

    private static BigDecimal decimal(String t) {
        try {
            return new BigDecimal(number(t));
        } catch (NumberFormatException e) {
            throw NoBinaryForm.INSTANCE; // NaN, Infinity: numeric's text form says it
        }
    }

    /**
     * Base-10000 digits aligned on the decimal point, weight of the first, display scale the decimal's own (as
     * numeric_in gives it for the same digits); the column's typmod then rounds and range-checks as for text.
     */
    static void numeric(CopyStream out, BigDecimal d) {
        int scale = d.scale();
        if (scale >= 0 && scale <= 0x3FFF && d.precision() <= 15) {
            // the common decimal: padded to whole groups it still fits a long, so no BigInteger arithmetic
            int pad = (4 - scale % 4) % 4;
            short[] groups = new short[5];
            int count = groups(Math.abs(d.unscaledValue().longValue()) * POW10[pad], groups);
            writeNumeric(out, groups, count, (scale + pad) / 4, d.signum() < 0, scale);
            return;
        }
        BigInteger unscaled = d.unscaledValue().abs();
        if (scale < 0) {
            unscaled = unscaled.multiply(BigInteger.TEN.pow(-scale));
            scale = 0;
        }
        if (scale > 0x3FFF) {
            throw NoBinaryForm.INSTANCE;
        }
        int pad = (4 - scale % 4) % 4;
        if (pad > 0) {
            unscaled = unscaled.multiply(BigInteger.TEN.pow(pad));
        }
        short[] groups = new short[unscaled.bitLength() / 13 + 2]; // 10000 > 2^13: at most one group per 13 bits
        int count = 0;
        if (unscaled.bitLength() < 63) {
            count = groups(unscaled.longValue(), groups);
        } else {
            BigInteger base = BigInteger.valueOf(10_000);
            while (unscaled.signum() != 0) {
                BigInteger[] qr = unscaled.divideAndRemainder(base);
                groups[count++] = qr[1].shortValue();
                unscaled = qr[0];
            }
        }
        writeNumeric(out, groups, count, (scale + pad) / 4, d.signum() < 0, scale);
    }

    private static final long[] POW10 = {1, 10, 100, 1000};

    /** A non-negative long's base-10000 digits into {@code groups}, least significant first; returns their count. */
    private static int groups(long n, short[] groups) {
        int count = 0;
        while (n != 0) {
            groups[count++] = (short) (n % 10_000);
            n /= 10_000;
        }
        return count;
    }

    /** {@code groups}: base-10000 digits, least significant first, {@code fractionGroups} of them after the point. */
    private static void writeNumeric(CopyStream out, short[] groups, int count, int fractionGroups, boolean negative,
                                     int scale) {
        // groups hold the least significant first; trailing zero groups carry nothing
        int low = 0;
        while (low < count && groups[low] == 0) {
            low++;
        }
        int digits = count - low;
        short[] ordered = new short[digits];
        for (int i = 0; i < digits; i++) {
            ordered[i] = groups[count - 1 - i];
        }
        int weight = digits == 0 ? 0 : count - 1 - fractionGroups;
        if (weight > Short.MAX_VALUE || weight < Short.MIN_VALUE) {
            throw NoBinaryForm.INSTANCE;
        }
        out.binaryNumeric(ordered, digits, weight, negative, scale);
    }

    /**
     * Debezium's DATETIME forms (wall-clock as if UTC: the text path writes them without a zone into a session in UTC),
     * and a ZonedTimestamp string into timestamptz. Fractional digits beyond the column's precision have no binary
     * form (the text path refuses them).
     */
    private static long timestampMicros(Kind kind, Object value, Schema schema, TargetColumn column) {
        String name = schema.name();
        long micros;
        if (name == null) {
            throw NoBinaryForm.INSTANCE;
        }
        switch (name) {
            case DBZ_MICRO_TIMESTAMP -> micros = ((Number) value).longValue();
            case DBZ_TIMESTAMP -> micros = Math.multiplyExact(((Number) value).longValue(), 1_000L);
            case DBZ_NANO_TIMESTAMP -> {
                long nanos = ((Number) value).longValue();
                if (nanos % 1_000L != 0) {
                    throw NoBinaryForm.INSTANCE;
                }
                micros = nanos / 1_000L;
            }
            case Timestamp.LOGICAL_NAME -> micros = Math.multiplyExact(((java.util.Date) value).getTime(), 1_000L);
            case DBZ_ZONED_TIMESTAMP -> {
                if (kind != Kind.TIMESTAMPTZ) {
                    throw NoBinaryForm.INSTANCE; // timestamp without time zone ignores a zone: PostgreSQL's reading
                }
                micros = zonedMicros(value.toString());
            }
            default -> throw NoBinaryForm.INSTANCE;
        }
        int precision = column.limits().precision();
        if (precision >= 0 && precision < 6 && micros % POWERS_OF_TEN[6 - precision] != 0) {
            throw NoBinaryForm.INSTANCE;
        }
        return micros;
    }

    /**
     * Debezium's ZonedTimestamp (ISO_OFFSET_DATE_TIME: {@code 2025-01-01T00:00:00[.fraction](Z|+hh:mm)}) as
     * microseconds from the Unix epoch. The common shape is read by hand: the JDK's parser builds maps per value and
     * took a quarter of the writer's time. Any other shape goes through the JDK's parser.
     */
    static long zonedMicros(String s) {
        int n = s.length();
        if (n >= 20 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T' && s.charAt(13) == ':'
                && s.charAt(16) == ':') {
            int year = digits(s, 0, 4);
            int month = digits(s, 5, 2);
            int day = digits(s, 8, 2);
            int hour = digits(s, 11, 2);
            int minute = digits(s, 14, 2);
            int second = digits(s, 17, 2);
            int i = 19;
            long nanos = 0;
            if (i < n && s.charAt(i) == '.') {
                int start = ++i;
                while (i < n && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    nanos = nanos * 10 + (s.charAt(i++) - '0');
                }
                if (i == start) {
                    return zonedMicrosSlow(s);
                }
                for (int k = i - start; k < 9; k++) {
                    nanos *= 10;
                }
            }
            int offset = Integer.MIN_VALUE;
            if (i == n - 1 && s.charAt(i) == 'Z') {
                offset = 0;
            } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
                int hh = digits(s, i + 1, 2);
                int mm = digits(s, i + 4, 2);
                if (hh >= 0 && hh <= 18 && mm >= 0 && mm < 60) {
                    offset = (s.charAt(i) == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
                }
            }
            if (year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour < 24
                    && minute >= 0 && minute < 60 && second >= 0 && second < 60 && offset != Integer.MIN_VALUE
                    && day <= java.time.YearMonth.of(year, month).lengthOfMonth()) {
                if (nanos % 1_000 != 0) {
                    throw NoBinaryForm.INSTANCE;
                }
                long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L
                        + second - offset;
                return seconds * 1_000_000L + nanos / 1_000;
            }
        }
        return zonedMicrosSlow(s);
    }

    /** Two or four ASCII digits as a number, or -1. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static long zonedMicrosSlow(String s) {
        try {
            OffsetDateTime parsed = OffsetDateTime.parse(s);
            var instant = parsed.toInstant();
            // PostgreSQL reads no year 0 or below in this form: its text path refuses what binary would store
            if (parsed.getYear() < 1 || instant.getNano() % 1_000 != 0) {
                throw NoBinaryForm.INSTANCE;
            }
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
        } catch (DateTimeParseException e) {
            throw NoBinaryForm.INSTANCE;
        }
    }

    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private static long epochDay(Object value, Schema schema) {
        if (DBZ_DATE.equals(schema.name())) {
            return ((Number) value).longValue();
        }
        if (Date.LOGICAL_NAME.equals(schema.name())) {
            return LocalDate.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC).toEpochDay();
        }
        throw NoBinaryForm.INSTANCE;
    }
}
