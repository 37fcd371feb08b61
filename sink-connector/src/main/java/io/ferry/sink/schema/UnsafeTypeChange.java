package io.ferry.sink.schema;

/**
 * A source column changed type during CDC in a way Ferry will not follow by itself (stored values could change),
 * and the sink is set to stop the table until someone decides: {@code unsafe.change.policy=stop}.
 */
public final class UnsafeTypeChange extends RuntimeException {

    private final String table;
    private final String column;
    private final String targetType;
    private final String ddl;

    UnsafeTypeChange(TargetTable table, String column, String targetType, String wantedType) {
        this(table.name(), column, targetType, "source column " + table + "." + column + " is now " + wantedType
                + " but the target column is " + targetType + ", and Ferry does not change a column's type when stored "
                + "values could change", "ALTER TABLE " + table.qualifiedName() + " ALTER COLUMN "
                + Identifiers.quote(column) + " TYPE " + wantedType + " USING " + Identifiers.quote(column) + "::" + wantedType);
    }

    private UnsafeTypeChange(String table, String column, String targetType, String message, String ddl) {
        super(message);
        this.table = table;
        this.column = column;
        this.targetType = targetType;
        this.ddl = ddl;
    }

    /** A column appeared at the source and column.add.policy=stop: the table resumes once the column exists. */
    static UnsafeTypeChange columnAdded(TargetTable table, String column, String addDdl) {
        return new UnsafeTypeChange(table.name(), column, MISSING, "column " + column + " appeared at the source of "
                + table + " during CDC and column.add.policy=stop; add it to the target (or set the policy to add or "
                + "ignore) to go on", addDdl);
    }

    /** The target type recorded for a column that does not exist yet. */
    public static final String MISSING = "";

    public String table() { return table; }
    public String column() { return column; }
    /** The target column's type when the table stopped: the table resumes once it is something else. */
    public String targetType() { return targetType; }
    /** What to run to follow the source (review the USING expression first). */
    public String ddl() { return ddl; }
}
