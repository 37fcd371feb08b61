package io.ferry.sink.config;

import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One column whose value is a 64-bit id from Ferry's key registry: {@code table.column=owner(col+col+...)}.
 * When {@code owner} is the table itself the column becomes the table's one-column primary key (a surrogate key for
 * its natural key, the listed columns). Otherwise it is a reference: the id of the {@code owner} row whose natural
 * key the listed columns of this row hold, in the order of the owner's own declaration; NULL when any is NULL.
 * Columns are separated by {@code +} (commas separate declarations).
 */
public record RegistryKeyDeclaration(String table, String column, String owner, List<String> sourceColumns) {

    private static final Pattern SYNTAX = Pattern.compile("\\s*(.+)\\.([^.=\\s]+)\\s*=\\s*([^()\\s]+)\\s*\\(([^()]*)\\)\\s*");

    public boolean isPrimaryKey() {
        return table.equals(owner);
    }

    public static RegistryKeyDeclaration parse(String config, String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new ConfigException(config, text, "expected table.column=table(column+column...) for a key or "
                    + "table.column=parent(column+column...) for a reference, e.g. film_actor.id=film_actor(actor_id+film_id)");
        }
        List<String> cols = Arrays.stream(m.group(4).split("\\+", -1)).map(String::trim).toList();
        if (cols.stream().anyMatch(String::isEmpty)) {
            throw new ConfigException(config, text, "empty column name in (" + m.group(4) + ")");
        }
        if (cols.contains(m.group(2))) {
            throw new ConfigException(config, text, "the id column \"" + m.group(2) + "\" cannot also be one of the "
                    + "columns it is computed from");
        }
        return new RegistryKeyDeclaration(m.group(1).trim(), m.group(2), m.group(3), cols);
    }

    /** Parses every entry and checks them together: one key per table, every reference names a declared key. */
    public static List<RegistryKeyDeclaration> parseAll(String config, List<String> entries) {
        List<RegistryKeyDeclaration> out = new ArrayList<>();
        Map<String, RegistryKeyDeclaration> keys = new HashMap<>();
        Map<String, String> columns = new HashMap<>();
        for (String e : entries) {
            if (e.isBlank()) {
                continue;
            }
            RegistryKeyDeclaration d = parse(config, e);
            if (columns.put(d.table + "." + d.column, e) != null) {
                throw new ConfigException(config, e, "column " + d.table + "." + d.column + " is declared twice");
            }
            if (d.isPrimaryKey() && keys.put(d.table, d) != null) {
                throw new ConfigException(config, e, "table " + d.table + " has two key declarations");
            }
            out.add(d);
        }
        for (RegistryKeyDeclaration d : out) {
            if (d.isPrimaryKey()) {
                continue;
            }
            RegistryKeyDeclaration key = keys.get(d.owner);
            String text = d.table + "." + d.column + "=" + d.owner + "(" + String.join("+", d.sourceColumns) + ")";
            if (key == null) {
                throw new ConfigException(config, text, "the referenced table " + d.owner + " has no key declared here; "
                        + "add " + d.owner + ".id=" + d.owner + "(its natural-key columns)");
            }
            if (key.sourceColumns.size() != d.sourceColumns.size()) {
                throw new ConfigException(config, text, d.owner + "'s key is computed from " + key.sourceColumns.size()
                        + " column(s) " + key.sourceColumns + " but the reference names " + d.sourceColumns.size()
                        + "; list this row's columns that hold them, in that order");
            }
        }
        return out;
    }
}
