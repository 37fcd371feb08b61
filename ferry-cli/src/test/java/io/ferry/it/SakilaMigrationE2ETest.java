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
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sakila in MariaDB -> Debezium -> Kafka -> Ferry sink -> PostgreSQL, on a real broker and Connect worker with the
 * built plugin.path: the full load, then CDC, each compared row by row and column by column.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SakilaMigrationE2ETest {

    PipelineHarness pipeline;

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("sakila", 1);
        pipeline.deploy(pipeline.sinkConnector());
        pipeline.deploy(pipeline.sourceConnector());
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void fullLoadEqualsTheSourceRowByRow() throws Exception {
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(4));
        Map<String, String> types = new HashMap<>();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) "
                     + "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped")) {
            while (rs.next()) {
                types.put(rs.getString(1), rs.getString(2));
            }
        }
        assertThat(types).containsEntry("film.rating", "text")
                .containsEntry("film.special_features", "text[]")
                .containsEntry("film.release_year", "smallint")
                .containsEntry("film.rental_rate", "numeric(4,2)")
                .containsEntry("film.title", "character varying(255)")
                .containsEntry("staff.picture", "bytea")
                .containsEntry("staff.active", "boolean")
                .containsEntry("customer.active", "boolean")
                .containsEntry("address.location", "bytea")
                .containsEntry("actor.last_update", "timestamp(0) with time zone")
                .containsEntry("rental.rental_date", "timestamp(0) without time zone");
        // the notification topic appears after the sink subscribed: the consumer sees it at its next metadata refresh
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        int matching = 0;
        String stats = "";
        while (System.nanoTime() < deadline && matching != 16) {
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), sum(snapshot_rows), "
                         + "count(*) FILTER (WHERE snapshot_expected = snapshot_rows), "
                         + "string_agg(table_name || '=' || snapshot_rows || '/' || coalesce(snapshot_expected::text, '?'), ' ') "
                         + "FROM ferry.table_stats")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(16);
                assertThat(rs.getLong(2)).isEqualTo(47_273);
                matching = rs.getInt(3);
                stats = rs.getString(4);
            }
            Thread.sleep(1000);
        }
        assertThat(matching).as("tables whose rows match Debezium's TABLE_SCAN_COMPLETED count: " + stats).isEqualTo(16);
    }

    @Test
    @Order(2)
    void changesKeepTheTargetEqual() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("INSERT INTO actor (actor_id, first_name, last_name) VALUES (500, 'ZOË', 'O''Brien')");
            st.execute("UPDATE film SET title = 'ACADEMY DINOSAUR II', special_features = 'Trailers' WHERE film_id = 1");
            st.execute("UPDATE customer SET active = 0 WHERE customer_id = 2");
            // a primary-key change: Debezium emits delete(old key) + create(new key)
            st.execute("UPDATE actor SET actor_id = 501 WHERE actor_id = 500");
            st.execute("DELETE FROM payment WHERE payment_id IN (1, 2, 3)");
            st.execute("INSERT INTO category (category_id, name) VALUES (17, 'Western')");
            st.execute("DELETE FROM category WHERE category_id = 17");
            src.setAutoCommit(false);
            st.execute("INSERT INTO customer (customer_id, store_id, first_name, last_name, email, address_id, active, "
                    + "create_date) VALUES (600, 1, 'NEW', 'CUSTOMER', 'new@example.com', 1, 1, '2026-11-25 10:00:00')");
            st.execute("INSERT INTO rental (rental_id, rental_date, inventory_id, customer_id, staff_id) "
                    + "VALUES (20000, '2026-11-25 10:05:00.000000', 1, 600, 1)");
            st.execute("INSERT INTO payment (payment_id, customer_id, staff_id, rental_id, amount, payment_date) "
                    + "VALUES (20000, 600, 1, 20000, 4.99, '2026-11-25 10:06:00')");
            src.commit();
        }
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(2));
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT first_name, last_name FROM actor WHERE actor_id = 501")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ZOË");
            assertThat(rs.getString(2)).isEqualTo("O'Brien");
        }
    }

    /** The comparison that every other assertion here relies on must see a one-column difference. */
    @Test
    @Order(3)
    void comparisonDetectsATamperedTargetRow() throws Exception {
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            st.execute("UPDATE film SET rental_rate = rental_rate + 0.01 WHERE film_id = 7");
        }
        var film = pipeline.compareAll().stream().filter(c -> c.table().equals("film")).findFirst().orElseThrow();
        assertThat(film.matches()).isFalse();
        assertThat(film.different()).isEqualTo(1);
        assertThat(film.samples()).singleElement().asString().contains("rental_rate");
    }
}
