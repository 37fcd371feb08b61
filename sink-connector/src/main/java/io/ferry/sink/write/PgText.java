package io.ferry.sink.write;

import io.ferry.sink.config.FerrySinkConfig.NulPolicy;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.schema.TargetColumn;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;

import static io.ferry.sink.schema.SemanticTypes.*;

/**
 * Turns one Connect value into PostgreSQL's text input form for its target column. COPY (text format) and the
 * untyped bound parameters of upserts and deletes both take this form, so the snapshot and CDC paths cannot drift
 * apart. The target column decides where Debezium is inconsistent (tinyint(1) is int16 in one place and a boolean
 * column in the target: the column wins), and a value its declared type would shorten or round without a word is
 * refused here ({@link ValueFit}); what PostgreSQL itself refuses (too long, out of range) it refuses with its reason.
 */
public final class PgText {

    private static final HexFormat HEX = HexFormat.of();
    private final NulPolicy nulPolicy;
    private long nulsStripped;

    public PgText(NulPolicy nulPolicy) {
        this.nulPolicy = nulPolicy;
    }

    /** NUL characters removed since the last call; reset on read. */
    public long takeNulsStripped() {
        long n = nulsStripped;
        nulsStripped = 0;
        return n;
    }

    /** The text form, or null for SQL NULL. */
    public String encode(Object value, Schema schema, TargetColumn column) {
        if (value == null) {
            return null;
        }
        String text = form(value, schema, column);
        return column.limits().length() < 0 && column.limits().precision() < 0 ? text : ValueFit.check(text, column);
    }

    private String form(Object value, Schema schema, TargetColumn column) {
        String name = schema.name();
        if (name != null) {
            String semantic = semantic(value, schema, column);
            if (semantic != null) {
                return semantic;
            }
        }
        return switch (schema.type()) {
            case INT8, INT16, INT32 -> column.isBoolean() ? (((Number) value).longValue() != 0 ? "t" : "f")
                    : value.toString();
            case INT64 -> int64((Long) value, schema, column);
            case FLOAT32 -> value.toString();
            case FLOAT64 -> float64((Double) value, column);
            // a boolean (BIT(1)) designed as a number is 1 or 0
            case BOOLEAN -> column.limits().isInteger() || column.limits().isNumeric() ? ((Boolean) value ? "1" : "0")
                    : (Boolean) value ? "t" : "f";
            case STRING -> text(value.toString(), column);
            case BYTES -> bytea(value);
            case ARRAY -> array((Collection<?>) value, schema.valueSchema(), column);
            default -> throw new BadRecordException("column \"" + column.name() + "\": cannot write a " + schema.type()
                    + " value into " + column.sqlType());
        };
    }

