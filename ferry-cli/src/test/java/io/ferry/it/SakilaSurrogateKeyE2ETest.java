package io.ferry.it;

import io.ferry.cli.ConnectorFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * film_actor and film_category (composite keys in MySQL) get a one-column uuid key from Ferry's SurrogateKey
 * transform, applied on the source connector so that the change topics downstream teams read carry it too. The
 * transform lives in its own plugin directory, used by Debezium's connector from another one.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SakilaSurrogateKeyE2ETest {

    /** Computed independently (Python's uuid.uuid5) from the documented encoding, for film_actor (1, 23). */
    static final String FILM_ACTOR_1_23 = "53125678-fcfa-5d80-8a3f-c758da0f5b87";

    PipelineHarness pipeline;

    static Map<String, String> surrogateKeys() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("transforms", "joinKey");
        t.put("transforms.joinKey.type", "io.ferry.transforms.SurrogateKey");
        t.put("transforms.joinKey.field", "id");
        t.put("transforms.joinKey.predicate", "joinTables");
        t.put("predicates", "joinTables");
        t.put("predicates.joinTables.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        t.put("predicates.joinTables.pattern", ".*\\.(film_actor|film_category)");
        return t;
    }

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("surrogate", 1);
        pipeline.deploy(pipeline.sinkConnector());
        ConnectorFile source = pipeline.sourceConnector().with(surrogateKeys());
        pipeline.deploy(source);
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void joinTablesGetAUuidPrimaryKeyInTheFullLoad() throws Exception {
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(4));
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            for (String table : new String[] {"film_actor", "film_category"}) {
                try (ResultSet rs = st.executeQuery("SELECT a.attname, format_type(a.atttypid, a.atttypmod) "
                        + "FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                        + "WHERE i.indrelid = 'public." + table + "'::regclass AND i.indisprimary")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("id");
                    assertThat(rs.getString(2)).isEqualTo("uuid");
                    assertThat(rs.next()).as("one-column key").isFalse();
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id), count(id) FROM " + table)) {
                    rs.next();
                    assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1));
                    assertThat(rs.getLong(3)).isEqualTo(rs.getLong(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT id::text FROM film_actor WHERE actor_id = 1 AND film_id = 23")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(FILM_ACTOR_1_23);
            }
        }
    }

    @Test
    @Order(2)
    void changesKeepTheSameIds() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("DELETE FROM film_actor WHERE actor_id = 1 AND film_id = 23");
            st.execute("INSERT INTO film_actor (actor_id, film_id) VALUES (1, 23)");
            st.execute("UPDATE film_actor SET last_update = '2026-11-25 12:00:00' WHERE actor_id = 1 AND film_id = 23");
            st.execute("UPDATE film_category SET category_id = 2 WHERE film_id = 5");
            st.execute("DELETE FROM film_category WHERE film_id = 6");
        }
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(2));
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT id::text, last_update FROM film_actor WHERE actor_id = 1 AND film_id = 23")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(FILM_ACTOR_1_23);
        }
    }
}
