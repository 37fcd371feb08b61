package io.ferry.sink.keys;

import io.ferry.sink.TestPostgres;
import io.ferry.sink.state.StateSchema;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key registry on a real PostgreSQL: new keys get their ids from the INSERT itself, keys another allocation
 * already had are read, and every id is the one committed in the registry table.
 */
class KeyRegistryTest {

    final StateSchema state = new StateSchema("ferry");
    String url;

    /** A connection to a fresh database with the state schema (the registry table) in it. */
    Connection freshRegistry() throws Exception {
        url = TestPostgres.newDatabaseUrl();
        Connection conn = TestPostgres.connect(url);
        state.create(conn);
        return conn;
    }

    @Test
    void newKeysTakeIdsOnceAndKnownKeysReadTheirs() throws Exception {
        try (Connection conn = freshRegistry()) {
            Map<String, Long> first = new KeyRegistry(state).ids(conn, "film", Set.of("a", "b", "c"));
            assertThat(first).containsOnlyKeys("a", "b", "c");
            assertThat(Set.copyOf(first.values())).hasSize(3);
            // a second task (no cache of the first's): two keys the first allocated, one new, in one call
            KeyRegistry other = new KeyRegistry(state);
            Map<String, Long> second = other.ids(conn, "film", new LinkedHashSet<>(List.of("b", "c", "d")));
            assertThat(second).containsEntry("b", first.get("b")).containsEntry("c", first.get("c"));
            assertThat(second.get("d")).isNotIn(first.values());
            // the same natural key of another table is another id
            assertThat(other.ids(conn, "actor", Set.of("a")).get("a")).isNotIn(first.values()).isNotEqualTo(second.get("d"));
            // every id handed out is the one committed
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT table_name, natural_key, id FROM ferry.key_registry")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                    if (rs.getString(1).equals("film")) {
                        Long handed = rs.getString(2).equals("d") ? second.get("d") : first.get(rs.getString(2));
                        assertThat(rs.getLong(3)).as(rs.getString(2)).isEqualTo(handed);
                    }
                }
                assertThat(n).isEqualTo(5);
            }
        }
    }

    @Test
    void twoTasksAllocatingTheSameNewKeysAtOnceGetTheSameIds() throws Exception {
        try (Connection a = freshRegistry(); Connection b = TestPostgres.connect(url)) {
            KeyRegistry first = new KeyRegistry(state);
            KeyRegistry second = new KeyRegistry(state);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 20; round++) {
                    // overlapping halves, both new: whichever inserts second waits for the first, meets its keys and
                    // reads their ids (the plain insert rolled back whole, then the ON CONFLICT path)
                    Set<String> left = new LinkedHashSet<>();
                    Set<String> right = new LinkedHashSet<>();
                    for (int i = 0; i < 300; i++) {
                        left.add(round + ":" + i);
                        right.add(round + ":" + (i + 150));
                    }
                    var fa = pool.submit(() -> first.ids(a, "t", left));
                    var fb = pool.submit(() -> second.ids(b, "t", right));
                    Map<String, Long> ia = fa.get();
                    Map<String, Long> ib = fb.get();
                    assertThat(ia).containsOnlyKeys(left);
                    assertThat(ib).containsOnlyKeys(right);
                    for (int i = 150; i < 300; i++) {
                        assertThat(ib.get(round + ":" + i)).as(round + ":" + i).isEqualTo(ia.get(round + ":" + i));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            try (Statement st = a.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id) FROM ferry.key_registry")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(20 * 450);
                assertThat(rs.getLong(2)).isEqualTo(20 * 450);
            }
        }
    }

    @Test
    void keysAreComparedBytewiseWhateverTheDatabaseCollation() throws Exception {
        try (Connection conn = freshRegistry()) {
            // keys differing only in case or accents stay distinct (bytewise, as under every deterministic collation),
            // and the index the allocation descends compares them without the locale
            Map<String, Long> ids = new KeyRegistry(state).ids(conn, "t", Set.of("é", "e", "E", "Z:1", "a:1"));
            assertThat(Set.copyOf(ids.values())).hasSize(5);
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT a.attname, c.collname FROM pg_attribute a JOIN pg_collation c "
                         + "ON c.oid = a.attcollation WHERE a.attrelid = 'ferry.key_registry'::regclass "
                         + "AND a.attname IN ('table_name', 'natural_key') ORDER BY 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("natural_key C");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("table_name C");
            }
        }
    }
}
