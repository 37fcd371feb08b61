package io.ferry.bench;

import io.ferry.embedded.MariaDbServer;

import java.sql.Connection;
import java.sql.Statement;

/** The benchmark's source table: ten mixed columns, generated inside MariaDB from its sequence engine. */
final class BenchData {
    private BenchData() {}

    static final String DATABASE = "bench";
    static final String TABLE = "items";

    static void generate(MariaDbServer maria, long rows) throws Exception {
        try (Connection c = maria.connect(""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE);
            st.execute("CREATE DATABASE " + DATABASE + " DEFAULT CHARSET utf8mb4");
            st.execute("USE " + DATABASE);
            st.execute("CREATE TABLE " + DATABASE + "." + TABLE + " (id BIGINT PRIMARY KEY, qty INT NOT NULL, "
                    + "name VARCHAR(64) NOT NULL, descr VARCHAR(255), price DECIMAL(12,2), created DATETIME(6), "
                    + "updated TIMESTAMP NULL, active TINYINT(1), attrs JSON, "
                    + "status ENUM('new','paid','shipped','cancelled'))");
            long batch = 100_000;
            for (long from = 1; from <= rows; from += batch) {
                long to = Math.min(rows, from + batch - 1);
                st.execute("INSERT INTO " + DATABASE + "." + TABLE + " SELECT seq, seq % 1000, CONCAT('item-', seq), "
                        + "CONCAT(REPEAT(CHAR(65 + seq % 26), 60 + seq % 120), ' ', seq), (seq % 100000) / 100, "
                        + "TIMESTAMP('2024-01-01') + INTERVAL seq SECOND + INTERVAL seq % 1000000 MICROSECOND, "
                        + "TIMESTAMP('2025-01-01') + INTERVAL seq SECOND, seq % 2, "
                        + "JSON_OBJECT('k', seq, 'tags', JSON_ARRAY('a', 'b')), ELT(1 + seq % 4, 'new', 'paid', "
                        + "'shipped', 'cancelled') FROM seq_" + from + "_to_" + to);
            }
        }
    }
}
