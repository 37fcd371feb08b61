package io.ferry.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.verify.diff.Difference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The verification as a table for people and as JSON for CI and scripts (verify.json). */
public final class VerifyReport {

    /** Differences listed per table in the report and on the terminal. */
    static final int LISTED = 20;

    private VerifyReport() {}

    public static boolean allValidated(List<TableResult> results) {
        return !results.isEmpty() && results.stream().allMatch(TableResult::validated);
    }

    public static String table(List<TableResult> results) {
        StringBuilder sb = new StringBuilder(String.format("%-24s %-24s %-18s %-6s %10s %10s %8s%n", "table", "target",
                "state", "mode", "source", "target", "ms"));
        for (TableResult r : results) {
            sb.append(String.format("%-24s %-24s %-18s %-6s %10s %10s %8d%n", r.table(), r.targetTable(), r.stateText(),
                    r.mode(), rows(r.sourceRows()), rows(r.targetRows()), r.elapsedMs()));
        }
        for (TableResult r : results) {
            if (r.reason() != null) {
                sb.append("  ").append(r.table()).append(": ").append(r.reason()).append('\n');
            }
            int n = 0;
            for (Difference d : r.differences()) {
                if (n++ >= LISTED) {
                    sb.append("  ").append(r.table()).append(": ... ").append(r.differences().size() - LISTED)
                            .append(" more in the report\n");
                    break;
                }
                sb.append("  ").append(r.table()).append(" key ").append(d.printableKey()).append(": ")
                        .append(describe(d)).append('\n');
            }
        }
        long ok = results.stream().filter(TableResult::validated).count();
        sb.append(ok).append(" of ").append(results.size()).append(" tables validated").append('\n');
        return sb.toString();
    }

    private static String rows(long n) {
        return n < 0 ? "-" : Long.toString(n);
    }

    static String describe(Difference d) {
        return switch (d.kind()) {
            case MISSING_IN_TARGET -> "missing in target";
            case EXTRA_IN_TARGET -> "extra in target (not in the source)";
            case VALUE_DIFFERS -> "column " + d.column() + " differs (source digest " + d.sourceDigest()
                    + ", target digest " + d.targetDigest() + ")";
        };
    }

    public static void write(Path dir, String runId, String source, String target, List<TableResult> results)
            throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("run_id", runId);
        root.put("source", source);
        root.put("target", target);
        root.put("validated", allValidated(results));
        ArrayNode tables = root.putArray("tables");
        for (TableResult r : results) {
            ObjectNode t = tables.addObject();
            t.put("table", r.table());
            t.put("target_table", r.targetTable());
            t.put("state", r.state().name());
            t.put("mode", r.mode());
            t.put("source_rows", r.sourceRows());
            t.put("target_rows", r.targetRows());
            t.put("mismatched", r.mismatched());
            t.put("in_flight", r.inFlight());
            t.put("reason", r.reason());
            t.put("elapsed_ms", r.elapsedMs());
            ObjectNode left = t.putObject("left_out");
            r.leftOut().forEach(left::put);
            ArrayNode diffs = t.putArray("differences");
            r.differences().stream().limit(VerifyStore.MAX_STORED).forEach(d -> {
                ObjectNode o = diffs.addObject();
                o.put("key", d.printableKey());
                o.put("kind", d.kind().name());
                o.put("column", d.column());
                o.put("source_digest", d.sourceDigest());
                o.put("target_digest", d.targetDigest());
            });
        }
        Files.createDirectories(dir);
        json.writeValue(dir.resolve("verify.json").toFile(), root);
    }
}
