package io.ferry.sink.state;

import io.ferry.sink.jdbc.Transactions;
import io.ferry.sink.schema.Identifiers;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Ferry's own tables in the target database. Everything the sink needs to resume lives here, written in the same
 * transaction as the rows it describes: offsets (so a crash never loses or doubles a row), per-table statistics
 * and phase (so the numbers are exact, not "at least"), rows a foreign key refuses for now (parked), and the
 * bigint ids allocated to natural keys (key registry).
 */
public final class StateSchema {

    private final String schema;

    public StateSchema(String schema) {
        this.schema = schema;
    }

    /** The schema's name, unquoted. */
    public String name() {
        return schema;
    }

    public String table(String name) {
        return Identifiers.qualified(schema, name);
    }

    /**
     * Creates or upgrades the state tables. Skipped when they are current: an ALTER TABLE takes an exclusive lock
     * even when it changes nothing, and tasks starting while others write would deadlock with them (the bench's
     * three tasks did). A deadlock or serialization failure of a real upgrade is retried.
     */
    public void create(Connection conn) throws SQLException {
        if (current(conn)) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                Transactions.commit(conn, this::createTables);
                return;
            } catch (SQLException e) {
                boolean retriable = "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
                if (!retriable || attempt >= 5) {
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Whether the last table and column this version adds are there (then all the earlier ones are). */
    private boolean current(Connection conn) throws SQLException {
        try (java.sql.PreparedStatement ps = conn.prepareStatement("SELECT to_regclass(?) IS NOT NULL AND "
                + "to_regclass(?) IS NOT NULL AND to_regclass(?) IS NOT NULL AND EXISTS (SELECT 1 FROM pg_attribute "
                + "WHERE attrelid = to_regclass(?) AND attname = 'reload_rows' AND NOT attisdropped)")) {
            ps.setString(1, table("key_registry"));
            ps.setString(2, table("reload_acks"));
            ps.setString(3, table("snapshot_first_rows"));
            ps.setString(4, table("table_stats"));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } finally {
            if (!conn.getAutoCommit()) {
                conn.rollback();
            }
        }
    }

    private void createTables(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(hashtext('ferry-state-schema'))");
            st.execute(Identifiers.createSchemaIfMissing(schema));
            st.execute("CREATE TABLE IF NOT EXISTS " + table("sink_offsets") + " ("
                    + "connector text NOT NULL, topic text NOT NULL, kafka_partition integer NOT NULL, "
                    + "next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), "
                    + "PRIMARY KEY (connector, topic, kafka_partition))");
            st.execute("CREATE TABLE IF NOT EXISTS " + table("table_stats") + " ("
                    + "connector text NOT NULL, table_name text NOT NULL, phase text NOT NULL, "
                    + "snapshot_rows bigint NOT NULL DEFAULT 0, inserts bigint NOT NULL DEFAULT 0, "
                    + "updates bigint NOT NULL DEFAULT 0, deletes bigint NOT NULL DEFAULT 0, "
                    + "bad_records bigint NOT NULL DEFAULT 0, nul_stripped bigint NOT NULL DEFAULT 0, "
                    + "last_topic text, last_partition integer, last_offset bigint, last_source_ts_ms bigint, "
                    + "snapshot_completed_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now(), "
                    + "PRIMARY KEY (connector, table_name))");
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS snapshot_expected bigint");
            st.execute("CREATE TABLE IF NOT EXISTS " + table("parked") + " ("
                    + "connector text NOT NULL, table_name text NOT NULL, row_key text NOT NULL, "
                    + "topic text NOT NULL, kafka_partition integer NOT NULL, kafka_offset bigint NOT NULL, "
                    + "op text NOT NULL, key_values jsonb NOT NULL, row_values jsonb, reason text, "
                    + "attempts integer NOT NULL DEFAULT 0, parked_at timestamptz NOT NULL DEFAULT now(), "
                    + "PRIMARY KEY (connector, table_name, row_key))");
            // tables stopped by a source change the sink will not apply by itself, until the target changes
            st.execute("CREATE TABLE IF NOT EXISTS " + table("stopped_tables") + " ("
                    + "connector text NOT NULL, table_name text NOT NULL, column_name text NOT NULL, "
                    + "target_type text NOT NULL, ddl text NOT NULL, reason text NOT NULL, "
                    + "stopped_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (connector, table_name))");
            // the source columns a designed table knew of when the design met the source (the others came later)
            st.execute("CREATE TABLE IF NOT EXISTS " + table("design_columns") + " ("
                    + "target_schema text NOT NULL, table_name text NOT NULL, column_name text NOT NULL, "
                    + "seen_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target_schema, table_name, column_name))");
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS ignored_values bigint NOT NULL DEFAULT 0");
            // what the design builds after the load (indexes, constraints) and how far each got
            st.execute("CREATE TABLE IF NOT EXISTS " + table("design_constraints") + " ("
                    + "connector text NOT NULL, target_schema text NOT NULL, table_name text NOT NULL, name text NOT NULL, "
                    + "kind text NOT NULL, definition text NOT NULL, state text NOT NULL, detail text, "
                    + "updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (connector, table_name, name))");
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS last_bad_record_at timestamptz");
            // how often Debezium started the table's snapshot again, and when its expected row count was announced
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS snapshot_restarts integer NOT NULL DEFAULT 0");
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS snapshot_expected_at bigint");
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS snapshot_max_ts_ms bigint");
            // the latest source (binlog) position applied per partition: re-delivered change events are recognised by it
            for (String column : new String[] {"source_server_id bigint", "source_file text", "source_file_number bigint",
                    "source_pos bigint", "source_order bigint", "source_tx_prints text"}) {
                st.execute("ALTER TABLE " + table("sink_offsets") + " ADD COLUMN IF NOT EXISTS " + column);
            }
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS redelivered_skipped bigint NOT NULL DEFAULT 0");
            // when the TABLE_LOADED event was sent: exactly one task of the connector claims it
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS loaded_event_at timestamptz");
            // reloads (ferry reload): requested by the runner, acknowledged by every sink task before Debezium is told,
            // so that every change of the table from then on has its key recorded for the stale-row sweep
            st.execute("ALTER TABLE " + table("table_stats") + " ADD COLUMN IF NOT EXISTS reload_rows bigint NOT NULL DEFAULT 0");
            st.execute("CREATE TABLE IF NOT EXISTS " + table("reloads") + " ("
                    + "reload_id text PRIMARY KEY, connector text NOT NULL, table_name text NOT NULL, "
                    + "target_table text NOT NULL, keys_table text NOT NULL, state text NOT NULL, sweep boolean NOT NULL, "
                    + "filter text, requested_at timestamptz NOT NULL DEFAULT now(), signalled_at timestamptz, "
                    + "completed_at timestamptz, rows_expected bigint, rows_swept bigint, rows_kept bigint, detail text, "
                    + "scan_status text, scan_completed_at timestamptz, reload_rows_before bigint)");
            st.execute("CREATE TABLE IF NOT EXISTS " + table("reload_acks") + " ("
                    + "reload_id text NOT NULL, task text NOT NULL, acked_at timestamptz NOT NULL DEFAULT now(), "
                    + "PRIMARY KEY (reload_id, task))");
            // where Debezium's snapshot of each source stands, for ferry cutover-check (phase.SourceSnapshots)
            st.execute("CREATE TABLE IF NOT EXISTS " + table("source_snapshots") + " ("
                    + "connector text NOT NULL, source text NOT NULL, status text NOT NULL, "
                    + "status_ts_ms bigint NOT NULL, started_ts_ms bigint, "
                    + "updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (connector, source))");
            st.execute("CREATE TABLE IF NOT EXISTS " + table("snapshot_first_rows") + " (connector text PRIMARY KEY, "
                    + "first_ts_ms bigint NOT NULL, seen_at timestamptz NOT NULL DEFAULT now())");
            // natural key -> bigint id, per table, shared by every connector and task writing to this database.
            // The keys are opaque encodings matched for equality only (verify orders them by their hex), so they are
            // compared bytewise: under the database's collation every insert's index descent called strcoll. A
            // registry made before keeps its collation and works as it did.
            st.execute("CREATE TABLE IF NOT EXISTS " + table("key_registry") + " ("
                    + "table_name text COLLATE \"C\" NOT NULL, natural_key text COLLATE \"C\" NOT NULL, "
                    + "id bigint GENERATED ALWAYS AS IDENTITY UNIQUE, "
                    + "allocated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (table_name, natural_key))");
        }
    }
}
