package io.ferry.reload;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Deletes the rows of a reloaded table whose key the sink did not record since the reload began: rows the reload
 * did not deliver and no live change touched, i.e. rows the source no longer has. The table is locked against
 * writes (SHARE ROW EXCLUSIVE) for the one DELETE, so a live change cannot slip between the check and the delete;
 * readers are not blocked. Foreign keys are honoured: ON DELETE CASCADE / SET NULL act as declared; where a
 * RESTRICT or NO ACTION child still references a stale row, that row is kept, counted and named.
 */
final class StaleRowSweep {

    static final String FK_VIOLATION = "23503";
    private static final int NAMED = 20;

    record Result(long swept, long kept, List<String> keptRows) {}

    static Result sweep(Connection c, ReloadTarget t, String keysTable) throws SQLException {
        List<String> key = primaryKey(c, t);
        if (key.isEmpty()) {
            throw new SQLException("cannot sweep " + t.qualified() + ": it has no primary key");
        }
        StringJoiner match = new StringJoiner(" AND ");
        for (String k : key) {
            match.add("k." + k + " = t." + k);
        }
        String stale = " FROM " + t.qualified() + " t WHERE NOT EXISTS (SELECT 1 FROM " + keysTable + " k WHERE " + match + ")";
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE " + t.qualified() + " IN SHARE ROW EXCLUSIVE MODE");
            Savepoint all = c.setSavepoint();
            try {
                long n = st.executeUpdate("DELETE" + stale);
                c.commit();
                return new Result(n, 0, List.of());
            } catch (SQLException e) {
                if (!FK_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(all);
            }
            // some stale row is still referenced: one at a time, keeping the ones a child holds on to
            List<String[]> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT t.ctid::text, row_to_json(k)::text FROM (SELECT ctid, "
                    + String.join(", ", key) + stale + ") t CROSS JOIN LATERAL (SELECT " + prefixed("t.", key) + ") k")) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            long swept = 0;
            List<String> kept = new ArrayList<>();
            long keptCount = 0;
            try (PreparedStatement del = c.prepareStatement("DELETE FROM " + t.qualified() + " WHERE ctid = ?::tid")) {
                for (String[] row : rows) {
                    Savepoint one = c.setSavepoint();
                    del.setString(1, row[0]);
                    try {
                        swept += del.executeUpdate();
                        c.releaseSavepoint(one);
                    } catch (SQLException e) {
                        c.rollback(one);
                        if (!FK_VIOLATION.equals(e.getSQLState())) {
                            throw e;
                        }
                        keptCount++;
                        if (kept.size() < NAMED) {
                            kept.add(row[1] + ": " + e.getMessage());
                        }
                    }
                }
            }
            c.commit();
            return new Result(swept, keptCount, kept);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static String prefixed(String alias, List<String> key) {
        StringJoiner j = new StringJoiner(", ");
        key.forEach(k -> j.add(alias + k));
        return j.toString();
    }

    static List<String> primaryKey(Connection c, ReloadTarget t) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT quote_ident(a.attname) FROM pg_index i JOIN pg_attribute a ON "
                + "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::smallint[]) WHERE i.indrelid = to_regclass(?) AND i.indisprimary "
                + "ORDER BY array_position(i.indkey::smallint[], a.attnum)")) {
            ps.setString(1, t.qualified());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
