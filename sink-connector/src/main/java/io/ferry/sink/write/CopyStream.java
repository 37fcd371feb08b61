package io.ferry.sink.write;

import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * COPY text on its way to the server, sent in chunks small enough that PostgreSQL parses and stores one while the
 * task encodes the next: with one chunk per put (a put of 5,000 rows is about 1.2 MB) the two took turns.
 */
final class CopyStream {

    static final int CHUNK_BYTES = 64 * 1024;

    private final CopyIn copyIn;
    private byte[] buf = new byte[CHUNK_BYTES + 4096];
    private int size;

    CopyStream(CopyIn copyIn) {
        this.copyIn = copyIn;
    }

    /** Appends one encoded line as UTF-8, without the String copy in between; sends a chunk once it is full. */
    void line(CharSequence line) throws SQLException {
        int n = line.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (c >= 0x80) {
                // the rest of the line through the JDK's encoder: it gets surrogate pairs right
                byte[] rest = line.subSequence(i, n).toString().getBytes(StandardCharsets.UTF_8);
                ensure(rest.length);
                System.arraycopy(rest, 0, buf, size, rest.length);
                size += rest.length;
                break;
            }
            buf[size++] = (byte) c;
        }
        if (size >= CHUNK_BYTES) {
            send();
        }
    }

    /** Sends what is left and ends the COPY; returns the rows the server took. */
    long end() throws SQLException {
        send();
        return copyIn.endCopy();
    }

    private void send() throws SQLException {
        if (size > 0) {
            copyIn.writeToCopy(buf, 0, size);
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
