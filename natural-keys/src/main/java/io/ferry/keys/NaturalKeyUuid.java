package io.ferry.keys;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Ferry's deterministic surrogate key: a name-based UUID (RFC 4122 version 5, SHA-1) of a row's natural-key values.
 * The same values give the same id in the snapshot and in CDC, on every worker, after every restart, and a child
 * row computes its parent's id from its own columns without any lookup. The encoding is fixed and documented so
 * that anybody can compute the same ids:
 * <pre>
 *   namespace(table) = uuidV5(6ba7b811-9dad-11d1-80b4-00c04fd430c8, "ferry:table:" + table)
 *   name             = concatenation over the key values, in declared order, of
 *                        "~"                                    for NULL
 *                        byteLength(text) + ":" + text          otherwise (UTF-8)
 *   text             = integers in decimal; DECIMAL as plain text without trailing zeros ("1.50" -> "1.5");
 *                      booleans "true"/"false"; strings exactly as stored (case and trailing spaces kept);
 *                      bytes as lowercase hex; Debezium temporal values as their numeric Connect value
 *   id               = uuidV5(namespace(table), UTF-8 bytes of name)
 * </pre>
 */
public final class NaturalKeyUuid {

    /** RFC 4122 Appendix C: the namespace for URLs, used as Ferry's root. */
    public static final UUID ROOT = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
    private static final HexFormat HEX = HexFormat.of();

    private NaturalKeyUuid() {}

    public static UUID namespace(String table) {
        return v5(ROOT, ("ferry:table:" + table).getBytes(StandardCharsets.UTF_8));
    }

    public static UUID of(UUID namespace, List<Object> values, List<Schema> schemas) {
        return v5(namespace, name(values, schemas).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The name of a natural key: what the uuid is computed from, and what the sink's key registry stores for it.
     *
     * @param schemas the values' Connect schemas, or null when the values alone say what they are
     */
    public static String name(List<Object> values, List<Schema> schemas) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v == null) {
                name.append('~');
            } else {
                String text = text(v, schemas == null ? null : schemas.get(i));
                name.append(text.getBytes(StandardCharsets.UTF_8).length).append(':').append(text);
            }
        }
        return name.toString();
    }

    /** The canonical text of one natural-key value (see the class comment). */
    public static String text(Object v, Schema schema) {
        if (v instanceof BigDecimal d || (schema != null && Decimal.LOGICAL_NAME.equals(schema.name()) && v instanceof BigDecimal)) {
            BigDecimal dec = (BigDecimal) v;
            return dec.signum() == 0 ? "0" : dec.stripTrailingZeros().toPlainString();
        }
        if (v instanceof byte[] bytes) {
            return HEX.formatHex(bytes);
        }
        if (v instanceof ByteBuffer buffer) {
            ByteBuffer dup = buffer.duplicate();
            byte[] bytes = new byte[dup.remaining()];
            dup.get(bytes);
            return HEX.formatHex(bytes);
        }
        if (v instanceof java.util.Date date) {
            return Long.toString(date.getTime());
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v.toString();
        }
        throw new DataException("a natural-key value of type " + v.getClass().getSimpleName() + " cannot be encoded");
    }

    /** RFC 4122 version 5 (SHA-1) of the name's bytes in the namespace. */
    public static UUID v5(UUID namespace, byte[] name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java runtime", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits())
                .putLong(namespace.getLeastSignificantBits());
        sha1.update(ns.array());
        sha1.update(name);
        byte[] hash = sha1.digest();
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }
}
