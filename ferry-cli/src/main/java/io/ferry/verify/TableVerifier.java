package io.ferry.verify;

import io.ferry.verify.diff.Difference;
import io.ferry.verify.diff.FirstPass;
import io.ferry.verify.diff.RowDetails;
import io.ferry.verify.plan.TablePlan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleConsumer;

/**
 * Verifies one table while CDC may still be writing to it. The first pass finds rows that may differ; each is then
 * read again, column by column, after the sink has applied what the source had committed when it was read (the
 * table's last applied source timestamp in the state schema has passed that time, or the sink has gone quiet on the
 * table). A row that still differs with an unchanged source row is MISMATCHED; one whose source row changed again
 * between checks is IN_FLIGHT. Values are never logged or stored, only digests.
 */
public final class TableVerifier {

    /**
     * @param rechecks      how often a differing row is read again before it counts (0: static databases)
     * @param recheckWaitMs the least wait before a recheck
     * @param maxFailures   the first pass stops collecting after this many rows (as DMS stops at 10,000)
     * @param sinkName      the sink connector whose table_stats tell how far it has applied (null: any)
     */
    public record Options(int rechecks, long recheckWaitMs, int maxFailures, String stateSchema, String sinkName) {
        public static Options defaults(String stateSchema, String sinkName) {
            return new Options(4, 2000, 10_000, stateSchema, sinkName);
        }
    }

    private final Options options;

    public TableVerifier(Options options) {
        this.options = options;
    }

    public TableResult verify(TablePlan plan, Connection source, Connection target, DoubleConsumer progress) {
        long started = System.nanoTime();
        if (plan.notVerifiable() != null) {
            return result(plan, TableResult.State.NOT_VERIFIABLE, "-", -1, -1, 0, 0, plan.notVerifiable(), List.of(), started);
        }
        if (!plan.hasKey()) {
            return result(plan, TableResult.State.NO_KEY, "-", -1, -1, 0, 0,
                    "the source table has no primary key: rows cannot be matched", List.of(), started);
        }
        try {
            long readAt = sourceNowMs(source);
            FirstPass.Found found = new FirstPass(plan, source, target, options.maxFailures(), progress).run();
            RowDetails details = new RowDetails(plan);
            RowDetails.Compared compared = details.compare(source, target, found.candidates().keySet());
            Set<String> differing = compared.keys();
            Map<String, String> lastSource = compared.sourceDigests();
            Set<String> changedLastRound = new HashSet<>();
            for (int round = 0; round < options.rechecks() && !differing.isEmpty(); round++) {
                awaitSink(target, plan.targetName(), readAt);
                readAt = sourceNowMs(source);
                compared = details.compare(source, target, differing);
                changedLastRound.clear();
                for (String k : differing) {
                    if (!java.util.Objects.equals(lastSource.get(k), compared.sourceDigests().get(k))) {
                        changedLastRound.add(k);
                    }
                }
                lastSource = compared.sourceDigests();
                differing = compared.keys();
            }
            Set<String> rows = keys(compared.differences());
            long inFlight = rows.stream().filter(changedLastRound::contains).count();
            long mismatched = rows.size() - inFlight;
            List<Difference> kept = compared.differences();
            String reason = null;
            if (!plan.missing().isEmpty()) {
                reason = "the target lacks column(s) the mapping writes: " + plan.missing();
            } else if (found.truncated()) {
                reason = "stopped after " + options.maxFailures() + " differing rows";
            }
            TableResult.State state = mismatched > 0 || !plan.missing().isEmpty() ? TableResult.State.MISMATCHED
                    : inFlight > 0 ? TableResult.State.IN_FLIGHT : TableResult.State.VALIDATED;
            return result(plan, state, found.mode(), found.sourceRows(), found.targetRows(), mismatched, inFlight, reason,
                    kept, started);
        } catch (SQLException | RuntimeException e) {
            return result(plan, TableResult.State.ERROR, "-", -1, -1, 0, 0, e.getMessage(), List.of(), started);
        }
    }

    private static Set<String> keys(List<Difference> differences) {
        Set<String> out = new LinkedHashSet<>();
        differences.forEach(d -> out.add(d.key()));
        return out;
    }

    private static TableResult result(TablePlan plan, TableResult.State state, String mode, long src, long dst,
                                      long mismatched, long inFlight, String reason, List<Difference> differences,
                                      long startedNanos) {
        return new TableResult(plan.name(), plan.targetName(), state, mode, src, dst, mismatched, inFlight, reason,
                differences, new LinkedHashMap<>(plan.leftOut()), (System.nanoTime() - startedNanos) / 1_000_000);
    }

    /** The source's clock, which stamps the change events (its own time, whatever the skew to this machine). */
    private static long sourceNowMs(Connection source) throws SQLException {
        try (Statement st = source.createStatement();
             ResultSet rs = st.executeQuery("SELECT CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS UNSIGNED)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Waits until the sink has applied the table's changes up to {@code sourceMs} (binlog timestamps have second
     * resolution, hence the second of slack), or has written nothing to the table for a second, at most 30 s.
     */
    private void awaitSink(Connection target, String table, long sourceMs) throws SQLException {
        sleep(options.recheckWaitMs());
        long deadline = System.currentTimeMillis() + 30_000;
        String lastUpdate = null;
        while (System.currentTimeMillis() < deadline) {
            String[] s = sinkProgress(target, table);
            if (s == null) {
                return; // no statistics to go by: the fixed wait has to do
            }
            if (s[0] != null && Long.parseLong(s[0]) >= sourceMs - 1000) {
                return;
            }
            if (s[1] != null && s[1].equals(lastUpdate)) {
                return;
            }
            lastUpdate = s[1];
            sleep(1000);
        }
    }

    private String[] sinkProgress(Connection target, String table) throws SQLException {
        String sql = "SELECT max(last_source_ts_ms)::text, max(updated_at)::text FROM \""
                + options.stateSchema().replace("\"", "\"\"") + "\".\"table_stats\" WHERE table_name = ?"
                + (options.sinkName() == null ? "" : " AND connector = ?");
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            ps.setString(1, table);
            if (options.sinkName() != null) {
                ps.setString(2, options.sinkName());
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(2) != null ? new String[] {rs.getString(1), rs.getString(2)} : null;
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return null;
            }
            throw e;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
