package io.ferry.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-table progress of the full load: rows written (from the sink's statistics) against rows expected. On a terminal
 * a board of bars redrawn in place; in a log (output redirected, under systemd, nohup or CI) no redrawing: one line per
 * table when its phase changes, and a summary line every 30 seconds, so the log reads top to bottom.
 */
final class ProgressBoard {

    private static final int WIDTH = 30;
    static final long SUMMARY_EVERY_MS = 30_000;

    private final PrintStream out;
    private final boolean terminal;
    private int linesDrawn;
    private final Map<String, String> phases = new HashMap<>();
    private long lastSummary;

    ProgressBoard(PrintStream out) {
        this(out, System.console() != null && System.getenv("CI") == null);
    }

    ProgressBoard(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Event lines, printed above the board (which is then drawn anew below them) or into the log as they come. */
    void events(List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (terminal && linesDrawn > 0) {
            out.print("\033[" + linesDrawn + "A");
            linesDrawn = 0;
        }
        for (String line : lines) {
            out.println(line + (terminal ? "\033[K" : ""));
        }
    }

    void draw(Map<String, Long> expected, Map<String, TargetStats.Row> done, double elapsedSeconds) {
        if (terminal) {
            board(expected, done, elapsedSeconds);
        } else {
            log(expected, done, elapsedSeconds);
        }
    }

    private void board(Map<String, Long> expected, Map<String, TargetStats.Row> done, double elapsedSeconds) {
        if (linesDrawn > 0) {
            out.print("\033[" + linesDrawn + "A");
        }
        int lines = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            TargetStats.Row row = done.get(e.getKey());
            long n = row == null ? 0 : row.snapshotRows();
            long want = Math.max(e.getValue(), 1);
            int filled = (int) Math.min(WIDTH, n * WIDTH / want);
            out.printf("  %-20s [%s%s] %7d / %-7d %-10s\033[K%n", e.getKey(), "#".repeat(filled),
                    ".".repeat(WIDTH - filled), n, e.getValue(), row == null ? "" : row.phase());
            lines++;
        }
        out.println(summary(expected, done, elapsedSeconds) + "\033[K");
        linesDrawn = lines + 1;
    }

    private void log(Map<String, Long> expected, Map<String, TargetStats.Row> done, double elapsedSeconds) {
        for (String table : expected.keySet()) {
            TargetStats.Row row = done.get(table);
            String phase = row == null ? "WAITING" : row.phase();
            String before = phases.put(table, phase);
            if (!phase.equals(before) && (before != null || !phase.equals("WAITING"))) {
                out.printf("  %-20s %s (%d / %d rows, %.1f s)%n", table, phase, row == null ? 0 : row.snapshotRows(),
                        expected.get(table), elapsedSeconds);
            }
        }
        long now = System.currentTimeMillis();
        if (lastSummary == 0 || now - lastSummary >= SUMMARY_EVERY_MS) {
            lastSummary = now;
            out.println(summary(expected, done, elapsedSeconds));
        }
    }

    private static String summary(Map<String, Long> expected, Map<String, TargetStats.Row> done, double elapsedSeconds) {
        long total = 0;
        long written = 0;
        long streaming = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            TargetStats.Row row = done.get(e.getKey());
            long n = row == null ? 0 : row.snapshotRows();
            total += e.getValue();
            written += Math.min(n, e.getValue());
            if (row != null && row.phase().equals("STREAMING")) {
                streaming++;
            }
        }
        return String.format("  %-20s %d / %d rows, %d of %d tables loaded, %.1f s, %.0f rows/s", "full load", written,
                total, streaming, expected.size(), elapsedSeconds, elapsedSeconds > 0 ? written / elapsedSeconds : 0.0);
    }

    /** The last summary, for the end of a run in a log. */
    void finish(Map<String, Long> expected, Map<String, TargetStats.Row> done, double elapsedSeconds) {
        if (!terminal) {
            log(expected, done, elapsedSeconds);
            out.println(summary(expected, done, elapsedSeconds));
        }
    }
}
