package io.ferry.sink.write;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WkbTest {

    /** Builds WKB by hand: byte order, then ints and doubles as given. */
    static byte[] wkb(ByteOrder order, Object... parts) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(order);
        for (Object p : parts) {
            if (p instanceof Integer i) {
                b.putInt(i);
            } else if (p instanceof Double d) {
                b.putDouble(d);
            } else if (p instanceof byte[] bytes) {
                b.put(bytes);
            }
        }
        byte[] out = new byte[b.position() + 1];
        out[0] = (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 0);
        System.arraycopy(b.array(), 0, out, 1, b.position());
        return out;
    }

    static byte[] point(double x, double y) {
        return wkb(ByteOrder.LITTLE_ENDIAN, 1, x, y);
    }

    @Test
    void writesEachTypeAsMysqlsStAsTextDoes() {
        assertThat(Wkb.toText(point(1.5, -2), 0)).isEqualTo("POINT(1.5 -2)");
        assertThat(Wkb.toText(wkb(ByteOrder.BIG_ENDIAN, 1, 1e20, 0.1), null)).isEqualTo("POINT(100000000000000000000 0.1)");
        assertThat(Wkb.toText(wkb(ByteOrder.LITTLE_ENDIAN, 2, 2, 0.0, 0.0, 1.0, 1.0), 0)).isEqualTo("LINESTRING(0 0,1 1)");
        byte[] polygon = wkb(ByteOrder.LITTLE_ENDIAN, 3, 2, 4, 0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 0.0,
                4, 2.0, 2.0, 3.0, 2.0, 3.0, 3.0, 2.0, 2.0);
        assertThat(Wkb.toText(polygon, 4326)).isEqualTo("SRID=4326;POLYGON((0 0,10 0,10 10,0 0),(2 2,3 2,3 3,2 2))");
        assertThat(Wkb.toText(wkb(ByteOrder.LITTLE_ENDIAN, 4, 2, point(1, 2), point(3, 4)), 0))
                .isEqualTo("MULTIPOINT((1 2),(3 4))");
        assertThat(Wkb.toText(wkb(ByteOrder.LITTLE_ENDIAN, 7, 2, point(1, 2),
                wkb(ByteOrder.BIG_ENDIAN, 2, 2, 0.0, 0.0, 1.0, 1.0)), 0))
                .isEqualTo("GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))");
        assertThat(Wkb.toText(wkb(ByteOrder.LITTLE_ENDIAN, 7, 0), 0)).isEqualTo("GEOMETRYCOLLECTION EMPTY");
    }

    @Test
    void ewkbCarriesTheSridInItsHeader() {
        byte[] p = point(1, 2);
        assertThat(Wkb.toEwkbHex(p, 0)).isEqualTo(HexFormat.of().formatHex(p));
        // PostGIS: SELECT ST_AsEWKB('SRID=4326;POINT(1 2)'::geometry) -> 0101000020e6100000 000000000000f03f 0000000000000040
        assertThat(Wkb.toEwkbHex(p, 4326)).isEqualTo("0101000020e6100000000000000000f03f0000000000000040");
    }

    @Test
    void malformedWkbIsRefusedWithTheReason() {
        assertThatThrownBy(() -> Wkb.toText(wkb(ByteOrder.LITTLE_ENDIAN, 9), 0)).hasMessageContaining("type 9");
        assertThatThrownBy(() -> Wkb.toText(wkb(ByteOrder.LITTLE_ENDIAN, 2, 1000, 0.0), 0)).hasMessageContaining("count 1000");
        byte[] p = point(1, 2);
        byte[] longer = java.util.Arrays.copyOf(p, p.length + 3);
        assertThatThrownBy(() -> Wkb.toText(longer, 0)).hasMessageContaining("3 bytes after");
    }
}
