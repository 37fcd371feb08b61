package io.ferry.sink.write;

import io.ferry.sink.config.FerrySinkConfig;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/** The task's one PostgreSQL connection, reopened after a failure. */
public final class PgConnections implements AutoCloseable {

    private final FerrySinkConfig config;
    private final String applicationName;
    private Connection connection;

    public PgConnections(FerrySinkConfig config, String applicationName) {
        this.config = config;
        this.applicationName = applicationName;
    }

    public Connection get() throws SQLException {
        if (connection != null && !connection.isClosed()) {
            return connection;
        }
        connection = open(config, applicationName);
        return connection;
    }

    public static Connection open(FerrySinkConfig config, String applicationName) throws SQLException {
        Properties props = new Properties();
        if (config.user() != null) {
            props.setProperty("user", config.user());
        }
        if (config.password() != null) {
            props.setProperty("password", config.password().value());
        }
        props.setProperty("reWriteBatchedInserts", "true");
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("connectTimeout", "10");
        // keep row values ("Failing row contains ...", "Key (id)=(...)") out of exception messages and so out of logs
        props.setProperty("logServerErrorDetail", "false");
        Connection conn = new org.postgresql.Driver().connect(config.connectionUrl(), props);
        if (conn == null) {
            throw new SQLException("not a PostgreSQL JDBC URL", "08001");
        }
        try (java.sql.Statement st = conn.createStatement()) {
            // a MySQL DATETIME has no zone: written into a timestamptz column it means UTC, whatever the worker's zone
            st.execute("SET TIME ZONE 'UTC'");
            // a commit holds the rows and the Kafka offsets together: once acknowledged it must survive a crash, so
            // the offsets stored never step back, whatever the server's default (one WAL flush per put())
            st.execute("SET synchronous_commit = on");
        }
        return conn;
    }

    /** Drop the connection after a failure: the next get() opens a fresh one. */
    public void reset() {
        close();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing more to do
            }
            connection = null;
        }
    }

}
