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
 * bound parameters of upserts ({@code ?::type}) both take this form, so the snapshot and CDC paths cannot drift
 * apart. The target column decides where Debezium is inconsistent (tinyint(1) is int16 in one place and a boolean
 * column in the target: the column wins).
 */
public final class PgText {

    private static final HexFormat HEX = HexFormat.of();
    /** The length in a type like bit(12). */
    private static final java.util.regex.Pattern TYPMOD = java.util.regex.Pattern.compile("\\((\\d+)\\)");

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
        String name = schema.name();
        if (name != null) {
            String semantic = semantic(value, name, column);
            if (semantic != null) {
                return semantic;
            }
        }
        return switch (schema.type()) {
            case INT8, INT16, INT32 -> column.isBoolean() ? (((Number) value).longValue() != 0 ? "t" : "f")
                    : value.toString();
            case INT64 -> int64((Long) value, schema, column);
            case FLOAT32, FLOAT64 -> value.toString();
            case BOOLEAN -> ((Boolean) value) ? "t" : "f";
            case STRING -> text(value.toString(), column);
            case BYTES -> bytea(value);
            case ARRAY -> array((Collection<?>) value, schema.valueSchema(), column);
            default -> throw new BadRecordException("column \"" + column.name() + "\": cannot write a " + schema.type()
                    + " value into " + column.sqlType());
        };
    }

    private String semantic(Object value, String name, TargetColumn column) {
        return switch (name) {
            case DBZ_DATE -> LocalDate.ofEpochDay(((Number) value).longValue()).toString();
            case Date.LOGICAL_NAME -> LocalDate.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC).toString();
            case DBZ_TIME -> time(((Number) value).longValue() * 1_000L, column);
            case DBZ_MICRO_TIME -> time(((Number) value).longValue(), column);
            case DBZ_NANO_TIME -> time(((Number) value).longValue() / 1_000L, column);
            case Time.LOGICAL_NAME -> time(((java.util.Date) value).getTime() * 1_000L, column);
            case DBZ_TIMESTAMP -> timestamp(Instant.ofEpochMilli(((Number) value).longValue()));
            case DBZ_MICRO_TIMESTAMP -> timestamp(micros(((Number) value).longValue()));
            case DBZ_NANO_TIMESTAMP -> {
                long nanos = ((Number) value).longValue();
                yield timestamp(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
            }
            case Timestamp.LOGICAL_NAME -> timestamp(((java.util.Date) value).toInstant());
            case DBZ_ENUM_SET -> column.isArray() ? setToArray(value.toString()) : text(value.toString(), column);
            case DBZ_GEOMETRY, DBZ_POINT -> geometry((Struct) value, column);
            case DBZ_BITS -> column.castType().startsWith("bit") ? bits(bytes(value), column) : bytea(value);
            case Decimal.LOGICAL_NAME -> ((BigDecimal) value).toPlainString();
            case DBZ_VARIABLE_SCALE_DECIMAL -> {
                Struct s = (Struct) value;
                yield new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale")).toPlainString();
            }
            default -> null;
        };
    }

    /** Debezium's little-endian BIT(n) bytes as PostgreSQL's bit string, most significant bit first. */
    private static String bits(byte[] littleEndian, TargetColumn column) {
        java.util.regex.Matcher m = TYPMOD.matcher(column.sqlType());
        int n = m.find() ? Integer.parseInt(m.group(1)) : littleEndian.length * 8;
        StringBuilder out = new StringBuilder(n);
        for (int i = n - 1; i >= 0; i--) {
            int b = i / 8;
            out.append(b < littleEndian.length && ((littleEndian[b] >> (i % 8)) & 1) == 1 ? '1' : '0');
        }
        return out.toString();
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

    /** Debezium's DATETIME values are wall-clock times encoded as if UTC; they go to timestamp without time zone. */
    private static String timestamp(Instant instant) {
        LocalDateTime ldt = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        int year = ldt.getYear();
        if (year <= 0) {
            return LocalDateTime.of(1 - year, ldt.getMonth(), ldt.getDayOfMonth(), ldt.getHour(), ldt.getMinute(),
                    ldt.getSecond(), ldt.getNano()) + " BC";
        }
        return ldt.toString();
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
            return switch (column.castType()) {
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

    private static byte[] bytes(Object value) {
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer dup = buffer.duplicate();
            byte[] bytes = new byte[dup.remaining()];
            dup.get(bytes);
            return bytes;
        }
        return (byte[]) value;
    }

    private String setToArray(String set) {
        if (set.isEmpty()) {
            return "{}";
        }
        StringBuilder sb = new StringBuilder("{");
        String[] parts = set.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendArrayElement(sb, parts[i]);
        }
        return sb.append('}').toString();
    }

    private String array(Collection<?> values, Schema elementSchema, TargetColumn column) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        TargetColumn element = new TargetColumn(column.name(), column.sqlType().replace("[]", ""),
                column.castType().replace("[]", ""));
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
