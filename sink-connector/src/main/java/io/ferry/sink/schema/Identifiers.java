package io.ferry.sink.schema;

/** Every identifier Ferry writes into SQL goes through here: always quoted, so case, reserved words and unicode survive. */
public final class Identifiers {
    private Identifiers() {}

    public static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains a NUL character: " + identifier.replace('\0', '?'));
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    public static String qualified(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    /**
     * Creates a schema only when it is missing: {@code CREATE SCHEMA IF NOT EXISTS} needs CREATE on the database even
     * when the schema exists, which a least-privilege role (owning schemas a DBA created) does not have.
     */
    public static String createSchemaIfMissing(String schema) {
        return "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = " + literal(schema) + ") THEN "
                + "CREATE SCHEMA " + quote(schema) + "; END IF; END $$";
    }

    /** A SQL string literal, for the few texts that cannot be bound (DDL defaults and checks, lock names). */
    public static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
