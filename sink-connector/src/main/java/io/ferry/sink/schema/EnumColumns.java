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
 * MySQL ENUM columns (Debezium's {@code io.debezium.data.Enum} with its {@code allowed} parameter), as enum.mode says:
 * <ul>
 *   <li>check: text with a CHECK of the allowed values, so the target refuses what the source would. When the
 *   source's ENUM changes (ALTER TABLE ... MODIFY during CDC) the check is replaced {@code NOT VALID}, so rows
 *   written under the old list are not rescanned.</li>
 *   <li>type: a PostgreSQL enum type per column, values in the source's order (so ORDER BY sorts as MySQL does);
 *   values added at the source are added to the type. PostgreSQL cannot remove a value from an enum type: a value
 *   the source dropped stays allowed.</li>
 *   <li>text: plain text.</li>
 * </ul>
 * The empty string is always allowed: MySQL stores it for an invalid value outside strict mode.
 */
final class EnumColumns {

    enum Mode { CHECK, TYPE, TEXT }

    private final Mode mode;
    /** Per column (schema.table.column), the allowed list last applied. */
    private final Map<String, String> applied = new HashMap<>();

    EnumColumns(Mode mode) {
        this.mode = mode;
    }

    /** The column type for a field: the enum type in type mode, else {@code sqlType} unchanged. */
    String columnType(String schema, String table, Field f, String sqlType) {
        return mode == Mode.TYPE && isEnum(f) ? typeName(schema, table, f.name()) : sqlType;
    }

    /** Statements to run before the CREATE TABLE or ADD COLUMNs of these fields: the enum types they use. */
    List<String> types(String schema, String table, Schema row, TargetTable existing) {
        List<String> out = new ArrayList<>();
        if (mode != Mode.TYPE) {
            return out;
        }
        for (Field f : enums(row)) {
            String allowed = f.schema().parameters().get("allowed");
            String key = schema + "." + table + "." + f.name();
            String before = applied.get(key);
            if (existing == null || existing.column(f.name()) == null) {
                // duplicate_object: another task, or an earlier run, created it already; its values are added below
                out.add("DO $$ BEGIN CREATE TYPE " + typeName(schema, table, f.name()) + " AS ENUM ("
                        + literals(allowed) + "); EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            }
            if (before == null || !before.equals(allowed)) {
                for (String v : values(allowed)) {
                    out.add("ALTER TYPE " + typeName(schema, table, f.name()) + " ADD VALUE IF NOT EXISTS "
                            + Identifiers.literal(v));
                }
            }
            applied.put(key, allowed);
        }
        return out;
    }

    /** Constraint clauses for a new table (check mode; recorded as applied). */
    List<String> forCreate(String schema, String table, Schema row) {
        List<String> out = new ArrayList<>();
        if (mode != Mode.CHECK) {
            return out;
        }
        for (Field f : enums(row)) {
            String allowed = f.schema().parameters().get("allowed");
            applied.put(schema + "." + table + "." + f.name(), allowed);
            out.add("CONSTRAINT " + Identifiers.quote(name(table, f.name())) + " " + check(f.name(), allowed));
        }
        return out;
    }

    /**
     * ALTER statements for enum columns whose allowed values differ from what was last applied (check mode; run
     * after the ADD COLUMNs of the same evolve, so a new enum column gets its check at once).
     */
    List<String> forEvolve(TargetTable table, Schema row) {
        List<String> out = new ArrayList<>();
        if (mode != Mode.CHECK) {
            return out;
        }
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

    private static boolean isEnum(Field f) {
        return SemanticTypes.DBZ_ENUM.equals(f.schema().name()) && f.schema().parameters() != null
                && f.schema().parameters().get("allowed") != null;
    }

    private List<Field> enums(Schema row) {
        List<Field> out = new ArrayList<>();
        if (mode == Mode.TEXT) {
            return out;
        }
        for (Field f : row.fields()) {
            if (isEnum(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The empty string first: MySQL's invalid-value marker sorts before every value there too (index 0). */
    private static Set<String> values(String allowed) {
        Set<String> values = new LinkedHashSet<>();
        values.add("");
        values.addAll(List.of(allowed.split(",", -1)));
        return values;
    }

    private static String literals(String allowed) {
        StringJoiner in = new StringJoiner(", ");
        values(allowed).forEach(v -> in.add(Identifiers.literal(v)));
        return in.toString();
    }

    private static String check(String column, String allowed) {
        return "CHECK (" + Identifiers.quote(column) + " IN (" + literals(allowed) + "))";
    }

    static String typeName(String schema, String table, String column) {
        String name = table + "_" + column;
        if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
            name = "enum_" + Integer.toHexString((table + "." + column).hashCode());
        }
        return Identifiers.qualified(schema, name);
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
