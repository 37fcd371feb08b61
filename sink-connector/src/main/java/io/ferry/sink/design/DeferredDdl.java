package io.ferry.sink.design;

import java.util.Set;

/**
 * A piece of the target design that waits for the full load: a secondary index, a unique, check, exclusion or
 * foreign-key constraint. Built once every table in {@link #tables} is loaded.
 *
 * @param table      the table it belongs to
 * @param name       the index or constraint name (how its existence is checked, so a restart never builds it twice)
 * @param kind       what it is
 * @param tables     the tables that must be loaded first: the table itself, and for a foreign key its parent
 * @param definition for an index the part from {@code USING} on (e.g. {@code USING btree (title)}); for a
 *                   constraint what {@code pg_get_constraintdef} returns (e.g. {@code CHECK (rate > 0)})
 * @param unique     for an index: whether it is unique
 */
public record DeferredDdl(String table, String name, Kind kind, Set<String> tables, String definition, boolean unique) {

    public enum Kind {
        INDEX, UNIQUE, CHECK, EXCLUSION, FOREIGN_KEY;

        /** Constraints that can be added NOT VALID and validated afterwards under a light lock. */
        public boolean validatesLater() {
            return this == CHECK || this == FOREIGN_KEY;
        }
    }
}
