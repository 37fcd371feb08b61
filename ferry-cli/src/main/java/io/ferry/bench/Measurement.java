package io.ferry.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Repeated timings of one system on the same rows. */
final class Measurement {

    final String system;
    final long rows;
    final long bytes;
    final List<Double> seconds = new ArrayList<>();
    long peakHeapBytes;
    /** Where each timed run's CPU went, in the order of {@link #seconds} (empty where not metered). */
    final List<CpuMeter.Use> cpu = new ArrayList<>();
    String note;

    Measurement(String system, long rows, long bytes) {
        this.system = system;
        this.rows = rows;
        this.bytes = bytes;
    }

    static Measurement skipped(String system, String why) {
        Measurement m = new Measurement(system, 0, 0);
        m.note = why;
        return m;
    }

    boolean measured() {
        return !seconds.isEmpty();
    }

    private List<Double> rates() {
        List<Double> r = new ArrayList<>();
        seconds.forEach(s -> r.add(rows / s));
        Collections.sort(r);
        return r;
    }

    double medianRowsPerSecond() {
        List<Double> r = rates();
        return r.isEmpty() ? 0 : r.size() % 2 == 1 ? r.get(r.size() / 2) : (r.get(r.size() / 2 - 1) + r.get(r.size() / 2)) / 2;
    }

    double minRowsPerSecond() {
        return rates().isEmpty() ? 0 : rates().get(0);
    }

    double maxRowsPerSecond() {
        return rates().isEmpty() ? 0 : rates().get(rates().size() - 1);
    }

    double megabytesPerSecond() {
        return rows == 0 ? 0 : medianRowsPerSecond() * bytes / (double) rows / 1_000_000.0;
    }
}
