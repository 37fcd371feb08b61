package io.ferry.sink.schema;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * MySQL ENUM columns become text with a CHECK of the allowed values (Debezium's {@code allowed} parameter), so the
 * target refuses what the source would. The empty string is always allowed: MySQL stores it for an invalid value
 * outside strict mode. When the source's ENUM changes (ALTER TABLE ... MODIFY during CDC), the check is replaced,
 * {@code NOT VALID} so that rows written under the old list are not rescanned.
 */
final class EnumChecks {

    private final boolean enabled;
    private final Map<String, String> applied = new HashMap<>();

    EnumChecks(boolean enabled) {
        this.enabled = enabled;
    }

    /** Constraint clauses for a new table (recorded as applied). */
    List<String> forCreate(String schema, String table, Schema row) {
        List<String> out = new ArrayList<>();
        for (Field f : enums(row)) {
            String allowed = f.schema().parameters().get("allowed");
            applied.put(schema + "." + table + "." + f.name(), allowed);
            out.add("CONSTRAINT " + Identifiers.quote(name(table, f.name())) + " " + check(f.name(), allowed));
        }
        return out;
    }

    /**
     * ALTER statements for enum columns whose allowed values differ from what was last applied (run after the
     * ADD COLUMNs of the same evolve, so a new enum column gets its check at once).
     */
    List<String> forEvolve(TargetTable table, Schema row) {
        List<String> out = new ArrayList<>();
        for (Field f : enums(row)) {
            String allowed = f.schema().parameters().get("allowed");
            String before = applied.put(table + "." + f.name(), allowed);
            if (before == null || !before.equals(allowed)) {
                String n = Identifiers.quote(name(table.name(), f.name()));
                out.add("ALTER TABLE " + table.qualifiedName() + " DROP CONSTRAINT IF EXISTS " + n
                        + ", ADD CONSTRAINT " + n + " " + check(f.name(), allowed) + " NOT VALID");
            }
        }
        return out;
    }

    private List<Field> enums(Schema row) {
        List<Field> out = new ArrayList<>();
        if (!enabled) {
            return out;
        }
        for (Field f : row.fields()) {
            if (SemanticTypes.DBZ_ENUM.equals(f.schema().name()) && f.schema().parameters() != null
                    && f.schema().parameters().get("allowed") != null) {
                out.add(f);
            }
        }
        return out;
    }

    private static String check(String column, String allowed) {
        Set<String> values = new LinkedHashSet<>(List.of(allowed.split(",", -1)));
        values.add("");
        StringJoiner in = new StringJoiner(", ", "CHECK (" + Identifiers.quote(column) + " IN (", "))");
        values.forEach(v -> in.add(Identifiers.literal(v)));
        return in.toString();
    }

    /** Stable and at most 63 bytes, PostgreSQL's limit. */
    static String name(String table, String column) {
        String name = table + "_" + column + "_enum";
        if (name.getBytes(StandardCharsets.UTF_8).length <= 63) {
            return name;
        }
        return "enum_" + Integer.toHexString((table + "." + column).hashCode());
    }
}
