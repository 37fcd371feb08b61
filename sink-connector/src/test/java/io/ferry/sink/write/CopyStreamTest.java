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

    @Test
    void linesArriveAsUtf8InChunksOfAboutTheChunkSize() throws Exception {
        CopyStream stream = new CopyStream(recording());
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            String line = (i % 4 == 0 ? "😀ü€" : "ascii") + "\t" + i + "\n"; // surrogate pair, 2- and 3-byte characters
            stream.line(new StringBuilder(line));
            all.append(line);
        }
        stream.end();
        assertThat(ended).isTrue();
        assertThat(sent.toString(StandardCharsets.UTF_8)).isEqualTo(all.toString());
        assertThat(chunks).hasSizeGreaterThan(3);
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allMatch(n -> n >= CopyStream.CHUNK_BYTES && n < CopyStream.CHUNK_BYTES + 64);
    }

    @Test
    void aLineLongerThanAChunkIsSentWholeAndNothingIsSentTwice() throws Exception {
        CopyStream stream = new CopyStream(recording());
        String big = "é".repeat(CopyStream.CHUNK_BYTES) + "\n";
        stream.line("a\n");
        stream.line(big);
        stream.line("b\n");
        stream.end();
        assertThat(sent.toString(StandardCharsets.UTF_8)).isEqualTo("a\n" + big + "b\n");
        assertThat(chunks).containsExactly(2 + big.getBytes(StandardCharsets.UTF_8).length, 2);
    }
}
