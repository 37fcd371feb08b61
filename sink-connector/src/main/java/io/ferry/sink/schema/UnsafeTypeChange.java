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
        super("source column " + table + "." + column + " is now " + wantedType + " but the target column is "
                + targetType + ", and Ferry does not change a column's type when stored values could change");
        this.table = table.name();
        this.column = column;
        this.targetType = targetType;
        String c = Identifiers.quote(column);
        this.ddl = "ALTER TABLE " + table.qualifiedName() + " ALTER COLUMN " + c + " TYPE " + wantedType + " USING "
                + c + "::" + wantedType;
    }

    public String table() { return table; }
    public String column() { return column; }
    /** The target column's type when the table stopped: the table resumes once it is something else. */
    public String targetType() { return targetType; }
    /** What to run to follow the source (review the USING expression first). */
    public String ddl() { return ddl; }
}
