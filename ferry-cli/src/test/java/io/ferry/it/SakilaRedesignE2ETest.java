package io.ferry.it;

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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The redesign: Sakila with its MySQL foreign keys dropped (relationships that live only in joins), uuid keys for
 * the two join tables, and foreign keys declared for the target. Keys are built after the full load and validated;
 * in CDC, children are committed before their parents on other topics and must still land, with valid constraints.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SakilaRedesignE2ETest {

    PipelineHarness pipeline;

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("redesign", 1);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            List<String[]> fks = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_name, constraint_name FROM "
                    + "information_schema.referential_constraints WHERE constraint_schema = DATABASE()")) {
                while (rs.next()) {
                    fks.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] fk : fks) {
                st.execute("ALTER TABLE `" + fk[0] + "` DROP FOREIGN KEY `" + fk[1] + "`");
            }
            assertThat(fks).as("Sakila declares foreign keys to drop").hasSizeGreaterThan(10);
        }
        deployRedesign();
    }

    /** The redesign as shipped in connectors/redesign/ (uuid keys), overlaid only with this test's servers. */
    void deployRedesign() throws Exception {
        pipeline.deploy(pipeline.sinkConnector("redesign/postgres-sink.json"));
        pipeline.deploy(pipeline.sourceConnector("redesign/" + TestServers.sourceConnectorFile()));
    }

    int expectedForeignKeys() {
        return 9;
    }

    /** Tables whose target leaves source columns out on purpose, so a column-by-column comparison cannot hold. */
    String[] tablesRedesignedBeyondComparison() {
        return new String[0];
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void keysAreBuiltAndValidatedAfterTheFullLoad() throws Exception {
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(4), tablesRedesignedBeyondComparison());
        awaitValidatedForeignKeys(expectedForeignKeys(), Duration.ofMinutes(1));
    }

    @Test
    @Order(2)
    void childrenCommittedBeforeTheirParentsStillLand() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("INSERT INTO film_actor (actor_id, film_id) VALUES (300, 2000), (1, 2000)");
            st.execute("INSERT INTO film_category (film_id, category_id) VALUES (2000, 1)");
            st.execute("INSERT INTO rental (rental_id, rental_date, inventory_id, customer_id, staff_id) "
                    + "VALUES (30000, '2026-11-25 10:00:00', 1, 700, 1)");
            st.execute("INSERT INTO payment (payment_id, customer_id, staff_id, rental_id, amount, payment_date) "
                    + "VALUES (30000, 700, 1, 30000, 1.99, '2026-11-25 10:01:00')");
            Thread.sleep(4000); // the children are in PostgreSQL's hands (parked) before any parent exists
            st.execute("INSERT INTO actor (actor_id, first_name, last_name) VALUES (300, 'LATE', 'PARENT')");
            st.execute("INSERT INTO film (film_id, title, language_id) VALUES (2000, 'LATE FILM', 1)");
            st.execute("INSERT INTO customer (customer_id, store_id, first_name, last_name, address_id, create_date) "
                    + "VALUES (700, 1, 'LATE', 'CUSTOMER', 1, '2026-11-25 09:00:00')");
        }
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(2), tablesRedesignedBeyondComparison());
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long parked = -1;
            while (System.nanoTime() < deadline && parked != 0) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ferry.parked")) {
                    rs.next();
                    parked = rs.getLong(1);
                }
                Thread.sleep(500);
            }
            assertThat(parked).as("parked rows left").isZero();
        }
        awaitValidatedForeignKeys(expectedForeignKeys(), Duration.ofSeconds(10));
    }

    void awaitValidatedForeignKeys(int expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> fks = List.of();
        while (System.nanoTime() < deadline) {
            fks = new ArrayList<>();
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT conname || ':' || convalidated FROM pg_constraint "
                         + "WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1")) {
                while (rs.next()) {
                    fks.add(rs.getString(1));
                }
            }
            if (fks.size() == expected && fks.stream().allMatch(f -> f.endsWith(":true"))) {
                return;
            }
            Thread.sleep(1000);
        }
        assertThat(fks).as("validated foreign keys").hasSize(expected).allMatch(f -> f.endsWith(":true"));
    }
}
