package io.ferry.sink.design;

import io.ferry.sink.config.FerrySinkConfig;
import io.ferry.sink.config.ForeignKeyDeclaration;
import io.ferry.sink.config.RegistryKeyDeclaration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks foreign.keys and bigint.keys against the target design, at validate: a table of the design that lacks a
 * declared column, a foreign key whose column types differ from its parent's, a bigint id column that is not bigint. Tables outside the design are created from
 * the records later, so only their declarations' shape can be checked (which the ConfigDef validators do).
 */
public final class DeclarationCheck {

    private DeclarationCheck() {
    }

    /** Property name -> problems with it; empty when all is well. */
    public static Map<String, List<String>> problems(TargetDesign design, List<ForeignKeyDeclaration> fks,
                                                     List<RegistryKeyDeclaration> keys) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Map<String, Map<String, String>> tables = design.columnTypes();
        for (ForeignKeyDeclaration fk : fks) {
            List<String> p = new ArrayList<>();
            missing(tables, fk.child(), fk.childColumns(), p);
            missing(tables, fk.parent(), fk.parentColumns(), p);
            if (p.isEmpty() && tables.containsKey(fk.child()) && tables.containsKey(fk.parent())) {
                for (int i = 0; i < fk.childColumns().size(); i++) {
                    String ct = tables.get(fk.child()).get(fk.childColumns().get(i));
                    String pt = tables.get(fk.parent()).get(fk.parentColumns().get(i));
                    if (!ct.equals(pt)) {
                        p.add(fk.child() + "." + fk.childColumns().get(i) + " is " + ct + " but "
                                + fk.parent() + "." + fk.parentColumns().get(i) + " is " + pt);
                    }
                }
            }
            p.forEach(m -> add(out, FerrySinkConfig.FOREIGN_KEYS_CONFIG, fk.child() + fk.childColumns() + "->"
                    + fk.parent() + fk.parentColumns() + ": " + m));
        }
        for (RegistryKeyDeclaration k : keys) {
            Map<String, String> cols = tables.get(k.table());
            if (cols == null) {
                continue;
            }
            String declared = k.table() + "." + k.column() + "=" + k.owner() + "(" + String.join("+", k.sourceColumns()) + ")";
            String type = cols.get(k.column());
            if (type == null) {
                add(out, FerrySinkConfig.BIGINT_KEYS_CONFIG, declared + ": the target design's table " + k.table()
                        + " has no column " + k.column() + " (columns: " + cols.keySet() + ")");
            } else if (!type.equals("bigint")) {
                add(out, FerrySinkConfig.BIGINT_KEYS_CONFIG, declared + ": " + k.table() + "." + k.column() + " is "
                        + type + " in the target design; registry ids are bigint");
            }
        }
        return out;
    }

    private static void missing(Map<String, Map<String, String>> tables, String table, List<String> columns,
                                List<String> problems) {
        Map<String, String> cols = tables.get(table);
        if (cols == null) {
            return;
        }
        for (String c : columns) {
            if (!cols.containsKey(c)) {
                problems.add("the target design's table " + table + " has no column " + c + " (columns: "
                        + cols.keySet() + ")");
            }
        }
    }

    private static void add(Map<String, List<String>> out, String property, String message) {
        out.computeIfAbsent(property, p -> new ArrayList<>()).add(message);
    }
}
