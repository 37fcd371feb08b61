package io.ferry.verify.plan;

import java.util.List;
import java.util.Map;

/**
 * How one source table is compared with its target table: the SQL that reads each side's canonical text, derived
 * from the deployed connector configs (the mapping). Equal rows give equal text on both sides, column by column.
 *
 * @param sourceTable    the source table as `db`.`table`
 * @param targetTable    the target table as "schema"."table"
 * @param key            how rows are matched: the natural key's canonical text on both sides
 * @param checks         the target columns compared, each with the expressions that must agree
 * @param leftOut        source columns not compared and why (left out by the design, dropped, ignored by policy)
 * @param missing        columns the target should have (by the mapping) and lacks: each a failure
 * @param notVerifiable  why the table cannot be compared, or null
 * @param estimatedRows  the source's row estimate, for progress and segment sizes
 */
public record TablePlan(String name, String sourceTable, String targetName, String targetTable, List<KeyPart> key,
                        List<Check> checks, Map<String, String> leftOut, List<String> missing, String notVerifiable,
                        long estimatedRows) {

    /**
     * A column of the match key. {@code numeric}: both sides order it as a number (else by the text's bytes).
     * {@code sourceColumn}/{@code targetColumn}: the plain column on each side when the key's text is the column's
     * own value (so lookups can use its index), else null.
     */
    public record KeyPart(String name, String sourceText, String targetText, boolean numeric, String sourceColumn,
                          String targetColumn) {}

    /**
     * One compared target column. {@code hashable}: both expressions give text that can be hashed inside the
     * databases; else values are compared in Java ({@code json}: as JSON, floats as numbers). {@code identity}: the
     * column is the row's surrogate key, computed from its natural key: a target row whose natural-key columns were
     * changed is still found by it, as the same row with other values.
     */
    public record Check(String column, String sourceExpr, String targetExpr, boolean hashable, boolean json,
                        boolean identity, String description) {}

    public static TablePlan notVerifiable(String name, String sourceTable, String targetName, String reason) {
        return new TablePlan(name, sourceTable, targetName, null, List.of(), List.of(), Map.of(), List.of(), reason, 0);
    }

    public boolean hasKey() {
        return !key.isEmpty();
    }

    public boolean allHashable() {
        return checks.stream().allMatch(Check::hashable);
    }
}
