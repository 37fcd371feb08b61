package io.ferry.verify;

import java.util.Locale;

/**
 * A source (MySQL/MariaDB) column as information_schema describes it, and how it and its target column are each read
 * so that equal values give the same canonical text: a pair of SQL expressions chosen by the source type and the
 * target column's type (a designed target may hold a DATETIME in timestamptz, a CHAR(36) in uuid, a BIT(5) in bit
 * varying(8), a SET in varchar(2)[]). Values are never converted by the code that wrote them.
 */
public record SourceColumn(String name, String dataType, String columnType, boolean nullable) {

    private static final java.util.regex.Pattern TYPMOD = java.util.regex.Pattern.compile("\\((\\d+)\\)");

    /**
     * An expression giving a canonical text form, the same as {@link #targetExpression} gives for its target.
     *
     * @param targetType the target column's type (null when it has none): geometries compare as WKB or as WKT
     */
    public String sourceExpression(String targetType) {
        String c = "`" + name.replace("`", "``") + "`";
        String t = targetType == null ? "" : targetType.toLowerCase(Locale.ROOT);
        return switch (dataType.toLowerCase(Locale.ROOT)) {
            case "timestamp" -> "CAST(UNIX_TIMESTAMP(" + c + ") * 1000000 AS DECIMAL(30,0))";
            // zero and partial-zero dates arrive as NULL, or as the epoch in a NOT NULL column (Debezium's behaviour)
            case "datetime" -> isZoned(t)
                    // a DATETIME has no zone; written into timestamptz it is read as UTC
                    ? zeroDate(c, "CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + c + ") AS DECIMAL(30,0))", "0")
                    : zeroDate(c, "DATE_FORMAT(" + c + ", '%Y-%m-%d %H:%i:%s.%f')", "'1970-01-01 00:00:00.000000'");
            case "date" -> zeroDate(c, "DATE_FORMAT(" + c + ", '%Y-%m-%d')", "'1970-01-01'");
            case "time" -> "CAST(TIME_TO_SEC(" + c + ") * 1000000 AS DECIMAL(30,0))";
            case "year" -> "CAST(" + c + " AS UNSIGNED)";
            // BIT(1) arrives as boolean (0/1); wider ones as bit strings, compared at 64 bits so widths may differ
            case "bit" -> t.startsWith("bit") ? "LPAD(BIN(" + c + "), 64, '0')"
                    : bitWidth() == 1 ? "CAST(" + c + " AS UNSIGNED)" : "LPAD(BIN(" + c + "), " + bitWidth() + ", '0')";
            case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                 "geometrycollection" -> t.equals("text") || t.startsWith("character varying")
                    // geometry.format=wkt: EWKT, the SRID first when there is one
                    ? "CONCAT(IF(ST_SRID(" + c + ") <> 0, CONCAT('SRID=', ST_SRID(" + c + "), ';'), ''), ST_AsText(" + c + "))"
                    : "LOWER(HEX(ST_AsBinary(" + c + ")))";
            case "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary" -> "LOWER(HEX(" + c + "))";
            case "tinyint" -> isTinyint1() && t.equals("boolean") ? "CAST(" + c + " <> 0 AS UNSIGNED)" : c;
            // PostgreSQL writes uuids in lowercase
            case "char", "varchar" -> t.equals("uuid") ? "LOWER(" + c + ")" : c;
            default -> c;
        };
    }

    private static boolean isZoned(String targetType) {
        return targetType.startsWith("timestamp") && targetType.contains("with time zone");
    }

    private String zeroDate(String c, String formatted, String epoch) {
        return "CASE WHEN MONTH(" + c + ") = 0 OR DAYOFMONTH(" + c + ") = 0 THEN " + (nullable ? "NULL" : epoch)
                + " ELSE " + formatted + " END";
    }

    public String targetExpression(String targetType) {
        String c = "\"" + name.replace("\"", "\"\"") + "\"";
        String t = targetType.toLowerCase(Locale.ROOT);
        if (isZoned(t) || t.equals("interval") || t.startsWith("time(") || t.startsWith("time without")) {
            return "(extract(epoch from " + c + ") * 1000000)::numeric(30,0)";
        }
        if (t.startsWith("timestamp")) {
            // a MySQL TIMESTAMP is an instant: in a timestamp without time zone, the UTC wall-clock time
            return dataType.equalsIgnoreCase("timestamp")
                    ? "(extract(epoch from (" + c + " AT TIME ZONE 'UTC')) * 1000000)::numeric(30,0)"
                    : "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US')";
        }
        if (t.equals("date")) {
            return "to_char(" + c + ", 'YYYY-MM-DD')";
        }
        if (t.equals("bytea")) {
            return "encode(" + c + ", 'hex')";
        }
        if (t.endsWith("[]")) {
            return "array_to_string(" + c + ", ',')";
        }
        if (t.equals("boolean")) {
            return "CASE WHEN " + c + " THEN 1 WHEN NOT " + c + " THEN 0 END";
        }
        if (t.startsWith("bit(") || t.startsWith("bit varying")) {
            return dataType.equalsIgnoreCase("bit") ? "lpad(" + c + "::text, 64, '0')" : c + "::text";
        }
        if (isNumeric(t)) {
            return c;
        }
        // text, char(n) (whose text form drops the padding, as MySQL does), uuid, json, enum types, domains
        return c + "::text";
    }

    /**
     * Whether both databases can produce the same canonical text for this pair, so that rows can be hashed inside
     * each database. JSON (compared as JSON) and binary floating point (printed differently by MySQL and PostgreSQL)
     * are compared in Java.
     */
    public boolean hashable(String targetType) {
        String t = targetType == null ? "" : targetType.toLowerCase(Locale.ROOT);
        String d = dataType.toLowerCase(Locale.ROOT);
        return !isJson(targetType) && !d.equals("json") && !d.equals("float") && !d.equals("double")
                && !t.equals("real") && !t.equals("double precision");
    }

    /** The canonical text of the source value, as SQL; the same text as {@link #targetText} for an equal value. */
    public String sourceText(String targetType, boolean stripNul) {
        String c = "`" + name.replace("`", "``") + "`";
        String t = targetType == null ? "" : targetType.toLowerCase(Locale.ROOT);
        String d = dataType.toLowerCase(Locale.ROOT);
        switch (d) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year" -> {
                if (t.equals("boolean")) {
                    return "CASE WHEN " + c + " IS NULL THEN NULL WHEN " + c + " <> 0 THEN '1' ELSE '0' END";
                }
                return "CAST(" + (d.equals("year") ? "CAST(" + c + " AS UNSIGNED)" : c) + " AS CHAR)";
            }
            case "decimal", "numeric" -> {
                return isNumeric(t) || t.isEmpty() ? trimmedDecimal("CAST(" + c + " AS CHAR)") : "CAST(" + c + " AS CHAR)";
            }
            case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set" -> {
                String text = "CONVERT(" + c + " USING utf8mb4)";
                if (stripNul) {
                    text = "REPLACE(" + text + ", CHAR(0 USING utf8mb4), '')";
                }
                return t.equals("uuid") ? "LOWER(" + text + ")" : text;
            }
            default -> {
                return "CAST(" + sourceExpression(targetType) + " AS CHAR)";
            }
        }
    }

    /** The canonical text of the target value, as SQL. */
    public String targetText(String targetType) {
        String c = "\"" + name.replace("\"", "\"\"") + "\"";
        String t = targetType.toLowerCase(Locale.ROOT);
        if (t.startsWith("numeric")) {
            return "trim_scale(" + c + ")::text";
        }
        if (t.equals("boolean")) {
            return "CASE WHEN " + c + " THEN '1' WHEN NOT " + c + " THEN '0' END";
        }
        return "(" + targetExpression(targetType) + ")::text";
    }

    /** MySQL's text of a DECIMAL without trailing zeros after the point (1.50 -> 1.5, 100.00 -> 100). */
    private static String trimmedDecimal(String text) {
        return "IF(LOCATE('.', " + text + ") > 0, TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM " + text + ")), "
                + text + ")";
    }

    /** JSON is compared as JSON: key order and white space are not differences. */
    static boolean isJson(String targetType) {
        String t = targetType == null ? "" : targetType.toLowerCase(Locale.ROOT);
        return t.equals("json") || t.equals("jsonb");
    }

    private static boolean isNumeric(String t) {
        return t.equals("smallint") || t.equals("integer") || t.equals("bigint") || t.startsWith("numeric")
                || t.equals("real") || t.equals("double precision");
    }

    private int bitWidth() {
        java.util.regex.Matcher m = TYPMOD.matcher(columnType);
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }

    public boolean isTinyint1() {
        return columnType.toLowerCase(Locale.ROOT).startsWith("tinyint(1)");
    }
}
