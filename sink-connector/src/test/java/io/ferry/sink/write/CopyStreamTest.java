package io.ferry.sink.write;

import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyIn;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CopyStreamTest {

    /** What reached the server, chunk by chunk. */
    final List<Integer> chunks = new ArrayList<>();
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    boolean ended;

    CopyIn recording() {
        return (CopyIn) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{CopyIn.class}, (p, m, a) -> {
            switch (m.getName()) {
                case "writeToCopy" -> {
                    byte[] b = (byte[]) a[0];
                    sent.write(b, (int) a[1], (int) a[2]);
                    chunks.add((int) a[2]);
                    return null;
                }
                case "endCopy" -> {
                    ended = true;
                    return 0L;
                }
                default -> throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    /** A row through the stream's field methods. */
    static void row(CopyStream stream, String... values) throws Exception {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                stream.separator();
            }
            if (values[i] == null) {
                stream.nullValue();
            } else {
                stream.value(values[i]);
            }
        }
        stream.endRow();
    }

    /** What the stream must produce: the value escaped, then UTF-8 as the JDK encodes it. */
    static String reference(String v) {
        StringBuilder sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void rowsArriveAsUtf8InChunksOfAboutTheChunkSize() throws Exception {
        CopyStream stream = new CopyStream(recording());
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            String first = i % 4 == 0 ? "😀ü€" : "ascii"; // surrogate pair, 2- and 3-byte characters
            row(stream, first, Integer.toString(i), null);
            all.append(first).append('\t').append(i).append("\t\\N\n");
        }
        stream.end();
        assertThat(ended).isTrue();
        assertThat(sent.toString(StandardCharsets.UTF_8)).isEqualTo(all.toString());
        assertThat(chunks).hasSizeGreaterThan(3);
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allMatch(n -> n >= CopyStream.CHUNK_BYTES && n < CopyStream.CHUNK_BYTES + 64);
    }

    @Test
    void escapesAndEncodesExactlyAsEscapingThenTheJdksUtf8Encoder() throws Exception {
        assertThat(encoded("a\tb\\c\nd\re")).isEqualTo("a\\tb\\\\c\\nd\\re".getBytes(StandardCharsets.UTF_8));
        // every kind of UTF-16 unit, unpaired surrogates at the start, the middle and the end included
        char[] alphabet = {'a', '\\', '\n', '\r', '\t', '"', 0x7F, 0x80, 0x7FF, 0x800, 'é', '€', 0xFFFD, 0xFFFF,
                0xD83D, 0xDE00, 0xDBFF, 0xDFFF, 0xD800, 0xDC00};
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            char[] v = new char[random.nextInt(12)];
            for (int j = 0; j < v.length; j++) {
                v[j] = alphabet[random.nextInt(alphabet.length)];
            }
            String s = new String(v);
            assertThat(encoded(s)).as("%s", s.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(reference(s).getBytes(StandardCharsets.UTF_8));
        }
    }

    byte[] encoded(String v) throws Exception {
        sent.reset();
        CopyStream stream = new CopyStream(recording());
        stream.value(v);
        stream.end();
        return sent.toByteArray();
    }

    @Test
    void aRowLongerThanAChunkIsSentWholeAndNothingIsSentTwice() throws Exception {
        CopyStream stream = new CopyStream(recording());
        String big = "é".repeat(CopyStream.CHUNK_BYTES);
        row(stream, "a");
        row(stream, big);
        row(stream, "b");
        stream.end();
        assertThat(sent.toString(StandardCharsets.UTF_8)).isEqualTo("a\n" + big + "\nb\n");
        assertThat(chunks).containsExactly(2 + big.getBytes(StandardCharsets.UTF_8).length + 1, 2);
    }
}
