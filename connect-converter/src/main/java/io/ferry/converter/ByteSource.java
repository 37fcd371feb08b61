package io.ferry.converter;

import org.apache.kafka.connect.errors.DataException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link ByteSink} wrote; any overrun is a {@link DataException}, never a wrong value. */
final class ByteSource {

    final byte[] buf;
    int pos;
    private final int end;

    ByteSource(byte[] buf) {
        this.buf = buf;
        this.end = buf.length;
    }

    void need(int n) {
        if (n < 0 || pos + n > end) {
            throw new DataException("record ends early: " + n + " more bytes needed at byte " + pos + " of " + end);
        }
    }

    boolean atEnd() {
        return pos == end;
    }

    int read() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    byte[] bytes(int n) {
        need(n);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    void skip(int n) {
        need(n);
        pos += n;
    }

    int varint() {
        if (end - pos < 5) {
            return varintNearEnd();
        }
        // at least five bytes left: the longest varint fits, so no byte needs its own bounds check
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = buf[pos++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new DataException("malformed varint at byte " + pos);
    }

    private int varintNearEnd() {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = read();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new DataException("malformed varint at byte " + pos);
    }

    long varlong() {
        if (end - pos < 10) {
            return varlongNearEnd();
        }
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = buf[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new DataException("malformed varlong at byte " + pos);
    }

    private long varlongNearEnd() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = read();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new DataException("malformed varlong at byte " + pos);
    }

    int zigzag32() {
        int v = varint();
        return (v >>> 1) ^ -(v & 1);
    }

    long zigzag64() {
        long v = varlong();
        return (v >>> 1) ^ -(v & 1);
    }

    short fixed16() {
        need(2);
        short v = (short) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
        pos += 2;
        return v;
    }

    int fixed32() {
        need(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long fixed64() {
        return ((long) fixed32() << 32) | (fixed32() & 0xFFFFFFFFL);
    }

    String string() {
        int n = varint();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    String nullableString() {
        int n = varint();
        if (n == 0) {
            return null;
        }
        need(n - 1);
        String s = new String(buf, pos, n - 1, StandardCharsets.UTF_8);
        pos += n - 1;
        return s;
    }
}