    private String semantic(Object value, Schema schema, TargetColumn column) {
        return switch (schema.name()) {
            case DBZ_DATE -> date(LocalDate.ofEpochDay(((Number) value).longValue()));
            case Date.LOGICAL_NAME -> LocalDate.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC).toString();
            case DBZ_TIME -> time(((Number) value).longValue() * 1_000L, column);
            case DBZ_MICRO_TIME -> time(((Number) value).longValue(), column);
            case DBZ_NANO_TIME -> time(((Number) value).longValue() / 1_000L, column);
            case Time.LOGICAL_NAME -> time(((java.util.Date) value).getTime() * 1_000L, column);
            case DBZ_TIMESTAMP -> timestamp(Instant.ofEpochMilli(((Number) value).longValue()), column);
            case DBZ_MICRO_TIMESTAMP -> timestamp(micros(((Number) value).longValue()), column);
            case DBZ_NANO_TIMESTAMP -> {
                long nanos = ((Number) value).longValue();
                yield timestamp(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)),
                        column);
            }
            case Timestamp.LOGICAL_NAME -> timestamp(((java.util.Date) value).toInstant(), column);
            case DBZ_ENUM_SET -> column.isArray() ? setToArray(value.toString(), column) : text(value.toString(), column);
            case DBZ_GEOMETRY, DBZ_POINT -> geometry((Struct) value, column);
            case DBZ_BITS -> column.limits().isBits() ? bits(bytes(value), bitWidth(value, schema), column)
                    : bytea(value);
            case Decimal.LOGICAL_NAME -> decimal((BigDecimal) value, column);
            case DBZ_VARIABLE_SCALE_DECIMAL -> {
                Struct s = (Struct) value;
                yield decimal(new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale")), column);
            }
            default -> null;
        };
    }

    /** The source's BIT(n) width (Debezium's length parameter), else what the bytes hold. */
    private static int bitWidth(Object value, Schema schema) {
        String length = schema.parameters() == null ? null : schema.parameters().get("length");
        try {
            return length == null ? bytes(value).length * 8 : Integer.parseInt(length.trim());
        } catch (NumberFormatException e) {
            return bytes(value).length * 8;
        }
    }

    /**
     * Debezium's little-endian BIT(n) bytes as PostgreSQL's bit string, most significant bit first: as wide as a
     * bit(n) column, as wide as the source for bit varying (whose length PostgreSQL checks). A set bit beyond a
     * bit(n) column's width is refused: cutting it would change the value.
     */
    private static String bits(byte[] littleEndian, int sourceWidth, TargetColumn column) {
        int n = column.limits().isFixedBits() && column.limits().length() > 0 ? column.limits().length() : sourceWidth;
        for (int i = n; i < littleEndian.length * 8; i++) {
            if (((littleEndian[i / 8] >> (i % 8)) & 1) == 1) {
                throw new BadRecordException("column \"" + column.name() + "\": bit string of " + sourceWidth
                        + " bits has a bit set beyond the " + n + " of " + column.sqlType());
            }
        }
        StringBuilder out = new StringBuilder(n);
        for (int i = n - 1; i >= 0; i--) {
            int b = i / 8;
            out.append(b < littleEndian.length && ((littleEndian[b] >> (i % 8)) & 1) == 1 ? '1' : '0');
        }
        return out.toString();
    }

    /** Exactly as given, or refused: PostgreSQL rounds to a numeric's scale and cannot take a fraction into an integer. */
    private static String decimal(BigDecimal d, TargetColumn column) {
        return exact(d, column).toPlainString();
    }

    /** The decimal to write into this column (a whole number's own form for an integer column), or refused. */
    static BigDecimal exact(BigDecimal d, TargetColumn column) {
        TargetColumn.Limits l = column.limits();
        if (l.isInteger() && d.scale() > 0) {
            BigDecimal whole = d.stripTrailingZeros();
            if (whole.scale() > 0) {
                throw new BadRecordException("column \"" + column.name() + "\": " + d.toPlainString()
                        + " has a fraction and " + column.sqlType() + " holds whole numbers only");
            }
            return whole;
        }
        if (l.isNumeric() && l.scale() >= 0 && d.scale() > l.scale() && d.stripTrailingZeros().scale() > l.scale()) {
            throw ValueFit.rounded(column, d.toPlainString());
        }
        return d;
    }

    /** A DOUBLE into a real column only when the float holds the same value. */
    private static String float64(double v, TargetColumn column) {
        if (column.baseName().equals("real") && (double) (float) v != v && !Double.isNaN(v)) {
            throw new BadRecordException("column \"" + column.name() + "\": " + v + " has more precision than "
                    + column.sqlType() + " keeps (it would become " + (float) v + "); make the column double precision");
        }
        return Double.toString(v);
    }

    private static String int64(long v, Schema schema, TargetColumn column) {
        if (v < 0 && io.ferry.sink.schema.TypeRegistry.isUnsignedBigintAsLong(schema)) {
            throw new BadRecordException("column \"" + column.name() + "\": BIGINT UNSIGNED value arrived as " + v
                    + " (it was " + Long.toUnsignedString(v) + "); set bigint.unsigned.handling.mode=precise on the "
                    + "source connector");
        }
        return column.isBoolean() ? (v != 0 ? "t" : "f") : Long.toString(v);
    }

    /** MySQL TIME spans -838:59:59..838:59:59; only an interval column holds all of it. */
    private static String time(long micros, TargetColumn column) {
        if (column.isInterval()) {
            return micros + " microseconds";
        }
        if (micros < 0 || micros > 86_400_000_000L) {
            throw new BadRecordException("column \"" + column.name() + "\": TIME value of " + micros
                    + " microseconds is outside a day and does not fit " + column.sqlType()
                    + "; make the target column an interval");
        }
        long secs = micros / 1_000_000L;
        return String.format("%02d:%02d:%02d.%06d", secs / 3600, (secs / 60) % 60, secs % 60, micros % 1_000_000L);
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /**
     * Debezium's DATETIME values are wall-clock times encoded as if UTC; they go to timestamp without time zone, and a
     * timestamptz column takes them as UTC (the sink's session time zone). A date column takes only midnight.
     */
    private static String timestamp(Instant instant, TargetColumn column) {
        LocalDateTime ldt = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        if (column.baseName().equals("date")) {
            if (!ldt.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)) {
                throw new BadRecordException("column \"" + column.name() + "\": " + ldt + " has a time of day and "
                        + column.sqlType() + " holds dates only");
            }
            return date(ldt.toLocalDate());
        }
        int year = ldt.getYear();
        if (year <= 0) {
            return LocalDateTime.of(1 - year, ldt.getMonth(), ldt.getDayOfMonth(), ldt.getHour(), ldt.getMinute(),
                    ldt.getSecond(), ldt.getNano()) + " BC";
        }
        return ldt.toString();
    }

    private static String date(LocalDate d) {
        return d.getYear() <= 0 ? LocalDate.of(1 - d.getYear(), d.getMonth(), d.getDayOfMonth()) + " BC" : d.toString();
    }

    private String text(String s, TargetColumn column) {
        if (s.indexOf('\0') < 0) {
            return s;
        }
        if (nulPolicy == NulPolicy.FAIL) {
            throw new BadRecordException("column \"" + column.name() + "\": text contains a NUL (0x00) character, which "
                    + "PostgreSQL cannot store, and text.nul.policy=fail");
        }
        int before = s.length();
        String stripped = s.replace("\0", "");
        nulsStripped += before - stripped.length();
        return stripped;
    }

    /** The target column's type decides the form: bytea gets WKB, text WKT, PostGIS geometry hex EWKB. */
    private static String geometry(Struct value, TargetColumn column) {
        byte[] wkb = value.getBytes("wkb");
        Integer srid = value.schema().field("srid") == null ? null : value.getInt32("srid");
        try {
            return switch (column.baseName()) {
                case "text", "character varying" -> Wkb.toText(wkb, srid);
                case "geometry", "geography" -> Wkb.toEwkbHex(wkb, srid);
                default -> bytea(wkb);
            };
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new BadRecordException("column \"" + column.name() + "\": geometry value is not valid WKB: "
                    + (e.getMessage() == null ? "it ends early" : e.getMessage()));
        }
    }

    private static String bytea(Object value) {
        return "\\x" + HEX.formatHex(bytes(value));
    }

    /** A BYTES value (byte[] or ByteBuffer) as its bytes. */
    static byte[] bytes(Object value) {
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer dup = buffer.duplicate();
            byte[] bytes = new byte[dup.remaining()];
            dup.get(bytes);
            return bytes;
        }
        return (byte[]) value;
    }

    private String setToArray(String set, TargetColumn column) {
        if (set.isEmpty()) {
            return "{}";
        }
        TargetColumn element = column.element();
        StringBuilder sb = new StringBuilder("{");
        String[] parts = set.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendArrayElement(sb, ValueFit.check(parts[i], element));
        }
        return sb.append('}').toString();
    }

    private String array(Collection<?> values, Schema elementSchema, TargetColumn column) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        TargetColumn element = column.element();
        for (Object v : values) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            String encoded = encode(v, elementSchema, element);
            if (encoded == null) {
                sb.append("NULL");
            } else {
                appendArrayElement(sb, encoded);
            }
        }
        return sb.append('}').toString();
    }

    private static void appendArrayElement(StringBuilder sb, String element) {
        sb.append('"');
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }
}
