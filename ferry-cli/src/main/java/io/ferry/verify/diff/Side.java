package io.ferry.verify.diff;

import io.ferry.verify.plan.TablePlan;

import java.util.List;
import java.util.StringJoiner;

/**
 * The SQL one side of a comparison runs: MySQL/MariaDB for the source, PostgreSQL for the target. Both build the same
 * texts (the key, a row's canonical text, their MD5 digests) from the plan's expressions, so equal rows hash equal in
 * either database.
 */
enum Side {

    SOURCE {
        @Override String concat(List<String> parts, boolean nullMarkers) {
            StringJoiner j = new StringJoiner(", ", "CONCAT_WS(CHAR(31 USING utf8mb4), ", ")");
            parts.forEach(p -> j.add(nullMarkers ? "IFNULL(" + p + ", CHAR(30 USING utf8mb4))" : p));
            return parts.isEmpty() ? "''" : j.toString();
        }
        @Override String md5(String text) { return "MD5(CONVERT(" + text + " USING utf8mb4))"; }
        @Override String prefix(String hex, int length) { return "SUBSTRING(" + hex + ", 1, " + length + ")"; }
        @Override String number(String hex) { return "CAST(CONV(SUBSTRING(" + hex + ", 1, 15), 16, 10) AS UNSIGNED)"; }
        @Override String hexOf(String text) { return "HEX(CONVERT(" + text + " USING utf8mb4))"; }
        @Override String table(TablePlan p) { return p.sourceTable(); }
        @Override String keyText(TablePlan.KeyPart k) { return k.sourceText(); }
        @Override String keyColumn(TablePlan.KeyPart k) { return k.sourceColumn(); }
        @Override String expr(TablePlan.Check c) { return c.sourceExpr(); }
    },

    TARGET {
        @Override String concat(List<String> parts, boolean nullMarkers) {
            StringJoiner j = new StringJoiner(", ", "concat_ws(chr(31), ", ")");
            parts.forEach(p -> j.add(nullMarkers ? "coalesce(" + p + ", chr(30))" : p));
            return parts.isEmpty() ? "''" : j.toString();
        }
        @Override String md5(String text) { return "md5(" + text + ")"; }
        @Override String prefix(String hex, int length) { return "substr(" + hex + ", 1, " + length + ")"; }
        @Override String number(String hex) { return "('x' || substr(" + hex + ", 1, 15))::bit(60)::bigint"; }
        @Override String hexOf(String text) { return "upper(encode(convert_to(" + text + ", 'UTF8'), 'hex'))"; }
        @Override String table(TablePlan p) { return p.targetTable(); }
        @Override String keyText(TablePlan.KeyPart k) { return k.targetText(); }
        @Override String keyColumn(TablePlan.KeyPart k) { return k.targetColumn(); }
        @Override String expr(TablePlan.Check c) { return c.targetExpr(); }
    };

    abstract String concat(List<String> parts, boolean nullMarkers);

    abstract String md5(String text);

    abstract String prefix(String hex, int length);

    /** The first 60 bits of a hex digest as a number (summed per segment). */
    abstract String number(String hex);

    abstract String hexOf(String text);

    abstract String table(TablePlan p);

    abstract String keyText(TablePlan.KeyPart k);

    abstract String keyColumn(TablePlan.KeyPart k);

    abstract String expr(TablePlan.Check c);

    /** The match key's text: its parts' canonical texts joined. */
    String key(TablePlan p) {
        return concat(p.key().stream().map(this::keyText).toList(), false);
    }

    /** The canonical text of the hashable columns, NULL marked, the key first so a value moved to another key shows. */
    String rowText(TablePlan p) {
        List<String> parts = new java.util.ArrayList<>();
        parts.add(key(p));
        p.checks().stream().filter(TablePlan.Check::hashable).map(this::expr).forEach(parts::add);
        return concat(parts, true);
    }

    /** Per key part, what rows are ordered by: the number, or the hex of the text's UTF-8 bytes. */
    List<String> orderBy(TablePlan p) {
        return p.key().stream().map(k -> k.numeric() ? keyColumn(k) : hexOf(keyText(k))).toList();
    }
}
