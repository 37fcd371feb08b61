package io.ferry.bench;

import io.ferry.embedded.MariaDbServer;

import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The source of {@code ferry bench --only migrate}: a small shop of four tables joined by foreign keys, the shape of
 * the schema a new user migrated when #14 was filed (862,000 rows in four tables). Its rows are split over the tables
 * as an order system's are: most in order lines, fewest in products.
 */
final class ShopData {
    private ShopData() {}

    static final String DATABASE = "shop";

    /** Per-mille of the rows each table holds, parents first. */
    private static final Map<String, Integer> SHARE = shares();

    private static Map<String, Integer> shares() {
        Map<String, Integer> share = new LinkedHashMap<>();
        share.put("customers", 60);
        share.put("products", 15);
        share.put("orders", 235);
        share.put("order_lines", 690);
        return share;
    }

    /**
     * The target a user would write for it, with the objects pgloader builds from the source's: four primary keys,
     * the two unique indexes, the two indexes MySQL keeps for foreign keys whose column leads no other index, and the
     * three foreign keys. The sink builds all but the columns and keys after each table's load, as pgloader does.
     */
    static final String TARGET_DDL = """
            CREATE TABLE customers (id integer PRIMARY KEY, email varchar(120) NOT NULL, name varchar(80) NOT NULL,
              country char(2) NOT NULL, created timestamp(6) NOT NULL, active boolean NOT NULL);
            CREATE UNIQUE INDEX customers_email ON customers (email);
            CREATE TABLE products (id integer PRIMARY KEY, sku varchar(32) NOT NULL, title varchar(200) NOT NULL,
              price numeric(10,2) NOT NULL, weight_kg double precision, description text);
            CREATE UNIQUE INDEX products_sku ON products (sku);
            CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id),
              ordered_at timestamp NOT NULL, status varchar(16) NOT NULL, total numeric(12,2) NOT NULL,
              note varchar(255));
            CREATE INDEX orders_customer_id ON orders (customer_id);
            CREATE TABLE order_lines (order_id bigint NOT NULL REFERENCES orders (id), line_no smallint NOT NULL,
              product_id integer NOT NULL REFERENCES products (id), quantity integer NOT NULL,
              unit_price numeric(10,2) NOT NULL, PRIMARY KEY (order_id, line_no));
            CREATE INDEX order_lines_product_id ON order_lines (product_id);
            """;

    /** Primary keys, foreign keys and unique constraints or indexes of the target above, for the "built" check. */
    static final int DESIGNED_PRIMARY_KEYS = 4;
    static final int DESIGNED_FOREIGN_KEYS = 3;
    static final int DESIGNED_INDEXES = 8; // 4 primary keys' + 2 unique + 2 plain

    /** Rows per table for a total of about {@code rows}, parents first; every table has at least 10. */
    static Map<String, Long> split(long rows) {
        Map<String, Long> out = new LinkedHashMap<>();
        SHARE.forEach((table, perMille) -> out.put(table, Math.max(10, rows * perMille / 1000)));
        return out;
    }

    /** Creates the database and fills it; returns the rows per table. */
    static Map<String, Long> generate(MariaDbServer maria, long rows) throws Exception {
        Map<String, Long> n = split(rows);
        long customers = n.get("customers");
        long products = n.get("products");
        long orders = n.get("orders");
        long lines = n.get("order_lines");
        try (Connection c = maria.connect(""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE);
            st.execute("CREATE DATABASE " + DATABASE + " DEFAULT CHARSET utf8mb4");
            st.execute("USE " + DATABASE);
            st.execute("CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80) NOT NULL, "
                    + "country CHAR(2) NOT NULL, created DATETIME(6) NOT NULL, active TINYINT(1) NOT NULL, "
                    + "UNIQUE KEY customers_email (email))");
            st.execute("CREATE TABLE products (id INT PRIMARY KEY, sku VARCHAR(32) NOT NULL, title VARCHAR(200) NOT NULL, "
                    + "price DECIMAL(10,2) NOT NULL, weight_kg DOUBLE, description TEXT, UNIQUE KEY products_sku (sku))");
            st.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, ordered_at DATETIME NOT NULL, "
                    + "status VARCHAR(16) NOT NULL, total DECIMAL(12,2) NOT NULL, note VARCHAR(255), "
                    + "CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id))");
            st.execute("CREATE TABLE order_lines (order_id BIGINT NOT NULL, line_no SMALLINT NOT NULL, product_id INT NOT NULL, "
                    + "quantity INT NOT NULL, unit_price DECIMAL(10,2) NOT NULL, PRIMARY KEY (order_id, line_no), "
                    + "CONSTRAINT order_lines_order FOREIGN KEY (order_id) REFERENCES orders (id), "
                    + "CONSTRAINT order_lines_product FOREIGN KEY (product_id) REFERENCES products (id))");
            BenchData.fill(st, customers, "INSERT INTO customers SELECT seq, CONCAT('customer', seq, '@example.com'), "
                    + "CONCAT('Customer ', seq), ELT(1 + seq % 5, 'DE', 'FR', 'US', 'JP', 'BR'), "
                    + "TIMESTAMP('2020-01-01') + INTERVAL seq MINUTE + INTERVAL seq % 1000000 MICROSECOND, seq % 3 > 0 FROM ");
            BenchData.fill(st, products, "INSERT INTO products SELECT seq, CONCAT('SKU-', LPAD(seq, 8, '0')), "
                    + "CONCAT('Product ', seq, ' ', REPEAT(CHAR(97 + seq % 26), 20 + seq % 40)), (seq % 50000) / 100 + 1, "
                    + "IF(seq % 10 = 0, NULL, (seq % 9973) / 100.0), "
                    + "IF(seq % 4 = 0, NULL, REPEAT(CONCAT('About product ', seq, '. '), 1 + seq % 12)) FROM ");
            BenchData.fill(st, orders, "INSERT INTO orders SELECT seq, 1 + seq % " + customers + ", "
                    + "TIMESTAMP('2023-01-01') + INTERVAL seq * 17 SECOND, ELT(1 + seq % 4, 'new', 'paid', 'shipped', "
                    + "'cancelled'), (seq % 200000) / 100, IF(seq % 7 = 0, CONCAT('Gift wrap, note ', seq), NULL) FROM ");
            // line seq of an order: order 1 + (seq-1) % orders, line 1 + (seq-1) div orders, so (order, line) is unique
            BenchData.fill(st, lines, "INSERT INTO order_lines SELECT 1 + (seq - 1) % " + orders + ", 1 + (seq - 1) DIV " + orders
                    + ", 1 + seq % " + products + ", 1 + seq % 9, (seq % 50000) / 100 + 1 FROM ");
        }
        return n;
    }

    static long total(Map<String, Long> rows) {
        return rows.values().stream().mapToLong(Long::longValue).sum();
    }
}
