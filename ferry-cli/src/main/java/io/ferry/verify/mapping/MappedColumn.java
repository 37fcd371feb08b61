package io.ferry.verify.mapping;

import io.ferry.verify.SourceColumn;

import java.util.List;

/**
 * A column of a change row after the transforms so far, with where its value comes from: a source column (maybe
 * renamed or cast on the way), a uuid computed from source columns (SurrogateKey, ForeignKey), or a bigint id from
 * the sink's key registry (bigint.keys).
 */
public record MappedColumn(String name, Origin origin) {

    public sealed interface Origin permits Plain, Uuid, Registry {}

    /** A source column's value; {@code castTo} is CastColumns' Connect type, or null. */
    public record Plain(SourceColumn source, String castTo) implements Origin {}

    /**
     * A name-based uuid of natural-key values under a table's namespace; null when any value is null and
     * {@code nullable} (a foreign key).
     */
    public record Uuid(String namespaceTable, List<Plain> parts, boolean nullable) implements Origin {}

    /** The id the key registry allocated to the natural key of {@code parts} in {@code owner}'s key space. */
    public record Registry(String owner, List<Plain> parts) implements Origin {}

    public MappedColumn renamed(String newName) {
        return new MappedColumn(newName, origin);
    }
}
