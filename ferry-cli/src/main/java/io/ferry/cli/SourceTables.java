package io.ferry.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows expected per source table, for progress. */
final class SourceTables {
    private SourceTables() {}

    /** information_schema's estimate: cheap on any table size (InnoDB's figure can be off by some percent). */
    static Map<String, Long> estimated(Connection c, String db, List<String> only) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, table_rows FROM information_schema.tables "
                + "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (only == null || only.isEmpty() || only.contains(rs.getString(1))) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return out;
    }

    /** Exact counts: fine for a demo-sized database. */
    static Map<String, Long> exact(Connection c, String db) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String t : estimated(c, db, null).keySet()) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM `" + db + "`.`" + t.replace("`", "``") + "`")) {
                rs.next();
                out.put(t, rs.getLong(1));
            }
        }
        return out;
    }
}
