package io.ferry.verify;

import java.util.Locale;

/** A source (MySQL/MariaDB) column as information_schema describes it. */
record SourceColumn(String name, String dataType, String columnType, boolean nullable) {

    private static final java.util.regex.Pattern TYPMOD = java.util.regex.Pattern.compile("\\((\\d+)\\)");

    /**
     * An expression giving a canonical text form, the same as {@link #targetExpression} gives for its target.
     *
     * @param targetType the target column's type (null when it has none): geometries compare as WKB or as WKT
     */
    String sourceExpression(String targetType) {
        String c = "`" + name.replace("`", "``") + "`";
        return switch (dataType.toLowerCase(Locale.ROOT)) {
            case "timestamp" -> "CAST(UNIX_TIMESTAMP(" + c + ") * 1000000 AS DECIMAL(30,0))";
            // zero and partial-zero dates arrive as NULL, or as the epoch in a NOT NULL column (Debezium's behaviour)
            case "datetime" -> zeroDate(c, "DATE_FORMAT(" + c + ", '%Y-%m-%d %H:%i:%s.%f')", "'1970-01-01 00:00:00.000000'");
            case "date" -> zeroDate(c, "DATE_FORMAT(" + c + ", '%Y-%m-%d')", "'1970-01-01'");
            case "time" -> "CAST(TIME_TO_SEC(" + c + ") * 1000000 AS DECIMAL(30,0))";
            case "year" -> "CAST(" + c + " AS UNSIGNED)";
            // BIT(1) arrives as boolean (0/1); wider ones as bit strings of their width
            case "bit" -> bitWidth() == 1 ? "CAST(" + c + " AS UNSIGNED)" : "LPAD(BIN(" + c + "), " + bitWidth() + ", '0')";
            case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                 "geometrycollection" -> "text".equalsIgnoreCase(targetType)
                    // geometry.format=wkt: EWKT, the SRID first when there is one
                    ? "CONCAT(IF(ST_SRID(" + c + ") <> 0, CONCAT('SRID=', ST_SRID(" + c + "), ';'), ''), ST_AsText(" + c + "))"
                    : "LOWER(HEX(ST_AsBinary(" + c + ")))";
            case "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary" -> "LOWER(HEX(" + c + "))";
            case "tinyint" -> isTinyint1() ? "CAST(" + c + " <> 0 AS UNSIGNED)" : c;
            case "decimal", "float", "double" -> c;
            default -> c;
        };
    }

    private String zeroDate(String c, String formatted, String epoch) {
        return "CASE WHEN MONTH(" + c + ") = 0 OR DAYOFMONTH(" + c + ") = 0 THEN " + (nullable ? "NULL" : epoch)
                + " ELSE " + formatted + " END";
    }

    String targetExpression(String targetType) {
        String c = "\"" + name.replace("\"", "\"\"") + "\"";
        String t = targetType.toLowerCase(Locale.ROOT);
        if (t.startsWith("timestamp") && t.contains("with time zone")) {
            return "(extract(epoch from " + c + ") * 1000000)::numeric(30,0)";
        }
        if (t.equals("interval")) {
            return "(extract(epoch from " + c + ") * 1000000)::numeric(30,0)";
        }
        if (t.startsWith("timestamp")) {
            return "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US')";
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
            return c + "::text";
        }
        return c;
    }

    private int bitWidth() {
        java.util.regex.Matcher m = TYPMOD.matcher(columnType);
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }

    boolean isTinyint1() {
        return columnType.toLowerCase(Locale.ROOT).startsWith("tinyint(1)");
    }
}
