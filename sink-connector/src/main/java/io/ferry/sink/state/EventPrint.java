package io.ferry.sink.state;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;

/**
 * A 64-bit fingerprint of what a change event does (op, the row's index in its binlog rows event, key, before, after):
 * the same event sent again by Debezium has the same print, in any JVM. Two events of one transaction that do the very
 * same thing to a keyless table in two statements share a print; see the README's guarantees.
 */
final class EventPrint {
    private EventPrint() {}

    static long of(Struct envelope, Object key) {
        StringBuilder b = new StringBuilder();
        render(b, get(envelope, "op"));
        Object source = get(envelope, "source");
        b.append('|');
        render(b, source instanceof Struct s ? get(s, "row") : null);
        b.append('|');
        render(b, key);
        b.append('|');
        render(b, get(envelope, "before"));
        b.append('|');
        render(b, get(envelope, "after"));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Values by content: toString() of byte arrays and buffers is their identity, and of dates the JVM's zone. */
    private static void render(StringBuilder b, Object v) {
        if (v == null) {
            b.append('~');
        } else if (v instanceof Struct s) {
            b.append('{');
            for (Field f : s.schema().fields()) {
                b.append(f.name()).append('=');
                render(b, s.get(f));
                b.append(',');
            }
            b.append('}');
        } else if (v instanceof byte[] bytes) {
            b.append("0x").append(HexFormat.of().formatHex(bytes));
        } else if (v instanceof ByteBuffer buf) {
            ByteBuffer d = buf.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            b.append("0x").append(HexFormat.of().formatHex(bytes));
        } else if (v instanceof java.util.Date d) {
            b.append('@').append(d.getTime());
        } else if (v instanceof Collection<?> c) {
            b.append('[');
            c.forEach(o -> {
                render(b, o);
                b.append(',');
            });
            b.append(']');
        } else if (v instanceof Map<?, ?> m) {
            b.append('<');
            m.forEach((k, o) -> {
                render(b, k);
                b.append(':');
                render(b, o);
                b.append(',');
            });
            b.append('>');
        } else {
            b.append(v.getClass().getSimpleName()).append(':').append(v);
        }
    }

    private static Object get(Struct s, String name) {
        Field f = s.schema().field(name);
        return f == null ? null : s.get(f);
    }
}
