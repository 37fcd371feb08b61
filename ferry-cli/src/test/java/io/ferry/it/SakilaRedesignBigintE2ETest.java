package io.ferry.it;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sakila redesign with bigint keys instead of uuids: film_actor and film_category get a 64-bit id from Ferry's
 * key registry in PostgreSQL (connectors/redesign/postgres-sink-bigint.json, the plain source connector: the ids are
 * allocated by the sink). Same scenario and checks as the uuid redesign, plus: every id is the registry's id for the
 * row's natural key, and ids stay put through deletes and re-inserts.
 */
class SakilaRedesignBigintE2ETest extends SakilaRedesignE2ETest {

    @Override
    void deployRedesign() throws Exception {
        pipeline.deploy(pipeline.sinkConnector("redesign/postgres-sink-bigint.json"));
        pipeline.deploy(pipeline.sourceConnector());
    }

    @Test
    @Order(3)
    void everyIdIsTheRegistrysIdForItsNaturalKey() throws Exception {
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            for (String[] t : new String[][] {{"film_actor", "actor_id", "film_id"}, {"film_category", "film_id", "category_id"}}) {
                try (ResultSet rs = st.executeQuery("SELECT format_type(a.atttypid, a.atttypmod) FROM pg_index i "
                        + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                        + "WHERE i.indrelid = 'public." + t[0] + "'::regclass AND i.indisprimary")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("bigint");
                    assertThat(rs.next()).as("one-column key").isFalse();
                }
                String naturalKey = "length(t." + t[1] + "::text) || ':' || t." + t[1] + " || length(t." + t[2]
                        + "::text) || ':' || t." + t[2];
                try (ResultSet rs = st.executeQuery("SELECT count(*), count(r.id), count(*) FILTER (WHERE r.id = t.id), "
                        + "count(DISTINCT t.id) FROM " + t[0] + " t LEFT JOIN ferry.key_registry r "
                        + "ON r.table_name = '" + t[0] + "' AND r.natural_key = " + naturalKey)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(t[0] + " rows").isGreaterThan(1000);
                    assertThat(rs.getLong(2)).as(t[0] + " rows with a registry entry").isEqualTo(rs.getLong(1));
                    assertThat(rs.getLong(3)).as(t[0] + " rows whose id is the registry's").isEqualTo(rs.getLong(1));
                    assertThat(rs.getLong(4)).as(t[0] + " distinct ids").isEqualTo(rs.getLong(1));
                }
            }
        }
    }

    @Test
    @Order(4)
    void aDeletedAndReinsertedRowGetsItsIdBack() throws Exception {
        long before = filmActorId(1, 23);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("DELETE FROM film_actor WHERE actor_id = 1 AND film_id = 23");
            st.execute("INSERT INTO film_actor (actor_id, film_id) VALUES (1, 23)");
            st.execute("DELETE FROM film_category WHERE film_id = 6");
        }
        pipeline.awaitTargetEqualsSource(java.time.Duration.ofMinutes(2));
        assertThat(filmActorId(1, 23)).isEqualTo(before);
    }

    private long filmActorId(int actor, int film) throws Exception {
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM film_actor WHERE actor_id = " + actor + " AND film_id = " + film)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }
}
