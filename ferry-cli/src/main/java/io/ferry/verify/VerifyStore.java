package io.ferry.verify;

import io.ferry.verify.diff.Difference;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps each verification in the state schema beside the sink's own tables, so `ferry stats`, `ferry cutover-check`
 * and the sink's metrics see it: {@code validation} (the latest state per table, with its run) and
 * {@code validation_failures} (per run: table, key, column, kind, digests; no values).
 */
public final class VerifyStore {

    /** Failures kept per table and run. */
    static final int MAX_STORED = 1000;

    private final String schema;

    public VerifyStore(String stateSchema) {
        this.schema = "\"" + stateSchema.replace("\"", "\"\"") + "\"";
    }

    public void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema is there
            st.execute("DO $$ BEGIN IF to_regnamespace(" + "'" + schema.replace("'", "''") + "'" + ") IS NULL THEN "
                    + "CREATE SCHEMA " + schema + "; END IF; END $$");
            st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".validation (table_name text PRIMARY KEY, "
                    + "target_table text, state text NOT NULL, mismatched bigint NOT NULL DEFAULT 0, "
                    + "in_flight bigint NOT NULL DEFAULT 0, source_rows bigint, target_rows bigint, mode text, "
                    + "reason text, run_id text NOT NULL, validated_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".validation_failures (run_id text NOT NULL, "
                    + "table_name text NOT NULL, source_key text NOT NULL, column_name text, kind text NOT NULL, "
                    + "source_digest text, target_digest text, detected_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE INDEX IF NOT EXISTS validation_failures_run ON " + schema
                    + ".validation_failures (table_name, run_id)");
        }
    }

    public void record(Connection c, String runId, List<TableResult> results) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement v = c.prepareStatement("INSERT INTO " + schema + ".validation (table_name, target_table, "
                + "state, mismatched, in_flight, source_rows, target_rows, mode, reason, run_id) VALUES "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET target_table = EXCLUDED.target_table, "
                + "state = EXCLUDED.state, mismatched = EXCLUDED.mismatched, in_flight = EXCLUDED.in_flight, "
                + "source_rows = EXCLUDED.source_rows, target_rows = EXCLUDED.target_rows, mode = EXCLUDED.mode, "
                + "reason = EXCLUDED.reason, run_id = EXCLUDED.run_id, validated_at = now()");
             PreparedStatement f = c.prepareStatement("INSERT INTO " + schema + ".validation_failures (run_id, table_name, "
                     + "source_key, column_name, kind, source_digest, target_digest) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (TableResult r : results) {
                int i = 1;
                v.setString(i++, r.table());
                v.setString(i++, r.targetTable());
                v.setString(i++, r.state().name());
                v.setLong(i++, r.mismatched());
                v.setLong(i++, r.inFlight());
                v.setLong(i++, r.sourceRows());
                v.setLong(i++, r.targetRows());
                v.setString(i++, r.mode());
                v.setString(i++, r.reason());
                v.setString(i, runId);
                v.addBatch();
                int n = 0;
                for (Difference d : r.differences()) {
                    if (n++ >= MAX_STORED) {
                        break;
                    }
                    f.setString(1, runId);
                    f.setString(2, r.table());
                    f.setString(3, d.printableKey());
                    f.setString(4, d.column());
                    f.setString(5, d.kind().name());
                    f.setString(6, d.sourceDigest());
                    f.setString(7, d.targetDigest());
                    f.addBatch();
                }
            }
            v.executeBatch();
            f.executeBatch();
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The latest state per table (table -> "STATE [n]"), or empty when nothing was verified here yet. */
    public static Map<String, String> latest(Connection c, String stateSchema) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT target_table, state, mismatched, "
                + "in_flight FROM \"" + stateSchema.replace("\"", "\"\"") + "\".validation ORDER BY table_name")) {
            while (rs.next()) {
                String state = rs.getString(2);
                out.put(rs.getString(1), state.equals("MISMATCHED") ? state + " " + rs.getLong(3)
                        : state.equals("IN_FLIGHT") ? state + " " + rs.getLong(4) : state);
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e;
            }
        }
        return out;
    }
}
