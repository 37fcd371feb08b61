package io.ferry.converter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array with the few encodings the format uses; not thread-safe, reused per converter. */
final class ByteSink {

    private byte[] buf = new byte[4096];
    private int pos;

    void reset() {
        pos = 0;
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    void write(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void write(byte[] b) {
        write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    void varint(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void varlong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void zigzag(int v) {
        varint((v << 1) ^ (v >> 31));
    }

    void zigzag(long v) {
        varlong((v << 1) ^ (v >> 63));
    }

    void fixed16(short v) {
        ensure(2);
        buf[pos++] = (byte) (v >> 8);
        buf[pos++] = (byte) v;
    }

    void fixed32(int v) {
        ensure(4);
        buf[pos++] = (byte) (v >> 24);
        buf[pos++] = (byte) (v >> 16);
        buf[pos++] = (byte) (v >> 8);
        buf[pos++] = (byte) v;
    }

    void fixed64(long v) {
        fixed32((int) (v >> 32));
        fixed32((int) v);
    }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length);
        write(b);
    }

    /** A string that may be null: length + 1, 0 for null. */
    void nullableString(String s) {
        if (s == null) {
            varint(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length + 1);
        write(b);
    }
}
