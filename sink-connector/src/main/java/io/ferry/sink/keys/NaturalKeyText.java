package io.ferry.sink.keys;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * The key registry's text for a natural key: the same canonical encoding as the uuid strategy's name (see the
 * SurrogateKey transform), so one natural key reads the same in both strategies and anybody can compute it.
 * Per value, in declared order: {@code ~} for NULL, else {@code byteLength:text} (UTF-8), where text is decimal for
 * integers, plain without trailing zeros for DECIMAL, {@code true}/{@code false}, the string as stored (case and
 * trailing spaces kept), lowercase hex for bytes, and the numeric Connect value for temporal types.
 */
public final class NaturalKeyText {

    private static final HexFormat HEX = HexFormat.of();

    private NaturalKeyText() {
    }

    public static String of(List<Object> values) {
        StringBuilder out = new StringBuilder();
        for (Object v : values) {
            if (v == null) {
                out.append('~');
            } else {
                String text = valueText(v);
                out.append(text.getBytes(StandardCharsets.UTF_8).length).append(':').append(text);
            }
        }
        return out.toString();
    }

    private static String valueText(Object v) {
        if (v instanceof BigDecimal d) {
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof byte[] b) {
            return HEX.formatHex(b);
        }
        if (v instanceof ByteBuffer buf) {
            ByteBuffer dup = buf.duplicate();
            byte[] b = new byte[dup.remaining()];
            dup.get(b);
            return HEX.formatHex(b);
        }
        if (v instanceof java.util.Date date) {
            return Long.toString(date.getTime());
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v.toString();
        }
        throw new IllegalArgumentException("a natural-key value of type " + v.getClass().getSimpleName()
                + " has no canonical text");
    }
}
