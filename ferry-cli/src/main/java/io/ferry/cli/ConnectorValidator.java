package io.ferry.cli;


import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Validates a connector definition with Connect's {@code config/validate} and explains the answer. Connect answers
 * a failed connection check of Debezium's MySQL/MariaDB connectors with an unrelated HTTP 500 (a
 * NullPointerException) and logs the real cause only on the worker; here the source database is then asked
 * directly, so the user sees why.
 */
public final class ConnectorValidator {

    private static final String MARIADB_MISMATCH = "this is MariaDB";

    private final ConnectClient client;

    public ConnectorValidator(ConnectClient client) {
        this.client = client;
    }

    /** Problems found, one line each; empty when the connector is valid. */
    public List<String> validate(ConnectorFile connector) throws IOException {
        List<String> problems = new ArrayList<>();
        String cls = connector.connectorClass();
        if (cls == null) {
            problems.add(connector.name() + ": connector.class is missing");
            return problems;
        }
        Map<String, String> config = new java.util.LinkedHashMap<>(connector.config());
        config.putIfAbsent("name", connector.name());
        ConnectClient.Response r = client.validate(cls, config);
        if (r.status() == 200) {
            for (String e : ConnectClient.validationErrors(r.body())) {
                problems.add(connector.name() + ": " + e);
            }
            // Connect only checks that it can log in; the MySQL connector refuses MariaDB later, at task start
            if (problems.isEmpty() && cls.startsWith("io.debezium.connector.mysql")) {
                String probe = probeSource(config);
                if (probe.contains(MARIADB_MISMATCH)) {
                    problems.add(connector.name() + ": " + probe);
                }
            }
            return problems;
        }
        String connectSays = r.body().path("message").asText(r.raw());
        problems.add(connector.name() + ": Connect answered HTTP " + r.status() + " to config/validate (" + abbreviate(connectSays) + ")");
        if (cls.startsWith("io.debezium.connector.mysql") || cls.startsWith("io.debezium.connector.mariadb")) {
            problems.add(connector.name() + ": the real cause, from connecting to the source directly: "
                    + probeSource(connector.config()));
        }
        return problems;
    }

    /** Connects the way Debezium would and reports what the server says. */
    static String probeSource(Map<String, String> config) {
        String host = config.get("database.hostname");
        String port = config.getOrDefault("database.port", "3306");
        if (host == null || host.startsWith("${")) {
            return "database.hostname is not set (or is a config-provider reference the worker could not resolve)";
        }
        Properties props = new Properties();
        props.setProperty("user", config.getOrDefault("database.user", ""));
        props.setProperty("password", config.getOrDefault("database.password", ""));
        props.setProperty("connectTimeout", "10000");
        String url = "jdbc:mariadb://" + host + ":" + port + "/?permitMysqlScheme";
        try (Connection c = DriverManager.getConnection(url, props)) {
            List<String> findings = new ArrayList<>();
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT @@version, @@log_bin, @@binlog_format, "
                    + "@@binlog_row_image")) {
                rs.next();
                String version = rs.getString(1);
                findings.add("server " + version);
                if (!"1".equals(rs.getString(2)) && !"ON".equalsIgnoreCase(rs.getString(2))) {
                    findings.add("binary logging is off (log_bin)");
                }
                if (!"ROW".equalsIgnoreCase(rs.getString(3))) {
                    findings.add("binlog_format is " + rs.getString(3) + ", Debezium needs ROW");
                }
                if (!"FULL".equalsIgnoreCase(rs.getString(4))) {
                    findings.add("binlog_row_image is " + rs.getString(4) + ", Debezium needs FULL");
                }
                String cls = config.getOrDefault("connector.class", "");
                if (version.toLowerCase().contains("mariadb") && cls.contains(".mysql.")) {
                    findings.add(MARIADB_MISMATCH + ": Debezium's MySQL connector refuses it (SHOW BINARY LOG STATUS); "
                            + "use io.debezium.connector.mariadb.MariaDbConnector (connectors/mariadb-source.json)");
                }
            }
            return "connection as '" + props.getProperty("user") + "' works; " + String.join("; ", findings)
                    + ". See the Connect worker's log for the validation failure itself.";
        } catch (SQLException e) {
            return "cannot connect to " + host + ":" + port + " as '" + props.getProperty("user") + "': "
                    + e.getMessage() + (e.getSQLState() != null ? " [SQLState " + e.getSQLState() + "]" : "");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

}
