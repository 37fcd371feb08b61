package io.ferry.sink.schema;

/**
 * How the catalog may shape target tables.
 *
 * @param autoCreate   create a missing table from the record schema
 * @param autoEvolve   follow the source's ADD/DROP COLUMN and safe type changes
 * @param enumMode     check, type or text (enum.mode)
 * @param dropColumns  drop a column dropped at the source (else keep it, nullable)
 * @param stopOnUnsafe an unsafe type change throws {@link UnsafeTypeChange} instead of being logged
 * @param jsonColumns  table.column entries created as jsonb whatever their record type
 * @param addPolicy    a column that appears at the source during CDC: added, ignored (counted) or the table stopped
 */
public record CatalogOptions(boolean autoCreate, boolean autoEvolve, String enumMode, boolean dropColumns,
                             boolean stopOnUnsafe, java.util.Set<String> jsonColumns, AddPolicy addPolicy) {

    /** column.add.policy */
    public enum AddPolicy { ADD, IGNORE, STOP }

    public CatalogOptions(boolean autoCreate, boolean autoEvolve, String enumMode, boolean dropColumns,
                          boolean stopOnUnsafe, java.util.Set<String> jsonColumns) {
        this(autoCreate, autoEvolve, enumMode, dropColumns, stopOnUnsafe, jsonColumns, AddPolicy.ADD);
    }

    EnumColumns.Mode enums() {
        return EnumColumns.Mode.valueOf(enumMode.toUpperCase(java.util.Locale.ROOT));
    }
}
