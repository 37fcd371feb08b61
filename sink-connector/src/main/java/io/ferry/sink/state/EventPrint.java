package io.ferry.sink.state;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A 64-bit fingerprint of what a change event does (op, the row's index in its binlog rows event, key, before, after):
 * the same event sent again by Debezium has the same print, in any JVM. Two events of one transaction that do the very
 * same thing to a keyless table in two statements share a print; see the README's guarantees.
 *
 * <p>The values are streamed through a MurmurHash3-style 64-bit mix, each tagged with its type and length, so
 * ("ab", "c") and ("a", "bc") differ. The fence prints every event of a multi-row transaction but the first, and the
 * earlier print (the event rendered to text, then SHA-256) was 28% of a CDC task's CPU. Prints stored by that earlier
 * version are still read: {@link #legacy} computes them for the one transaction such a mark can still be in.
 */
final class EventPrint {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    // type tags: distinct from each other and from any length word (lengths go in the upper bits)
    private static final int NULL = 1, STRUCT = 2, END = 3, STRING = 4, BYTES = 5, LONG = 6, INT = 7, SHORT = 8,
            BYTE = 9, BOOL = 10, DOUBLE = 11, FLOAT = 12, DECIMAL = 13, DATE = 14, LIST = 15, MAP = 16, OTHER = 17;

    private long h = 0x6a09e667f3bcc908L;
    private long words;

    private EventPrint() {}

    static long of(Struct envelope, Object key) {
        EventPrint p = new EventPrint();
        p.value(get(envelope, "op"));
        Object source = get(envelope, "source");
        p.value(source instanceof Struct s ? get(s, "row") : null);
        p.value(key);
        p.value(get(envelope, "before"));
        p.value(get(envelope, "after"));
        return p.finish();
    }

    private void value(Object v) {
        if (v == null) {
            word(NULL);
        } else if (v instanceof Struct s) {
            List<Field> fields = s.schema().fields();
            word(STRUCT | (long) fields.size() << 8);
            for (Field f : fields) {
                String name = f.name();
                word((long) name.hashCode() << 32 | name.length()); // a schema's names: String caches their hash
                value(s.get(f));
            }
            word(END);
        } else if (v instanceof String str) {
            string(STRING, str);
        } else if (v instanceof Long l) {
            tagged(LONG, l);
        } else if (v instanceof Integer i) {
            tagged(INT, i);
        } else if (v instanceof Short i) {
            tagged(SHORT, i);
        } else if (v instanceof Byte i) {
            tagged(BYTE, i);
        } else if (v instanceof Boolean b) {
            tagged(BOOL, b ? 1 : 0);
        } else if (v instanceof Double d) {
            tagged(DOUBLE, Double.doubleToLongBits(d));
        } else if (v instanceof Float f) {
            tagged(FLOAT, Float.floatToIntBits(f));
        } else if (v instanceof BigDecimal d) {
            tagged(DECIMAL, d.scale());
            bytes(d.unscaledValue().toByteArray());
        } else if (v instanceof java.util.Date d) {
            tagged(DATE, d.getTime()); // by content: toString() would be the JVM's zone
        } else if (v instanceof byte[] b) {
            bytes(b);
        } else if (v instanceof ByteBuffer buf) {
            ByteBuffer d = buf.duplicate();
            byte[] b = new byte[d.remaining()];
            d.get(b);
            bytes(b);
        } else if (v instanceof Collection<?> c) {
            word(LIST | (long) c.size() << 8);
            c.forEach(this::value);
            word(END);
        } else if (v instanceof Map<?, ?> m) {
            word(MAP | (long) m.size() << 8);
            m.forEach((k, o) -> {
                value(k);
                value(o);
            });
            word(END);
        } else {
            string(OTHER, v.getClass().getName());
            string(STRING, v.toString());
        }
    }

    private void tagged(int tag, long v) {
        word(tag);
        word(v);
    }

    private void string(int tag, String s) {
        int n = s.length();
        word(tag | (long) n << 8);
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            word((long) s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48);
        }
        if (i < n) {
            long w = 0;
            for (int shift = 0; i < n; i++, shift += 16) {
                w |= (long) s.charAt(i) << shift;
            }
            word(w);
        }
    }

    private void bytes(byte[] b) {
        int n = b.length;
        word(BYTES | (long) n << 8);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long w = 0;
            for (int j = 0; j < 8; j++) {
                w |= (b[i + j] & 0xffL) << (8 * j);
            }
            word(w);
        }
        if (i < n) {
            long w = 0;
            for (int shift = 0; i < n; i++, shift += 8) {
                w |= (b[i] & 0xffL) << shift;
            }
            word(w);
        }
    }

    private void word(long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        k *= C2;
        h ^= k;
        h = Long.rotateLeft(h, 27) * 5 + 0x52dce729L;
        words++;
    }

    private long finish() {
        long x = h ^ words;
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    /** The print as Ferry stored it before this format (the event rendered to text, SHA-256, its first 8 bytes). */
    static long legacy(Struct envelope, Object key) {
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
