package io.ferry.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;

/**
 * Runs a mysql-client style script over JDBC: understands DELIMITER (triggers, procedures) and line comments.
 * A statement ends at a line that ends with the current delimiter, which is how mysqldump and Sakila write them.
 */
public final class SqlScript {
    private SqlScript() {}

    public static int run(Connection conn, InputStream script, UnaryOperator<String> rewrite)
            throws IOException, SQLException {
        int count = 0;
        String delimiter = ";";
        StringBuilder stmt = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(script, StandardCharsets.UTF_8));
             Statement st = conn.createStatement()) {
            String line;
            while ((line = in.readLine()) != null) {
                String trimmed = line.trim();
                if (stmt.length() == 0) {
                    if (trimmed.isEmpty() || trimmed.startsWith("--") || trimmed.startsWith("#")) {
                        continue;
                    }
                    if (trimmed.toUpperCase(java.util.Locale.ROOT).startsWith("DELIMITER ")) {
                        delimiter = trimmed.substring("DELIMITER ".length()).trim();
                        continue;
                    }
                }
                stmt.append(line).append('\n');
                if (trimmed.endsWith(delimiter)) {
                    String sql = stmt.toString().trim();
                    sql = sql.substring(0, sql.length() - delimiter.length());
                    stmt.setLength(0);
                    if (!sql.isBlank()) {
                        try {
                            st.execute(rewrite.apply(sql));
                        } catch (SQLException e) {
                            throw new SQLException("statement " + (count + 1) + " failed: "
                                    + abbreviate(sql) + ": " + e.getMessage(), e.getSQLState(), e);
                        }
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private static String abbreviate(String sql) {
        return sql.length() > 200 ? sql.substring(0, 200) + "..." : sql;
    }
}
