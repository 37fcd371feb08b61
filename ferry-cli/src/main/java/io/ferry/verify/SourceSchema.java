package io.ferry.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** What MySQL's or MariaDB's information_schema says of a source database: its tables, their columns and keys. */
public final class SourceSchema {

    private SourceSchema() {
    }

    /** The base tables of {@code database} (no views), by name. */
    public static List<String> tables(Connection c, String database) throws SQLException {
        return strings(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                + "AND table_type = 'BASE TABLE' ORDER BY table_name", database);
    }

    /** The table's columns in their order. */
    public static List<SourceColumn> columns(Connection c, String database, String table) throws SQLException {
        List<SourceColumn> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name, data_type, column_type, is_nullable = 'YES' "
                + "FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SourceColumn(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }

    /** The table's primary-key columns in key order; empty for a table without one. */
    public static List<String> primaryKey(Connection c, String database, String table) throws SQLException {
        return strings(c, "SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = ? "
                + "AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position", database, table);
    }

    private static List<String> strings(Connection c, String sql, String... params) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
