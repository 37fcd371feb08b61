package io.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "cutover-check", mixinStandardHelpOptions = true,
        description = "Is it safe to cut over? Yes only with the evidence: every table STREAMING and caught up, "
                + "Debezium's snapshot ended with no table waiting for its repeated pass, no "
                + "parked rows, no stopped tables, no bad records since the last clean verify, every index and "
                + "constraint of the design built and validated, and a recent `ferry verify` with every table "
                + "VALIDATED. Exit code 0 for yes.")
final class CutoverCheckCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    TargetDatabase db;

    @Option(names = "--state-schema", defaultValue = "ferry", description = "The sink's state.schema (default ${DEFAULT-VALUE}).")
    String stateSchema;

    @Option(names = "--connector", required = true, description = "The sink connector's name.")
    String connector;

    @Option(names = "--connect", description = "Also require the connectors and their tasks to be RUNNING on this Connect cluster.")
    java.net.URI connect;

    @Option(names = "--max-lag-seconds", defaultValue = "10", description = "Largest accepted delay from source commit to target commit at the last change (default ${DEFAULT-VALUE}).")
    double maxLagSeconds;

    @Option(names = "--max-verify-age-minutes", defaultValue = "1440", description = "How old the last clean verify may be (default ${DEFAULT-VALUE}).")
    long maxVerifyAgeMinutes;

    /** One line of evidence. */
    record Check(String name, boolean ok, String evidence) {}

    @Override
    public Integer call() throws Exception {
        List<Check> checks = new ArrayList<>();
        db.requireUrl("cutover-check");
        try (Connection pg = db.open()) {
            String s = "\"" + stateSchema.replace("\"", "\"\"") + "\"";
            checks.add(phases(pg, s));
            checks.add(sourceSnapshot(pg, s));
            checks.add(lag(pg, s));
            checks.add(count(pg, "no parked rows", "SELECT count(*) FROM " + s + ".parked WHERE connector = ?",
                    "rows waiting for a parent"));
            checks.add(count(pg, "no stopped tables", "SELECT count(*) FROM " + s + ".stopped_tables WHERE connector = ?",
                    "tables stopped by a source change"));
            checks.add(constraints(pg, s));
            Check verified = verified(pg, s);
            checks.add(verified);
            checks.add(badRecords(pg, s));
        }
        if (connect != null) {
            checks.add(running(new ConnectClient(connect)));
        }
        boolean ok = checks.stream().allMatch(Check::ok);
        for (Check c : checks) {
            System.out.printf("  %-4s %-34s %s%n", c.ok() ? "ok" : "NO", c.name(), c.evidence());
        }
        System.out.println(ok ? "Cutover: yes. Every check holds." : "Cutover: no. Fix what is marked NO, then check again.");
        return ok ? 0 : 1;
    }

    private Check phases(Connection pg, String s) throws SQLException {
        List<String> notStreaming = strings(pg, "SELECT table_name || ' ' || phase FROM " + s + ".table_stats "
                + "WHERE connector = ? AND phase <> 'STREAMING' ORDER BY 1");
        long tables = longValue(pg, "SELECT count(*) FROM " + s + ".table_stats WHERE connector = ?");
        return new Check("every table streaming", tables > 0 && notStreaming.isEmpty(), tables == 0
                ? "no tables in " + stateSchema + ".table_stats for " + connector
                : notStreaming.isEmpty() ? tables + " tables STREAMING" : "not yet: " + notStreaming);
    }

    /**
     * Debezium's snapshot ended (its notifications, recorded by the sink in source_snapshots), and no table is still
     * to be read again by it ({@link SnapshotPasses}).
     */
    private Check sourceSnapshot(Connection pg, String s) throws SQLException {
        String name = "source snapshot ended";
        List<String> open;
        List<String> waiting;
        long known;
        try {
            known = longValue(pg, "SELECT count(*) FROM " + s + ".source_snapshots WHERE connector = ?");
            open = strings(pg, "SELECT source || ' ' || status || ' at ' || to_timestamp(status_ts_ms / 1000.0) "
                    + "FROM " + s + ".source_snapshots WHERE connector = ? AND status NOT IN ('COMPLETED', 'SKIPPED') "
                    + "ORDER BY 1");
            waiting = SnapshotPasses.awaitingRepeatedPass(pg, s, connector).stream()
                    .map(SnapshotPasses.Awaiting::table).toList();
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return new Check(name, true, "not reported: the sink's state has no snapshot records (a sink "
                        + "older than this check)");
            }
            throw e;
        }
        if (known == 0) {
            return new Check(name, true, "not reported: no snapshot notification of Debezium reached this sink "
                    + "(the source's notification.enabled.channels=sink and the sink's topics)");
        }
        if (!open.isEmpty()) {
            return new Check(name, false, "not yet: " + open);
        }
        return new Check(name, waiting.isEmpty(), waiting.isEmpty() ? "COMPLETED, every table loaded by its last pass"
                : "loaded by an earlier pass, Debezium's repeated pass still to come: " + waiting);
    }

    private Check lag(Connection pg, String s) throws SQLException {
        List<String> behind = strings(pg, "SELECT table_name || ' ' || round((extract(epoch FROM updated_at) * 1000 "
                + "- last_source_ts_ms) / 1000.0, 1) || ' s' FROM " + s + ".table_stats WHERE connector = ? "
                + "AND inserts + updates + deletes > 0 AND last_source_ts_ms IS NOT NULL "
                + "AND extract(epoch FROM updated_at) * 1000 - last_source_ts_ms > " + (long) (maxLagSeconds * 1000)
                + " ORDER BY 1");
        double worst = doubleValue(pg, "SELECT coalesce(max(extract(epoch FROM updated_at) * 1000 - last_source_ts_ms), 0) "
                + "/ 1000.0 FROM " + s + ".table_stats WHERE connector = ? AND inserts + updates + deletes > 0");
        return new Check("caught up (lag <= " + maxLagSeconds + " s)", behind.isEmpty(), behind.isEmpty()
                ? String.format("largest lag at the last change %.1f s", worst) : "behind: " + behind);
    }

    private Check count(Connection pg, String name, String sql, String what) throws SQLException {
        long n = longValue(pg, sql);
        return new Check(name, n == 0, n + " " + what);
    }

    private Check constraints(Connection pg, String s) throws SQLException {
        // the state the sink recorded, and the catalog's own word: present, and validated where that applies
        List<String> open = strings(pg, "SELECT d.table_name || '.' || d.name || ' ' || CASE WHEN d.kind = 'INDEX' "
                + "THEN CASE WHEN to_regclass(quote_ident(d.target_schema) || '.' || quote_ident(d.name)) IS NULL "
                + "THEN 'missing' ELSE d.state END ELSE coalesce((SELECT CASE WHEN c.convalidated THEN d.state "
                + "ELSE 'NOT VALID' END FROM pg_constraint c WHERE c.conname = d.name AND c.conrelid = "
                + "to_regclass(quote_ident(d.target_schema) || '.' || quote_ident(d.table_name))), 'missing') END "
                + "FROM " + s + ".design_constraints d WHERE d.connector = ? ORDER BY 1");
        List<String> bad = open.stream().filter(x -> !x.endsWith(" BUILT")).toList();
        return new Check("design built and validated", bad.isEmpty(), bad.isEmpty()
                ? open.size() + " indexes and constraints built" : "not yet: " + bad);
    }

    private Check verified(Connection pg, String s) throws SQLException {
        List<String> states;
        try {
            states = strings(pg, "SELECT v.table_name || ' ' || v.state FROM " + s + ".validation v WHERE "
                    + "EXISTS (SELECT 1 FROM " + s + ".table_stats t WHERE t.connector = ? AND t.table_name = v.target_table) "
                    + "AND (v.state <> 'VALIDATED' OR v.validated_at < now() - interval '" + maxVerifyAgeMinutes
                    + " minutes') ORDER BY 1");
            long covered = longValue(pg, "SELECT count(*) FROM " + s + ".table_stats t WHERE t.connector = ? AND EXISTS "
                    + "(SELECT 1 FROM " + s + ".validation v WHERE v.target_table = t.table_name)");
            long tables = longValue(pg, "SELECT count(*) FROM " + s + ".table_stats WHERE connector = ?");
            if (covered < tables) {
                return new Check("verified", false, (tables - covered) + " of " + tables + " tables never verified: run ferry verify");
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return new Check("verified", false, "ferry verify has not run against this target");
            }
            throw e;
        }
        return new Check("verified", states.isEmpty(), states.isEmpty()
                ? "every table VALIDATED within " + maxVerifyAgeMinutes + " minutes"
                : "not validated or too old: " + states);
    }

    private Check badRecords(Connection pg, String s) throws SQLException {
        List<String> bad;
        try {
            bad = strings(pg, "SELECT table_name || ' at ' || last_bad_record_at FROM " + s + ".table_stats WHERE connector = ? "
                    + "AND last_bad_record_at > coalesce((SELECT min(validated_at) FROM " + s + ".validation), now() - interval '1 day') "
                    + "ORDER BY 1");
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
            bad = strings(pg, "SELECT table_name || ' at ' || last_bad_record_at FROM " + s + ".table_stats WHERE connector = ? "
                    + "AND last_bad_record_at > now() - interval '1 day' ORDER BY 1");
        }
        return new Check("no bad records since the verify", bad.isEmpty(), bad.isEmpty()
                ? "none (dead-letter queue quiet)" : "bad records: " + bad);
    }

    private Check running(ConnectClient client) throws Exception {
        List<String> notRunning = new ArrayList<>();
        for (String name : client.connectors()) {
            JsonNode status = client.status(name);
            if (!"RUNNING".equals(status.path("connector").path("state").asText())) {
                notRunning.add(name + " " + status.path("connector").path("state").asText());
            }
            for (JsonNode t : status.path("tasks")) {
                if (!"RUNNING".equals(t.path("state").asText())) {
                    notRunning.add(name + " task " + t.path("id").asText() + " " + t.path("state").asText());
                }
            }
        }
        return new Check("connectors running", notRunning.isEmpty(), notRunning.isEmpty() ? "all connectors and tasks RUNNING"
                : String.join(", ", notRunning));
    }

    private List<String> strings(Connection pg, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = pg.prepareStatement(sql)) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private long longValue(Connection pg, String sql) throws SQLException {
        try (PreparedStatement ps = pg.prepareStatement(sql)) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private double doubleValue(Connection pg, String sql) throws SQLException {
        try (PreparedStatement ps = pg.prepareStatement(sql)) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }
}
