package io.ferry.it;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sakila redesign with bigint keys instead of uuids: film_actor and film_category get a 64-bit id from Ferry's
 * key registry in PostgreSQL (connectors/redesign/postgres-sink-bigint.json, the plain source connector: the ids are
 * allocated by the sink). Same scenario and checks as the uuid redesign, plus: every id is the registry's id for the
 * row's natural key, and ids stay put through deletes and re-inserts. On the source connector, film_text goes
 * through RenameColumns, CastColumns and DropColumns, checked in the full load and in CDC.
 */
class SakilaRedesignBigintE2ETest extends SakilaRedesignE2ETest {

    @Override
    void deployRedesign() throws Exception {
        pipeline.deploy(pipeline.sinkConnector("redesign/postgres-sink-bigint.json"));
        // and the column transforms on the source, on film_text: a rename, a cast, a drop
        Map<String, String> t = new java.util.LinkedHashMap<>();
        t.put("transforms", "rename,cast,drop");
        t.put("transforms.rename.type", "io.ferry.transforms.RenameColumns");
        t.put("transforms.rename.renames", "description:synopsis");
        t.put("transforms.rename.predicate", "filmText");
        t.put("transforms.cast.type", "io.ferry.transforms.CastColumns");
        t.put("transforms.cast.casts", "film_id:int64");
        t.put("transforms.cast.predicate", "filmText");
        t.put("transforms.drop.type", "io.ferry.transforms.DropColumns");
        t.put("transforms.drop.columns", "title");
        t.put("transforms.drop.predicate", "filmText");
        t.put("predicates", "filmText");
        t.put("predicates.filmText.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        t.put("predicates.filmText.pattern", ".*\\.film_text");
        pipeline.deploy(pipeline.sourceConnector().with(t));
    }

    @Override
    String corruptSurrogateKeySql() {
        return "id = id + 1000000";
    }

    @Override
    String[] tablesRedesignedBeyondComparison() {
        return new String[] {"film_text"};
    }

    @Test
    @Order(5)
    void columnTransformsRenameCastAndDropInSnapshotAndCdc() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("UPDATE film_text SET description = 'renamed in CDC' WHERE film_id = 3");
            st.execute("DELETE FROM film_text WHERE film_id = 4");
        }
        Map<Long, String> expected = new java.util.TreeMap<>();
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement();
             ResultSet rs = st.executeQuery("SELECT film_id, description FROM film_text")) {
            while (rs.next()) {
                expected.put(rs.getLong(1), rs.getString(2));
            }
        }
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        Map<Long, String> actual = Map.of();
        while (System.nanoTime() < deadline && !actual.equals(expected)) {
            actual = new java.util.TreeMap<>();
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT film_id, synopsis FROM film_text")) {
                while (rs.next()) {
                    actual.put(rs.getLong(1), rs.getString(2));
                }
            }
            Thread.sleep(500);
        }
        assertThat(actual).hasSizeGreaterThan(900).isEqualTo(expected).doesNotContainKey(4L);
        assertThat(actual.get(3L)).isEqualTo("renamed in CDC");
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) "
                     + "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'film_text'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("film_id bigint, synopsis text");
        }
    }

    @Test
    @Order(40)
    void aMappingChangeIsAppliedToOneTableByReloadingItWhileTheOthersStream() throws Exception {
        // the redeployed source renames film_text.description to summary now (was synopsis)
        Map<String, String> changed = new java.util.LinkedHashMap<>(pipeline.deployed.get(pipeline.name + "-source").config());
        changed.put("transforms.rename.renames", "description:summary");
        pipeline.deploy(new io.ferry.cli.ConnectorFile(pipeline.name + "-source", changed));
        Thread.sleep(3000); // the source task restarts with the new transforms
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("UPDATE film_text SET description = 'changed before the reload' WHERE film_id = 5");
        }
        // Debezium's read-only reload moves its watermarks with the source's transactions: a live source has them
        java.util.concurrent.atomic.AtomicBoolean live = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread trickle = new Thread(() -> {
            try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
                while (live.get()) {
                    st.execute("UPDATE actor SET last_update = NOW() WHERE actor_id = 8");
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        trickle.start();
        long t0 = System.nanoTime();
        int exit;
        try {
            exit = io.ferry.cli.Ferry.execute("reload", "film_text", "--connect",
                pipeline.connect.endpointForResource("").replaceAll("/$", ""), "--connector", pipeline.name + "-sink",
                "--source-connector", pipeline.name + "-source", "--bootstrap", pipeline.connect.kafka().bootstrapServers(),
                "--target", pipeline.pgUrl, "--target-user", TestServers.pgUser(), "--target-password",
                TestServers.pgPassword(), "--timeout-seconds", "180");
        } finally {
            live.set(false);
            trickle.join();
        }
        System.out.printf("reload of film_text under the new mapping: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(exit).isZero();
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("UPDATE actor SET last_name = 'STREAMED' WHERE actor_id = 7");
        }
        Map<Long, String> expected = new java.util.TreeMap<>();
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement();
             ResultSet rs = st.executeQuery("SELECT film_id, description FROM film_text")) {
            while (rs.next()) {
                expected.put(rs.getLong(1), rs.getString(2));
            }
        }
        Map<Long, String> actual = new java.util.TreeMap<>();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT film_id, summary FROM film_text")) {
            while (rs.next()) {
                actual.put(rs.getLong(1), rs.getString(2));
            }
        }
        assertThat(actual).as("every row rewritten under the new mapping").hasSizeGreaterThan(900).isEqualTo(expected);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        String streamed = null;
        while (System.nanoTime() < deadline && !"STREAMED".equals(streamed)) {
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT last_name FROM actor WHERE actor_id = 7")) {
                streamed = rs.next() ? rs.getString(1) : null;
            }
            Thread.sleep(300);
        }
        assertThat(streamed).as("the other tables stream on").isEqualTo("STREAMED");
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
        pipeline.awaitTargetEqualsSource(java.time.Duration.ofMinutes(2), tablesRedesignedBeyondComparison());
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
