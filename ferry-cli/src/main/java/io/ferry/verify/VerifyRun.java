package io.ferry.verify;

import io.ferry.verify.mapping.MappingReader;
import io.ferry.verify.plan.TablePlan;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Verifies every table of a migration, a bounded number at a time (each table holds one connection to each database,
 * plus one more per side while both sides are read at once), with progress on the terminal.
 */
public final class VerifyRun {

    /** Opens connections; each table gets its own. */
    public interface Connections {
        Connection source() throws SQLException;

        Connection target() throws SQLException;
    }

    private final MappingReader mapping;
    private final Connections connections;
    private final TableVerifier verifier;
    private final int parallel;

    public VerifyRun(MappingReader mapping, Connections connections, TableVerifier verifier, int parallel) {
        this.mapping = mapping;
        this.connections = connections;
        this.verifier = verifier;
        this.parallel = Math.max(1, parallel);
    }

    /** Verifies the tables (all the pipeline carries when {@code only} is empty), in table order. */
    public List<TableResult> run(String database, List<String> only, PrintStream progressOut) throws Exception {
        List<String> tables;
        try (Connection src = connections.source()) {
            tables = mapping.tables(src, database, only);
        }
        Progress progress = new Progress(progressOut, tables);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<TableResult>> futures = new ArrayList<>();
            for (String t : tables) {
                futures.add(pool.submit(() -> verifyOne(database, t, progress)));
            }
            List<TableResult> out = new ArrayList<>();
            for (Future<TableResult> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
            progress.finish();
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private TableResult verifyOne(String database, String table, Progress progress) throws SQLException {
        try (Connection src = connections.source(); Connection dst = connections.target()) {
            TablePlan plan = mapping.plan(src, dst, database, table);
            TableResult r = verifier.verify(plan, src, dst, f -> progress.update(table, f));
            progress.done(r);
            return r;
        }
    }

    /** A status line redrawn on a terminal; on a log, one line per table when it is done. */
    static final class Progress {
        private final PrintStream out;
        private final boolean terminal;
        private final int total;
        private final Map<String, Double> running = new ConcurrentHashMap<>();
        private int done;
        private long lastDraw;

        Progress(PrintStream out, List<String> tables) {
            this.out = out;
            this.terminal = out != null && System.console() != null && System.getenv("CI") == null;
            this.total = tables.size();
        }

        void update(String table, double fraction) {
            running.put(table, fraction);
            draw(false);
        }

        synchronized void done(TableResult r) {
            running.remove(r.table());
            done++;
            if (out != null) {
                if (terminal) {
                    out.print("\r\033[K");
                }
                out.printf("  %-24s %s%n", r.table(), r.stateText());
            }
            draw(true);
        }

        synchronized void draw(boolean force) {
            if (!terminal) {
                return;
            }
            long now = System.currentTimeMillis();
            if (!force && now - lastDraw < 250) {
                return;
            }
            lastDraw = now;
            StringBuilder sb = new StringBuilder("\r\033[K  verifying " + done + "/" + total + " tables");
            running.forEach((t, f) -> sb.append(" | ").append(t).append(' ').append((int) (f * 100)).append('%'));
            out.print(sb);
            out.flush();
        }

        synchronized void finish() {
            if (terminal) {
                out.print("\r\033[K");
                out.flush();
            }
        }
    }
}
