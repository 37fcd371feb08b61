package io.ferry.sink.write;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * Reads the OGC well-known binary that Debezium puts in a geometry's {@code wkb} field (MySQL's 2-D types: point,
 * linestring, polygon, their multi forms, collections) and writes it as WKT text, or as PostGIS's hex EWKB with the
 * SRID inside. A malformed value is an {@link IllegalArgumentException} naming what is wrong; nothing is guessed.
 */
public final class Wkb {

    private static final String[] NAMES = {null, "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
            "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
    private static final int EWKB_SRID_FLAG = 0x20000000;

    private Wkb() {
    }

    /** WKT, prefixed with {@code SRID=n;} (EWKT, as PostGIS reads it) when the SRID is not 0. */
    public static String toText(byte[] wkb, Integer srid) {
        StringBuilder out = new StringBuilder();
        if (srid != null && srid != 0) {
            out.append("SRID=").append(srid).append(';');
        }
        ByteBuffer buf = ByteBuffer.wrap(wkb);
        geometry(buf, out, true);
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException("WKB has " + buf.remaining() + " bytes after the geometry");
        }
        return out.toString();
    }

    /** Hex EWKB: the same geometry with the SRID flag and value in its header, PostGIS's text input for geometry. */
    public static String toEwkbHex(byte[] wkb, Integer srid) {
        if (wkb.length < 5) {
            throw new IllegalArgumentException("WKB of " + wkb.length + " bytes is too short for a geometry");
        }
        if (srid == null || srid == 0) {
            return HexFormat.of().formatHex(wkb);
        }
        ByteOrder order = wkb[0] == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer out = ByteBuffer.allocate(wkb.length + 4).order(order);
        out.put(wkb[0]);
        out.putInt(ByteBuffer.wrap(wkb, 1, 4).order(order).getInt() | EWKB_SRID_FLAG);
        out.putInt(srid);
        out.put(wkb, 5, wkb.length - 5);
        return HexFormat.of().formatHex(out.array());
    }

    private static void geometry(ByteBuffer buf, StringBuilder out, boolean named) {
        if (buf.remaining() < 5) {
            throw new IllegalArgumentException("WKB ends inside a geometry header");
        }
        buf.order(buf.get() == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int type = buf.getInt();
        if (type < 1 || type > 7) {
            throw new IllegalArgumentException("WKB geometry type " + type + " is not a 2-D OGC type (1-7)");
        }
        if (named) {
            out.append(NAMES[type]);
        }
        switch (type) {
            case 1 -> point(buf, out);
            case 2 -> points(buf, out);
            case 3 -> sequence(buf, out, () -> points(buf, out));
            // members of a multi type are written without their own name; a collection names each one
            default -> sequence(buf, out, () -> geometry(buf, out, type == 7));
        }
    }

    private static void point(ByteBuffer buf, StringBuilder out) {
        double x = buf.getDouble();
        double y = buf.getDouble();
        if (Double.isNaN(x) && Double.isNaN(y)) {
            out.append(" EMPTY");
            return;
        }
        out.append('(').append(number(x)).append(' ').append(number(y)).append(')');
    }

    private static void points(ByteBuffer buf, StringBuilder out) {
        sequence(buf, out, () -> out.append(number(buf.getDouble())).append(' ').append(number(buf.getDouble())));
    }

    /** A counted list: " EMPTY" when it has no element, else "(" elements separated by "," ")". */
    private static void sequence(ByteBuffer buf, StringBuilder out, Runnable element) {
        int n = count(buf);
        if (n == 0) {
            out.append(" EMPTY");
            return;
        }
        out.append('(');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(',');
            }
            element.run();
        }
        out.append(')');
    }

    private static int count(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalArgumentException("WKB count " + n + " does not fit the " + buf.remaining() + " bytes left");
        }
        return n;
    }

    /** As MySQL's ST_AsText writes them: no trailing zeros, no exponent. */
    private static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("WKB coordinate " + d);
        }
        return d == 0 ? "0" : BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
