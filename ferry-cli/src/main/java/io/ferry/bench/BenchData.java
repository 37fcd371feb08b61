package io.ferry.bench;

import io.ferry.embedded.MariaDbServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.StringJoiner;

/** The benchmark's source table: ten mixed columns, generated inside MariaDB from its sequence engine. */
final class BenchData {
    private BenchData() {}

    static final String DATABASE = "bench";
    static final String TABLE = "items";

    /**
     * The target design of the post-load measurement: the same columns (JSON as jsonb), three secondary indexes, one
     * of them unique, and a foreign key, all built by the sink after the load.
     */
    static final String TARGET_DDL = """
            CREATE TABLE statuses (code text PRIMARY KEY, label varchar(64));
            CREATE TABLE items (id bigint PRIMARY KEY, qty integer NOT NULL, name varchar(64) NOT NULL,
              descr varchar(255), price numeric(12,2), created timestamp(6), updated timestamptz, active boolean,
              attrs jsonb, status text REFERENCES statuses (code));
            CREATE UNIQUE INDEX items_name ON items (name);
            CREATE INDEX items_qty ON items (qty);
            CREATE INDEX items_created ON items (created);
            """;

    static void generate(MariaDbServer maria, long rows) throws Exception {
        try (Connection c = maria.connect(""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE);
            st.execute("CREATE DATABASE " + DATABASE + " DEFAULT CHARSET utf8mb4");
            st.execute("USE " + DATABASE);
            st.execute("CREATE TABLE " + DATABASE + "." + TABLE + " (id BIGINT PRIMARY KEY, qty INT NOT NULL, "
                    + "name VARCHAR(64) NOT NULL, descr VARCHAR(255), price DECIMAL(12,2), created DATETIME(6), "
                    + "updated TIMESTAMP NULL, active TINYINT(1), attrs JSON, "
                    + "status ENUM('new','paid','shipped','cancelled'))");
            // a lookup table the target design turns into a real foreign key (items.status -> statuses.code)
            st.execute("CREATE TABLE " + DATABASE + ".statuses (code VARCHAR(16) PRIMARY KEY, label VARCHAR(64))");
            st.execute("INSERT INTO " + DATABASE + ".statuses VALUES ('new', 'New'), ('paid', 'Paid'), "
                    + "('shipped', 'Shipped'), ('cancelled', 'Cancelled')");
            fill(st, rows, "INSERT INTO " + DATABASE + "." + TABLE + " SELECT seq, seq % 1000, CONCAT('item-', seq), "
                    + "CONCAT(REPEAT(CHAR(65 + seq % 26), 60 + seq % 120), ' ', seq), (seq % 100000) / 100, "
                    + "TIMESTAMP('2024-01-01') + INTERVAL seq SECOND + INTERVAL seq % 1000000 MICROSECOND, "
                    + "TIMESTAMP('2025-01-01') + INTERVAL seq SECOND, seq % 2, "
                    + "JSON_OBJECT('k', seq, 'tags', JSON_ARRAY('a', 'b')), ELT(1 + seq % 4, 'new', 'paid', "
                    + "'shipped', 'cancelled') FROM ");
        }
    }

    /**
     * Rows 1..rows by {@code insertSelectFrom} + a table of MariaDB's sequence engine, 100,000 per statement so no
     * statement holds the whole table in one transaction's undo log.
     */
    static void fill(Statement st, long rows, String insertSelectFrom) throws Exception {
        long batch = 100_000;
        for (long from = 1; from <= rows; from += batch) {
            long to = Math.min(rows, from + batch - 1);
            st.execute(insertSelectFrom + "seq_" + from + "_to_" + to);
        }
    }

    /** About the size of a database's tables in PostgreSQL's text COPY format: every value as text, tab-separated, NULL as \\N. */
    static long textBytes(MariaDbServer maria, String database, Map<String, Long> rows) throws Exception {
        long bytes = 0;
        try (Connection c = maria.connect(database); Statement st = c.createStatement()) {
            for (String table : rows.keySet()) {
                StringJoiner values = new StringJoiner(", ");
                try (ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns WHERE "
                        + "table_schema = '" + database + "' AND table_name = '" + table + "' ORDER BY ordinal_position")) {
                    while (rs.next()) {
                        values.add("IFNULL(`" + rs.getString(1) + "`, '\\\\N')");
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT SUM(LENGTH(CONCAT_WS('\\t', " + values + ")) + 1) FROM "
                        + table)) {
                    rs.next();
                    bytes += rs.getLong(1);
                }
            }
        }
        return bytes;
    }

}
