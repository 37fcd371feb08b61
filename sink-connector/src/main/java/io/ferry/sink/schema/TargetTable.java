package io.ferry.sink.schema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A target table as read from the PostgreSQL catalog: its columns in order and its primary key. A designed table
 * (from the user's target DDL) has exactly the columns the user wants: source columns it lacks are not written.
 */
public final class TargetTable {

    private final String schema;
    private final String name;
    private final Map<String, TargetColumn> columns;
    private final List<String> keyColumns;
    private final boolean designed;
    private final java.util.Set<String> ignored;

    public TargetTable(String schema, String name, LinkedHashMap<String, TargetColumn> columns, List<String> keyColumns,
                       boolean designed) {
        this(schema, name, columns, keyColumns, designed, java.util.Set.of());
    }

    /** @param ignored source columns that appeared during CDC and are not written (column.add.policy=ignore) */
    public TargetTable(String schema, String name, LinkedHashMap<String, TargetColumn> columns, List<String> keyColumns,
                       boolean designed, java.util.Set<String> ignored) {
        this.designed = designed;
        this.ignored = java.util.Set.copyOf(ignored);
        this.schema = schema;
        this.name = name;
        this.columns = Collections.unmodifiableMap(columns);
        this.keyColumns = List.copyOf(keyColumns);
    }

    public String schema() { return schema; }
    public String name() { return name; }
    public Map<String, TargetColumn> columns() { return columns; }
    public List<String> keyColumns() { return keyColumns; }
    public boolean designed() { return designed; }
    public boolean hasKey() { return !keyColumns.isEmpty(); }

    /** Source columns whose values are not written by policy, and counted (ferry.table_stats.ignored_values). */
    public java.util.Set<String> ignored() { return ignored; }

    public TargetColumn column(String column) { return columns.get(column); }

    public String qualifiedName() { return Identifiers.qualified(schema, name); }

    @Override
    public String toString() { return schema + "." + name; }
}
