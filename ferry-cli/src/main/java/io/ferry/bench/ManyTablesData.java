package io.ferry.bench;

import io.ferry.embedded.MariaDbServer;

import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The second source of {@code ferry bench --only migrate}: a hundred small tables, the shape where what a pipeline pays
 * per table (a topic, a rebalance, a table created, loaded and keyed) shows beside what it pays per row. Each table has
 * a primary key and five columns of the common kinds; together they hold a quarter of the shop's rows.
 */
final class ManyTablesData {
    private ManyTablesData() {}

    static final String DATABASE = "many_tables";
    static final int TABLES = 100;

    /** Rows per table for a quarter of {@code rows} in all; every table has at least 10. */
    static Map<String, Long> split(long rows) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 1; i <= TABLES; i++) {
            out.put(String.format("t%03d", i), Math.max(10, rows / 4 / TABLES));
        }
        return out;
    }

    /** Creates the database and fills it; returns the rows per table. */
    static Map<String, Long> generate(MariaDbServer maria, long rows) throws Exception {
        Map<String, Long> n = split(rows);
        try (Connection c = maria.connect(""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE);
            st.execute("CREATE DATABASE " + DATABASE + " DEFAULT CHARSET utf8mb4");
            st.execute("USE " + DATABASE);
            for (Map.Entry<String, Long> t : n.entrySet()) {
                st.execute("CREATE TABLE " + t.getKey() + " (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
                        + "amount DECIMAL(10,2), created DATETIME NOT NULL, note VARCHAR(100))");
                BenchData.fill(st, t.getValue(), "INSERT INTO " + t.getKey() + " SELECT seq, CONCAT('name ', seq), "
                        + "seq / 7, TIMESTAMP('2024-01-01') + INTERVAL seq MINUTE, IF(seq % 3 = 0, NULL, "
                        + "CONCAT('note ', seq)) FROM ");
            }
        }
        return n;
    }
}
