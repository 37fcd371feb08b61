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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blog-like schema written for the redesign: author (2-column key), post (3-column key, references author only in
 * joins), comment (its own key, references a post by 3 columns). Target: uuid keys for author and post, uuid
 * foreign-key columns post.author_ref and comment.post_ref with real constraints. The sink is restarted in the
 * middle of the full load and in the middle of CDC; children are committed before their parents.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BlogCompositeKeysE2ETest {

    PipelineHarness pipeline;
    ConnectorFile sink;

    static Map<String, String> redesign() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("transforms", "authorKey,postKey,postAuthor,commentPost");
        t.put("transforms.authorKey.type", "io.ferry.transforms.SurrogateKey");
        t.put("transforms.authorKey.predicate", "isAuthor");
        t.put("transforms.postKey.type", "io.ferry.transforms.SurrogateKey");
        t.put("transforms.postKey.predicate", "isPost");
        t.put("transforms.postAuthor.type", "io.ferry.transforms.ForeignKey");
        t.put("transforms.postAuthor.field", "author_ref");
        t.put("transforms.postAuthor.fields", "region,handle");
        t.put("transforms.postAuthor.parent.table", "author");
        t.put("transforms.postAuthor.predicate", "isPost");
        t.put("transforms.commentPost.type", "io.ferry.transforms.ForeignKey");
        t.put("transforms.commentPost.field", "post_ref");
        t.put("transforms.commentPost.fields", "region,handle,post_no");
        t.put("transforms.commentPost.parent.table", "post");
        t.put("transforms.commentPost.predicate", "isComment");
        t.put("predicates", "isAuthor,isPost,isComment");
        for (String table : new String[] {"author", "post", "comment"}) {
            String p = "predicates.is" + Character.toUpperCase(table.charAt(0)) + table.substring(1);
            t.put(p + ".type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
            t.put(p + ".pattern", ".*\\." + table);
        }
        return t;
    }

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("blog", 1);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("CREATE TABLE author (region CHAR(2) NOT NULL, handle VARCHAR(30) NOT NULL, name VARCHAR(100), "
                    + "PRIMARY KEY (region, handle))");
            st.execute("CREATE TABLE post (region CHAR(2) NOT NULL, handle VARCHAR(30) NOT NULL, post_no INT NOT NULL, "
                    + "title VARCHAR(200), PRIMARY KEY (region, handle, post_no))");
            st.execute("CREATE TABLE comment (comment_id BIGINT PRIMARY KEY, region CHAR(2), handle VARCHAR(30), "
                    + "post_no INT, body TEXT)");
            StringBuilder authors = new StringBuilder("INSERT INTO author VALUES ");
            StringBuilder posts = new StringBuilder("INSERT INTO post VALUES ");
            StringBuilder comments = new StringBuilder("INSERT INTO comment VALUES ");
            int c = 0;
            for (int a = 0; a < 200; a++) {
                String region = a % 2 == 0 ? "eu" : "us";
                String handle = "writer" + a;
                authors.append(a == 0 ? "" : ",").append("('").append(region).append("','").append(handle)
                        .append("','Writer ").append(a).append("')");
                for (int p = 1; p <= 10; p++) {
                    posts.append(a == 0 && p == 1 ? "" : ",").append("('").append(region).append("','").append(handle)
                            .append("',").append(p).append(",'post ").append(p).append("')");
                    for (int k = 0; k < 3; k++) {
                        comments.append(c == 0 ? "" : ",").append("(").append(++c).append(",'").append(region)
                                .append("','").append(handle).append("',").append(p).append(",'comment ").append(c).append("')");
                    }
                }
            }
            st.execute(authors.toString());
            st.execute(posts.toString());
            st.execute(comments.toString());
        }
        deployRedesign();
    }

    /** uuid keys: SurrogateKey and ForeignKey on the source, so the change topics carry the new keys. */
    void deployRedesign() throws Exception {
        sink = pipeline.sinkConnector().with(Map.of("foreign.keys", "post(author_ref)->author(id), comment(post_ref)->post(id)",
                "consumer.override.max.poll.records", "500"));
        pipeline.deploy(sink);
        pipeline.deploy(pipeline.sourceConnector().with(redesign()));
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void fullLoadWithASinkRestartInTheMiddle() throws Exception {
        awaitSnapshotRows(2000);
        pipeline.connect.restartConnectorAndTasks(sink.name(), false, true, false);
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(4));
        assertMappingHolds();
        awaitValidated(2);
    }

    @Test
    @Order(2)
    void cdcWithChildrenFirstAndASinkRestartInTheMiddle() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("INSERT INTO comment VALUES (90001, 'eu', 'newcomer', 1, 'first!')");
            st.execute("INSERT INTO post VALUES ('eu', 'newcomer', 1, 'hello')");
            Thread.sleep(3000);
            pipeline.connect.restartConnectorAndTasks(sink.name(), false, true, false);
            st.execute("INSERT INTO author VALUES ('eu', 'newcomer', 'New Comer')");
            st.execute("UPDATE post SET title = 'hello, edited' WHERE region = 'eu' AND handle = 'newcomer'");
            st.execute("DELETE FROM comment WHERE comment_id = 1");
            st.execute("UPDATE comment SET post_no = 2 WHERE comment_id = 2");
        }
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(3));
        assertMappingHolds();
        awaitValidated(2);
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ferry.parked")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    @Order(3)
    void ferryVerifyFollowsTheForeignKeyColumnsAndFindsAWrongReference() throws Exception {
        List<io.ferry.verify.TableResult> clean = pipeline.verify();
        assertThat(clean.stream().filter(r -> List.of("author", "post", "comment").contains(r.table())))
                .as(io.ferry.verify.VerifyReport.table(clean)).hasSize(3).allMatch(io.ferry.verify.TableResult::validated);
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            // references that point at another row that exists, so the constraints still hold
            st.execute("UPDATE post SET author_ref = (SELECT id FROM author WHERE handle = 'writer1') "
                    + "WHERE handle = 'writer0' AND post_no = 3");
            st.execute("UPDATE comment SET post_ref = (SELECT id FROM post WHERE handle = 'writer5' AND post_no = 5) "
                    + "WHERE comment_id = 7");
            st.execute("UPDATE author SET name = NULL WHERE handle = 'writer9'");
        }
        List<io.ferry.verify.TableResult> planted = pipeline.verify();
        java.util.Set<String> found = new java.util.TreeSet<>();
        planted.forEach(r -> r.differences().forEach(d -> found.add(r.table() + " " + d.printableKey() + " "
                + d.kind() + " " + d.column())));
        assertThat(found).as(io.ferry.verify.VerifyReport.table(planted)).containsExactly(
                "author [us, writer9] VALUE_DIFFERS name",
                "comment [7] VALUE_DIFFERS post_ref",
                "post [eu, writer0, 3] VALUE_DIFFERS author_ref");
    }

    /** Every foreign-key value is the id of the row the source's join columns point at. */
    private void assertMappingHolds() throws Exception {
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM post p LEFT JOIN author a "
                    + "ON a.region = p.region AND a.handle = p.handle WHERE p.author_ref IS DISTINCT FROM a.id")) {
                rs.next();
                assertThat(rs.getLong(1)).as("posts whose author_ref is not their author's id").isZero();
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM comment c LEFT JOIN post p "
                    + "ON p.region = c.region AND p.handle = c.handle AND p.post_no = c.post_no "
                    + "WHERE c.post_ref IS DISTINCT FROM p.id")) {
                rs.next();
                assertThat(rs.getLong(1)).as("comments whose post_ref is not their post's id").isZero();
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id) FROM post")) {
                rs.next();
                assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1)).isGreaterThanOrEqualTo(2000);
            }
        }
    }

    private void awaitSnapshotRows(long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(sum(snapshot_rows), 0) FROM ferry.table_stats")) {
                rs.next();
                if (rs.getLong(1) >= atLeast) {
                    return;
                }
            } catch (java.sql.SQLException e) {
                // state schema not created yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the full load did not start");
    }

    private void awaitValidated(int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long validated = 0;
        while (System.nanoTime() < deadline) {
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE convalidated) FROM pg_constraint "
                         + "WHERE contype = 'f' AND connamespace = 'public'::regnamespace")) {
                rs.next();
                validated = rs.getLong(1);
            }
            if (validated == expected) {
                return;
            }
            Thread.sleep(500);
        }
        assertThat(validated).as("validated foreign keys").isEqualTo(expected);
    }
}
