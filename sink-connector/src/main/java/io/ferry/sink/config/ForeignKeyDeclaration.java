package io.ferry.sink.config;

import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One declared foreign key of the target design: {@code child(col,...)->parent(col,...) [ON DELETE action]}.
 * Identifiers are taken as written (case kept) and quoted in SQL.
 */
public record ForeignKeyDeclaration(String child, List<String> childColumns, String parent, List<String> parentColumns,
                                    String onDelete) {

    private static final Pattern SYNTAX = Pattern.compile(
            "\\s*([^()\\s]+)\\s*\\(([^()]+)\\)\\s*->\\s*([^()\\s]+)\\s*\\(([^()]+)\\)\\s*(?:ON\\s+DELETE\\s+(CASCADE|SET\\s+NULL|RESTRICT|NO\\s+ACTION))?\\s*",
            Pattern.CASE_INSENSITIVE);

    public static ForeignKeyDeclaration parse(String config, String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new ConfigException(config, text, "expected child(column,...)->parent(column,...) optionally followed "
                    + "by ON DELETE CASCADE|SET NULL|RESTRICT|NO ACTION");
        }
        List<String> childCols = columns(config, text, m.group(2));
        List<String> parentCols = columns(config, text, m.group(4));
        if (childCols.size() != parentCols.size()) {
            throw new ConfigException(config, text, "the child names " + childCols.size() + " column(s) and the parent "
                    + parentCols.size() + "; they must pair up");
        }
        String action = m.group(5) == null ? "NO ACTION" : m.group(5).toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        return new ForeignKeyDeclaration(m.group(1), childCols, m.group(3), parentCols, action);
    }

    public static List<ForeignKeyDeclaration> parseAll(String config, List<String> entries) {
        List<ForeignKeyDeclaration> out = new ArrayList<>();
        for (String e : entries) {
            if (!e.isBlank()) {
                out.add(parse(config, e));
            }
        }
        return out;
    }

    private static List<String> columns(String config, String text, String list) {
        List<String> out = Arrays.stream(list.split(",", -1)).map(String::trim).toList();
        if (out.stream().anyMatch(String::isEmpty)) {
            throw new ConfigException(config, text, "empty column name in (" + list + ")");
        }
        return out;
    }

    /** A PostgreSQL constraint name (63 bytes at most), stable for the same declaration. */
    public String constraintName() {
        String name = "fk_" + child + "_" + String.join("_", childColumns);
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63) {
            return name;
        }
        String hash = Integer.toHexString(toString().hashCode());
        return name.substring(0, Math.min(name.length(), 40)) + "_" + hash;
    }
}
