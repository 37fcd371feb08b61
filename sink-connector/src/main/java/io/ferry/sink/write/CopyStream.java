package io.ferry.sink.write;

import org.postgresql.copy.CopyIn;

import java.sql.SQLException;

/**
 * COPY text on its way to the server: each value escaped and encoded to UTF-8 in one pass straight into the chunk
 * (no line string, no second scan), sent in chunks small enough that PostgreSQL parses and stores one while the task
 * encodes the next (with one chunk per put, about 1.2 MB for 5,000 rows, the two took turns). A chunk ends only at a row
 * boundary, so a row that fails to encode is never sent in part; the caller cancels the COPY. Text or binary format:
 * the caller uses one of them for a whole COPY.
 */
final class CopyStream {

    static final int CHUNK_BYTES = 64 * 1024;

    private final CopyIn copyIn;
    private byte[] buf = new byte[CHUNK_BYTES + 4096];
    private int size;
    private long sent;

    CopyStream(CopyIn copyIn) {
        this.copyIn = copyIn;
    }

    /** One value in COPY's text form: backslash, newline, carriage return and tab escaped. */
    void value(String v) {
        utf8(v, true);
    }

    /**
     * UTF-8 of a string, escaped for the text format or raw for a binary field; at most 3 bytes per UTF-16 unit (a
     * surrogate pair is 4 bytes for 2 units; an escape 2 for 1).
     */
    private void utf8(String v, boolean escape) {
        int n = v.length();
        ensure(3 * n);
        byte[] b = buf;
        int p = size;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c < 0x80) {
                if (escape) {
                    switch (c) {
                        case '\\' -> { b[p++] = '\\'; b[p++] = '\\'; }
                        case '\n' -> { b[p++] = '\\'; b[p++] = 'n'; }
                        case '\r' -> { b[p++] = '\\'; b[p++] = 'r'; }
                        case '\t' -> { b[p++] = '\\'; b[p++] = 't'; }
                        default -> b[p++] = (byte) c;
                    }
                } else {
                    b[p++] = (byte) c;
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(v.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, v.charAt(++i));
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                b[p++] = '?'; // an unpaired surrogate, as the JDK's UTF-8 encoder writes it
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        size = p;
    }

    // ---- binary format (COPY ... WITH (FORMAT binary)): a header, per row a field count, per field its length in
    // bytes (-1 for NULL) and the type's send/recv form, and a trailer

    private static final byte[] BINARY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    void binaryHeader() {
        ensure(BINARY_SIGNATURE.length + 8);
        System.arraycopy(BINARY_SIGNATURE, 0, buf, size, BINARY_SIGNATURE.length);
        size += BINARY_SIGNATURE.length;
        int32(0); // flags: no OIDs
        int32(0); // header extension length
    }

    void binaryRow(int fields) {
        int16(fields);
    }

    void binaryNull() {
        int32(-1);
    }

    void binaryInt16(short v) {
        int32(2);
        int16(v);
    }

    void binaryInt32(int v) {
        int32(4);
        int32(v);
    }

    void binaryInt64(long v) {
        int32(8);
        int32((int) (v >>> 32));
        int32((int) v);
    }

    void binaryByte(int v) {
        int32(1);
        ensure(1);
        buf[size++] = (byte) v;
    }

    /** A string's UTF-8 bytes, after an optional format byte (jsonb's version). */
    void binaryText(int prefix, String v) {
        int lengthAt = size;
        int32(0);
        int start = size;
        if (prefix >= 0) {
            ensure(1);
            buf[size++] = (byte) prefix;
        }
        utf8(v, false);
        int length = size - start;
        buf[lengthAt] = (byte) (length >>> 24);
        buf[lengthAt + 1] = (byte) (length >>> 16);
        buf[lengthAt + 2] = (byte) (length >>> 8);
        buf[lengthAt + 3] = (byte) length;
    }

    void binaryBytes(byte[] v) {
        int32(v.length);
        ensure(v.length);
        System.arraycopy(v, 0, buf, size, v.length);
        size += v.length;
    }

    /** PostgreSQL's numeric: digit count, weight, sign, display scale, then base-10000 digits, most significant first. */
    void binaryNumeric(short[] digits, int count, int weight, boolean negative, int displayScale) {
        int32(8 + 2 * count);
        int16(count);
        int16(weight);
        int16(negative ? 0x4000 : 0);
        int16(displayScale);
        for (int i = 0; i < count; i++) {
            int16(digits[i]);
        }
    }

    void binaryTrailer() {
        int16(-1);
    }

    private void int16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    private void int32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    /** SQL NULL. */
    void nullValue() {
        ensure(2);
        buf[size++] = '\\';
        buf[size++] = 'N';
    }

    /** Between two values of a row. */
    void separator() {
        ensure(1);
        buf[size++] = '\t';
    }

    /** Ends a row; sends a chunk once it is full. */
    void endRow() throws SQLException {
        ensure(1);
        buf[size++] = '\n';
        rowDone();
    }

    /** Ends a binary row (its fields carry their lengths); sends a chunk once it is full. */
    void rowDone() throws SQLException {
        if (size >= CHUNK_BYTES) {
            send();
        }
    }

    /** Sends what is encoded so far without ending the COPY (a span's batch is in: PostgreSQL parses it meanwhile). */
    void flush() throws SQLException {
        send();
    }

    /** Bytes handed to the server so far, and encoded but not yet sent. */
    long bytes() {
        return sent + size;
    }

    /** Sends what is left and ends the COPY; returns the rows the server took. */
    long end() throws SQLException {
        send();
        return copyIn.endCopy();
    }

    private void send() throws SQLException {
        if (size > 0) {
            copyIn.writeToCopy(buf, 0, size);
            sent += size;
            size = 0;
        }
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, size + more)];
            System.arraycopy(buf, 0, bigger, 0, size);
            buf = bigger;
        }
    }
}
