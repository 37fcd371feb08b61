package io.ferry.sink.schema;

/**
 * A column of a target table as PostgreSQL has it.
 *
 * @param sqlType  the full type (format_type with typmod), e.g. {@code character varying(45)}
 * @param castType the type without typmod, used to cast bound text: casting to {@code varchar(45)} would truncate
 *                 silently, while assigning to the column raises a clear error
 */
public record TargetColumn(String name, String sqlType, String castType) {

    public TargetColumn {
        if (castType.equals("bit")) {
            castType = "bit varying"; // a bare "bit" means bit(1); bit varying is assignable to bit(n) unchanged
        }
    }

    public boolean isBoolean() { return castType.equals("boolean"); }

    public boolean isArray() { return castType.endsWith("[]"); }

    public boolean isInterval() { return castType.equals("interval"); }

}
