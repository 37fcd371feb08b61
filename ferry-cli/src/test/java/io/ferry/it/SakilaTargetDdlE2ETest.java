package io.ferry.it;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sakila redesign with a target design written by hand in PostgreSQL DDL (connectors/redesign/sakila-target.sql,
 * read by the worker through Kafka's DirectoryConfigProvider, as postgres-sink-ddl.json does): bigint keys for the
 * join tables, 22 foreign keys including the store/staff cycle, checks, unique constraints, secondary indexes, and
 * staff.password left out. Same scenario as the other redesigns, plus: every index and constraint of the design
 * exists after the load, the checks and foreign keys validated.
 */
class SakilaTargetDdlE2ETest extends SakilaRedesignE2ETest {

    @Override
    void deployRedesign() throws Exception {
        String design = PipelineHarness.connectorsDir().resolve("redesign").toAbsolutePath().normalize().toString();
        pipeline.deploy(pipeline.sinkConnector("redesign/postgres-sink-ddl.json")
                .with(Map.of("target.ddl", "${dir:" + design + ":sakila-target.sql}")));
        pipeline.deploy(pipeline.sourceConnector());
    }

    @Override
    boolean reloadsDriftedTables() {
        return true;
    }

    @Override
    String corruptSurrogateKeySql() {
        return "id = id + 1000000";
    }

    @Override
    int expectedForeignKeys() {
        return 22;
    }

    @Override
    String[] tablesRedesignedBeyondComparison() {
        return new String[] {"staff"};
    }

    @Test
    @Order(3)
    void theDesignIsCompleteAfterTheLoad() throws Exception {
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            assertThat(strings(st, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                    + "WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisprimary AND NOT EXISTS "
                    + "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"))
                    .as("the design's 14 secondary indexes").containsExactly("14");
            assertThat(strings(st, "SELECT x FROM (SELECT conrelid::regclass || ':' || contype::text || ':' || convalidated AS x "
                    + "FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('u', 'c')) s "
                    + "ORDER BY x COLLATE \"C\""))
                    .containsExactly("film:c:true", "film:c:true", "film:c:true", "film_actor:u:true",
                            "film_category:u:true", "payment:c:true", "rental:c:true", "rental:u:true", "store:u:true");
            assertThat(strings(st, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                    + "AND table_name = 'staff' AND column_name = 'password'")).as("staff.password not migrated")
                    .containsExactly("0");
            assertThat(strings(st, "SELECT count(*) FROM staff WHERE username IS NOT NULL")).containsExactly("2");
            assertThat(strings(st, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    + "WHERE attrelid = 'film_actor'::regclass AND attname = 'id'")).containsExactly("bigint");
        }
    }

    private static List<String> strings(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
