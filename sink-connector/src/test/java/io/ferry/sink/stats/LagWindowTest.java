package io.ferry.sink.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LagWindowTest {

    @Test
    void percentilesOfTheLastMinute() {
        LagWindow w = new LagWindow();
        long now = 1_000_000;
        long[] ts = new long[100];
        for (int i = 0; i < 100; i++) {
            ts[i] = now - (i + 1); // lags 1..100 ms
        }
        w.record(ts, 100, now);
        assertEquals(50, w.percentile(50, now));
        assertEquals(99, w.percentile(99, now));
        assertEquals(100, w.percentile(100, now));
        assertEquals(100, w.count(now));
    }

    @Test
    void anIdleTableReadsZeroNotItsLastLag() {
        LagWindow w = new LagWindow();
        w.record(new long[] {0}, 1, 5_000);
        assertEquals(5_000, w.percentile(99, 5_000));
        assertEquals(0, w.percentile(99, 5_000 + LagWindow.WINDOW_MS + 1));
        assertEquals(0, w.count(5_000 + LagWindow.WINDOW_MS + 1));
    }

    @Test
    void aHugeBatchIsThinnedNotAllowedToEvictEverything() {
        LagWindow w = new LagWindow();
        w.record(new long[] {0}, 1, 10); // an old, slow sample
        long[] ts = new long[1_000_000];
        java.util.Arrays.fill(ts, 10);
        w.record(ts, ts.length, 20);
        assertEquals(10, w.percentile(100, 20)); // the 10 ms sample of the first batch is still there
        long kept = w.count(20);
        org.junit.jupiter.api.Assertions.assertTrue(kept > 2_000 && kept < 2_100, "kept " + kept);
    }
}
