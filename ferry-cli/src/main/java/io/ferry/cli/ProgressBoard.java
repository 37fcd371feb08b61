package io.ferry.cli;

import java.io.PrintStream;
import java.util.Map;

/** Per-table progress bars of the full load: rows written (from the sink's statistics) against rows expected. */
final class ProgressBoard {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean ansi;
    private int linesDrawn;

    ProgressBoard(PrintStream out) {
        this.out = out;
        this.ansi = System.console() != null && System.getenv("CI") == null;
    }

    void draw(Map<String, Long> expected, Map<String, TargetStats.Row> done, double elapsedSeconds) {
        if (ansi && linesDrawn > 0) {
            out.print("\033[" + linesDrawn + "A");
        }
        long total = 0;
        long written = 0;
        int lines = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            TargetStats.Row row = done.get(e.getKey());
            long n = row == null ? 0 : row.snapshotRows();
            long want = Math.max(e.getValue(), 1);
            int filled = (int) Math.min(WIDTH, n * WIDTH / want);
            out.printf("  %-20s [%s%s] %7d / %-7d%s%n", e.getKey(), "#".repeat(filled), ".".repeat(WIDTH - filled), n,
                    e.getValue(), ansi ? "\033[K" : "");
            total += e.getValue();
            written += Math.min(n, e.getValue());
            lines++;
        }
        out.printf("  %-20s %d / %d rows, %.1f s, %.0f rows/s%s%n", "full load", written, total, elapsedSeconds,
                elapsedSeconds > 0 ? written / elapsedSeconds : 0.0, ansi ? "\033[K" : "");
        linesDrawn = lines + 1;
        if (!ansi) {
            out.println();
            linesDrawn = 0;
        }
    }
}
