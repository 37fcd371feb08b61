package io.ferry.bench;

import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ceiling: the same rows, already in PostgreSQL's text format in memory, written with one COPY into the table
 * Ferry would create (same types, same primary key). Only the COPY is timed. The types are checked against the table
 * Ferry's sink created ({@link #checkSameTypes}), so that the ceiling cannot drift to other work: a {@code jsonb}
 * column, for instance, costs PostgreSQL about a quarter more than {@code text} for these rows (JSON parsed per value;
 * 4.7 s against 3.7 s per million rows, PostgreSQL 17 here). MariaDB's JSON is a text type to its Debezium connector,
 * so both tables have {@code attrs text}.
 */
final class RawCopy {
    private RawCopy() {}

    static final String DDL = "CREATE TABLE items (id bigint PRIMARY KEY, qty integer NOT NULL, name varchar(64) NOT NULL, "
            + "descr varchar(255), price numeric(12,2), created timestamp(6), updated timestamptz(0), active boolean, "
            + "attrs text, status text)";

    static byte[] extract(MariaDbServer maria, String db, String table) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 20);
        StringBuilder line = new StringBuilder(512);
        try (Connection c = maria.connect(db); Statement st = c.createStatement(java.sql.ResultSet.TYPE_FORWARD_ONLY,
                java.sql.ResultSet.CONCUR_READ_ONLY)) {
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery("SELECT id, qty, name, descr, price, "
                    + "DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s.%f'), CONCAT(DATE_FORMAT(updated, '%Y-%m-%d %H:%i:%s'), '+00'), "
                    + "IF(active, 't', 'f'), attrs, status FROM " + table)) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    line.setLength(0);
                    for (int i = 1; i <= n; i++) {
                        if (i > 1) {
                            line.append('\t');
                        }
                        String v = rs.getString(i);
                        if (v == null) {
                            line.append("\\N");
                        } else {
                            for (int k = 0; k < v.length(); k++) {
                                char ch = v.charAt(k);
                                switch (ch) {
                                    case '\\' -> line.append("\\\\");
                                    case '\t' -> line.append("\\t");
                                    case '\n' -> line.append("\\n");
                                    case '\r' -> line.append("\\r");
                                    default -> line.append(ch);
                                }
                            }
                        }
                    }
                    line.append('\n');
                    out.write(line.toString().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return out.toByteArray();
    }

    static Measurement measure(PostgresServer pg, CpuMeter meter, byte[] data, long rows, int runs) throws Exception {
        Measurement m = new Measurement("raw_copy", rows, data.length);
        m.note = "one COPY of the same rows from memory into an empty table with the same types and primary key";
        return timed(m, pg, meter, "copy_", "COPY items FROM STDIN", data, rows, runs);
    }

    /**
     * The same ceiling in PostgreSQL's binary COPY format (which the sink writes when every column has one): the
     * rows of the text run's table copied out as binary, then one COPY of them into an empty table per run.
     */
    static Measurement measureBinary(PostgresServer pg, CpuMeter meter, long rows, int runs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 20);
        try (Connection c = pg.connect("copy_1")) {
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY items TO STDOUT (FORMAT binary)", out);
        }
        byte[] data = out.toByteArray();
        Measurement m = new Measurement("raw_copy_binary", rows, data.length);
        m.note = "one COPY (FORMAT binary) of the same rows from memory into an empty table with the same types and "
                + "primary key";
        return timed(m, pg, meter, "copy_binary_", "COPY items FROM STDIN (FORMAT binary)", data, rows, runs);
    }

    /**
     * Fails the bench when the ceiling's table and the one Ferry's sink created in {@code ferryDb} differ in a column's
     * type: a ratio against a COPY into other types compares different work for PostgreSQL.
     */
    static void checkSameTypes(PostgresServer pg, String ferryDb) throws SQLException {
        Map<String, String> ceiling = columnTypes(pg, "copy_1");
        Map<String, String> ferry = columnTypes(pg, ferryDb);
        if (!ceiling.equals(ferry)) {
            throw new IllegalStateException("raw COPY's table items (" + ceiling + ") has other column types than the "
                    + "one Ferry's sink created in " + ferryDb + " (" + ferry + "): the ratio to raw COPY would compare "
                    + "different work; make RawCopy.DDL match");
        }
    }

    private static Map<String, String> columnTypes(PostgresServer pg, String db) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                     + "WHERE attrelid = 'public.items'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            while (rs.next()) {
                types.put(rs.getString(1), rs.getString(2));
            }
        }
        return types;
    }

    /** Per run: a new database, the table, and the one COPY of {@code data}, timed alone. */
    private static Measurement timed(Measurement m, PostgresServer pg, CpuMeter meter, String dbPrefix, String copy, byte[] data,
                                     long rows, int runs) throws Exception {
        for (int run = 1; run <= runs; run++) {
            String db = dbPrefix + run;
            QuietPostgres.freshDatabase(pg, db);
            try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
                st.execute(DDL);
                CpuMeter.Run cpu = meter.start();
                long t0 = System.nanoTime();
                long copied = c.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn(copy, new ByteArrayInputStream(data), 1 << 20);
                m.seconds.add((System.nanoTime() - t0) / 1e9);
                m.cpu.add(cpu.stop());
                if (copied != rows) {
                    throw new IllegalStateException("COPY wrote " + copied + " rows, expected " + rows);
                }
            }
        }
        return m;
    }
}
