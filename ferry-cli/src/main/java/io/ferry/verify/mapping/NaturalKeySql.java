package io.ferry.verify.mapping;

import io.ferry.keys.NaturalKeyUuid;
import io.ferry.verify.SourceColumn;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Ferry's natural-key encoding (io.ferry.keys.NaturalKeyUuid) as MySQL SQL over the source columns, so the uuid or
 * registry key a target row should hold is computed inside the source database from the source's own values: per
 * value {@code ~} for NULL, else {@code byteLength:text}, the text being what Debezium's Connect value prints as (an
 * integer in decimal, a DECIMAL without trailing zeros, a string as stored, bytes in lowercase hex, a DATE as days
 * and a DATETIME as milli- or microseconds since the epoch). The namespace uuid comes from the shared Java code; a
 * test checks the SQL against {@code NaturalKeyUuid.of} for the same rows.
 */
public final class NaturalKeySql {

    private NaturalKeySql() {}

    /** The name text of the parts, as SQL (never NULL: NULL values are written as "~"). */
    public static String name(List<MappedColumn.Plain> parts) {
        StringBuilder sql = new StringBuilder("CONCAT(");
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sql.append(", ");
            }
            String text = text(parts.get(i));
            sql.append("IF(").append(text).append(" IS NULL, '~', CONCAT(OCTET_LENGTH(").append(text).append("), ':', ")
                    .append(text).append("))");
        }
        return sql.append(")").toString();
    }

    /** Whether any part is NULL, as SQL. */
    public static String anyNull(List<MappedColumn.Plain> parts) {
        StringBuilder sql = new StringBuilder("(");
        for (int i = 0; i < parts.size(); i++) {
            sql.append(i > 0 ? " OR " : "").append(column(parts.get(i).source())).append(" IS NULL");
        }
        return sql.append(")").toString();
    }

    /**
     * The uuid of the parts without its version and variant digits (13th and 17th hex digit), 30 lowercase hex
     * digits: SHA-1 is computed once per row this way. {@link #targetUuidText} gives the same for a uuid column.
     */
    public static String uuidText(String namespaceTable, List<MappedColumn.Plain> parts, boolean nullable) {
        String ns = HexFormat.of().formatHex(bytes(NaturalKeyUuid.namespace(namespaceTable)));
        String digest = "INSERT(INSERT(LEFT(SHA1(CONCAT(UNHEX('" + ns + "'), CONVERT(" + name(parts)
                + " USING utf8mb4))), 32), 17, 1, ''), 13, 1, '')";
        return nullable ? "IF(" + anyNull(parts) + ", NULL, " + digest + ")" : digest;
    }

    /** A uuid column's text as {@link #uuidText} gives it, as PostgreSQL SQL. */
    public static String targetUuidText(String column) {
        String hex = "replace(" + column + "::text, '-', '')";
        return "(substr(" + hex + ", 1, 12) || substr(" + hex + ", 14, 3) || substr(" + hex + ", 18, 15))";
    }

    private static byte[] bytes(java.util.UUID u) {
        return java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits())
                .array();
    }

    /** The text of one value as the transforms and the registry encode it, or NOT_VERIFIABLE for other types. */
    static String text(MappedColumn.Plain part) {
        SourceColumn s = part.source();
        String c = column(s);
        String d = s.dataType().toLowerCase(Locale.ROOT);
        String cast = part.castTo() == null ? "" : part.castTo().toLowerCase(Locale.ROOT);
        if (cast.startsWith("float")) {
            throw new NotVerifiable("natural-key column " + s.name() + " is cast to " + part.castTo()
                    + ", whose text ferry verify does not compute");
        }
        return switch (d) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year" -> "CAST(" + c + " AS CHAR)";
            case "decimal", "numeric" -> "IF(" + c + " = 0, '0', IF(LOCATE('.', CAST(" + c + " AS CHAR)) > 0, "
                    + "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(" + c + " AS CHAR))), CAST(" + c + " AS CHAR)))";
            case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum" -> "CONVERT(" + c + " USING utf8mb4)";
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> "LOWER(HEX(" + c + "))";
            case "date" -> "CAST(DATEDIFF(" + c + ", '1970-01-01') AS CHAR)";
            case "datetime" -> fsp(s) <= 3
                    ? "CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + c + ") DIV 1000 AS CHAR)"
                    : "CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + c + ") AS CHAR)";
            case "bit" -> s.columnType().toLowerCase(Locale.ROOT).matches("bit(\\(1\\))?")
                    ? "IF(" + c + " = 1, 'true', 'false')"
                    : unsupported(s);
            default -> unsupported(s);
        };
    }

    private static String unsupported(SourceColumn s) {
        throw new NotVerifiable("natural-key column " + s.name() + " is " + s.columnType()
                + ", whose key text ferry verify does not compute");
    }

    private static int fsp(SourceColumn s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d)\\)").matcher(s.columnType());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    static String column(SourceColumn s) {
        return "`" + s.name().replace("`", "``") + "`";
    }
}
