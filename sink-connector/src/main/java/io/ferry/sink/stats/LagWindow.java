package io.ferry.sink.stats;

import java.util.Arrays;

/**
 * The lag of the change events applied in the last minute (source commit to PostgreSQL commit), for percentiles a
 * JMX gauge can carry: the exporter cannot turn one "millis behind" value into a p99, and an idle table must not look
 * late, so an empty window reads 0. A bounded ring (the newest samples win) keeps memory flat at any change rate.
 */
final class LagWindow {

    static final long WINDOW_MS = 60_000;
    private static final int CAPACITY = 8192;

    private final long[] lagMs = new long[CAPACITY];
    private final long[] atMs = new long[CAPACITY];
    private int next;
    private int size;

    synchronized void record(long[] sourceTsMs, int count, long committedAtMs) {
        // a huge batch is thinned evenly rather than letting its tail overwrite the whole window
        int step = Math.max(1, count / (CAPACITY / 4));
        for (int i = 0; i < count; i += step) {
            lagMs[next] = Math.max(0, committedAtMs - sourceTsMs[i]);
            atMs[next] = committedAtMs;
            next = (next + 1) % CAPACITY;
            size = Math.min(CAPACITY, size + 1);
        }
    }

    /** The given percentile (0-100) of the last minute's lags in ms; 0 when nothing was applied in it. */
    long percentile(double p, long nowMs) {
        long[] recent = recent(nowMs);
        if (recent.length == 0) {
            return 0;
        }
        Arrays.sort(recent);
        int rank = (int) Math.ceil(p / 100.0 * recent.length) - 1;
        return recent[Math.max(0, Math.min(recent.length - 1, rank))];
    }

    long count(long nowMs) {
        return recent(nowMs).length;
    }

    private synchronized long[] recent(long nowMs) {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (nowMs - atMs[i] <= WINDOW_MS) {
                out[n++] = lagMs[i];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
