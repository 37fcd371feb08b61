package io.ferry.embedded;

import java.io.InputStream;
import java.sql.Connection;

/** The Sakila sample database (BSD licence, bundled), loadable under any database name. */
public final class Sakila {
    private Sakila() {}

    /** Tables with rows once loaded; views are not migrated. */
    public static final int TABLE_COUNT = 16;

    public static void load(Connection conn, String database) throws Exception {
        for (String file : new String[] {"sakila/sakila-schema.sql", "sakila/sakila-data.sql"}) {
            try (InputStream in = Sakila.class.getClassLoader().getResourceAsStream(file)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + file);
                }
                SqlScript.run(conn, in, sql -> rename(sql, database));
            }
        }
    }

    /** MySQL 5.7+ versioned comments hold the GEOMETRY column and its values; MariaDB skips them, so unwrap them. */
    private static final java.util.regex.Pattern VERSIONED = java.util.regex.Pattern.compile("/\\*!5\\d{4}\\s(.*?)\\*/",
            java.util.regex.Pattern.DOTALL);

    private static String rename(String sql, String database) {
        sql = VERSIONED.matcher(sql).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1)));
        if (database.equals("sakila")) {
            return sql;
        }
        return sql.replace("DROP SCHEMA IF EXISTS sakila", "DROP SCHEMA IF EXISTS `" + database + "`")
                .replace("CREATE SCHEMA sakila", "CREATE SCHEMA `" + database + "`")
                .replace("USE sakila", "USE `" + database + "`")
                .replaceAll("\\bsakila\\.(\\w)", "`" + database + "`.$1");
    }
}
