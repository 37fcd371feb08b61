package io.ferry.sink;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: FERRY_TEST_PG_URL (+ _USER/_PASSWORD) when set, else an embedded PostgreSQL 17
 * started once per JVM. Every test gets a database of its own.
 */
public final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres embedded;

    private TestPostgres() {}

    public static synchronized String newDatabaseUrl() throws Exception {
        String admin = adminUrl();
        String db = "ferry_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(admin, user(), password()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        return admin.substring(0, admin.lastIndexOf('/') + 1) + db;
    }

    public static String user() {
        return System.getenv("FERRY_TEST_PG_URL") != null ? System.getenv("FERRY_TEST_PG_USER") : "postgres";
    }

    public static String password() {
        return System.getenv("FERRY_TEST_PG_URL") != null ? System.getenv("FERRY_TEST_PG_PASSWORD") : "postgres";
    }

    private static String adminUrl() throws IOException {
        String external = System.getenv("FERRY_TEST_PG_URL");
        if (external != null) {
            return external;
        }
        if (embedded == null) {
            embedded = EmbeddedPostgres.builder().start();
        }
        return embedded.getJdbcUrl("postgres", "postgres");
    }

    public static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, user(), password());
    }
}
