package io.ferry.verify;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Compares a MySQL/MariaDB table with its PostgreSQL copy through JDBC, column by column. Each column is read on
 * both sides through an expression that yields the same canonical text for the same value (epoch micros for
 * TIMESTAMP, WKB hex for geometry, comma-joined SET, 0/1 for tinyint(1) vs boolean, ...). Rows are matched by
 * primary key. Documented policies count as equal: NUL characters stripped, zero dates as NULL. The tables are held in memory: meant for validation runs and tests, not for billions of rows.
 */
public final class TableComparator {

    private static final int MAX_SAMPLES = 5;

    public TableComparison compare(Connection source, String database, Connection target, String targetSchema,
                                   String table) throws SQLException {
        return compare(source, database, target, targetSchema, table, Set.of());
    }

    /**
     * @param leftOut source columns the target design leaves out on purpose: not compared. Any other source column the
     *                target lacks compares as NULL there, so its values show as differences.
     */
    public TableComparison compare(Connection source, String database, Connection target, String targetSchema,
                                   String table, Set<String> leftOut) throws SQLException {
        List<SourceColumn> columns = SourceSchema.columns(source, database, table);
        columns.removeIf(c -> leftOut.contains(c.name()));
        Map<String, String> targetTypes = targetTypes(target, targetSchema, table);
        if (targetTypes.isEmpty()) {
            return TableComparison.failed(table, "no table " + targetSchema + "." + table + " in the target");
        }
        List<String> key = SourceSchema.primaryKey(source, database, table);
        StringJoiner srcCols = new StringJoiner(", ");
        StringJoiner dstCols = new StringJoiner(", ");
        boolean[] json = new boolean[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            SourceColumn c = columns.get(i);
            String type = targetTypes.get(c.name());
            srcCols.add(c.sourceExpression(type));
            dstCols.add(type == null ? "NULL" : c.targetExpression(type));
            json[i] = SourceColumn.isJson(type);
        }
        try (Statement st = source.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
        }
        Map<List<String>, List<String>> src = read(source, "SELECT " + srcCols + " FROM `" + database + "`.`"
                + table.replace("`", "``") + "`", columns, key, json);
        Map<List<String>, List<String>> dst = read(target, "SELECT " + dstCols + " FROM \"" + targetSchema + "\".\""
                + table.replace("\"", "\"\"") + "\"", columns, key, json);
        long missing = 0;
        long different = 0;
        List<String> samples = new ArrayList<>();
        for (Map.Entry<List<String>, List<String>> e : src.entrySet()) {
            List<String> other = dst.get(e.getKey());
            if (other == null) {
                missing++;
                sample(samples, "missing key " + e.getKey());
            } else if (!other.equals(e.getValue())) {
                different++;
                sample(samples, "key " + e.getKey() + ": " + diff(columns, e.getValue(), other));
            }
        }
        long extra = 0;
        for (List<String> k : dst.keySet()) {
            if (!src.containsKey(k)) {
                extra++;
                sample(samples, "extra key " + k);
            }
        }
        return new TableComparison(table, src.size(), dst.size(), missing, extra, different, samples, null);
    }

    private static void sample(List<String> samples, String s) {
        if (samples.size() < MAX_SAMPLES) {
            samples.add(s);
        }
    }

    private static String diff(List<SourceColumn> columns, List<String> a, List<String> b) {
        StringJoiner j = new StringJoiner("; ");
        for (int i = 0; i < columns.size(); i++) {
            if (!Objects.equals(a.get(i), b.get(i))) {
                j.add(columns.get(i).name() + " source=" + abbreviate(a.get(i)) + " target=" + abbreviate(b.get(i)));
            }
        }
        return j.toString();
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static Map<List<String>, List<String>> read(Connection conn, String sql, List<SourceColumn> columns,
                                                        List<String> key, boolean[] json) throws SQLException {
        List<Integer> keyIdx = new ArrayList<>();
        for (String k : key) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(k)) {
                    keyIdx.add(i);
                }
            }
        }
        Map<List<String>, List<String>> rows = new HashMap<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = 0;
            while (rs.next()) {
                List<String> row = new ArrayList<>(columns.size());
                for (int i = 1; i <= columns.size(); i++) {
                    String v = canonicalValue(rs.getObject(i));
                    row.add(json[i - 1] ? canonicalJson(v) : v);
                }
                List<String> k = new ArrayList<>();
                keyIdx.forEach(i -> k.add(row.get(i)));
                rows.put(keyIdx.isEmpty() ? List.of(Integer.toString(n)) : k, row);
                n++;
            }
        }
        return rows;
    }

    /** A value read through JDBC as canonical text (numbers without trailing zeros, booleans 1/0, bytes hex). */
    public static String canonicalValue(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof BigDecimal d) {
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof Float || v instanceof Double) {
            return new BigDecimal(v.toString()).stripTrailingZeros().toPlainString();
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString()).toPlainString();
        }
        if (v instanceof byte[] bytes) {
            return java.util.HexFormat.of().formatHex(bytes);
        }
        // text.nul.policy=strip: PostgreSQL cannot store NUL, so it is not a difference
        return v.toString().replace("\0", "");
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** JSON text with keys sorted and no insignificant white space; text that is not JSON stays as it is. */
    public static String canonicalJson(String v) {
        if (v == null) {
            return null;
        }
        try {
            Object tree = JSON.readValue(v, Object.class);
            return JSON.writeValueAsString(tree);
        } catch (java.io.IOException e) {
            return v;
        }
    }

    private static Map<String, String> targetTypes(Connection c, String schema, String table) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod) "
                + "FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, "\"" + schema.replace("\"", "\"\"") + "\".\"" + table.replace("\"", "\"\"") + "\"");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }
}
