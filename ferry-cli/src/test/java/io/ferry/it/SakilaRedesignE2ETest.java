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

    /** How this redesign's surrogate key column is corrupted (uuid keys here; bigint keys in the subclasses). */
    String corruptSurrogateKeySql() {
        return "id = gen_random_uuid()";
    }

    @Test
    @Order(20)
    void ferryVerifyValidatesEveryTableThenFindsEachPlantedCorruptionAndNothingElseWhileCdcFlows() throws Exception {
        long t0 = System.nanoTime();
        List<io.ferry.verify.TableResult> clean = pipeline.verify();
        System.out.printf("ferry verify, no differences, %.1f s:%n%s", (System.nanoTime() - t0) / 1e9,
                io.ferry.verify.VerifyReport.table(clean));
        assertThat(clean).as("tables verified").hasSize(io.ferry.embedded.Sakila.TABLE_COUNT);
        assertThat(clean).as(io.ferry.verify.VerifyReport.table(clean)).allMatch(io.ferry.verify.TableResult::validated);

        java.util.Set<String> expected = new java.util.TreeSet<>();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            int freeActor;
            try (ResultSet rs = st.executeQuery("SELECT min(actor_id) FROM actor a WHERE NOT EXISTS (SELECT 1 FROM "
                    + "film_actor x WHERE x.film_id = 23 AND x.actor_id = a.actor_id)")) {
                rs.next();
                freeActor = rs.getInt(1);
            }
            int category;
            try (ResultSet rs = st.executeQuery("SELECT category_id FROM film_category WHERE film_id = 1")) {
                rs.next();
                category = rs.getInt(1);
            }
            // natural-key columns that no longer match the row's surrogate key: the same row, another actor_id
            st.execute("UPDATE film_actor SET actor_id = " + freeActor + " WHERE actor_id = 1 AND film_id = 23");
            expected.add("film_actor [1, 23] VALUE_DIFFERS actor_id");
            st.execute("UPDATE film_category SET " + corruptSurrogateKeySql() + " WHERE film_id = 1");
            expected.add("film_category [1, " + category + "] VALUE_DIFFERS id");
            st.execute("UPDATE payment SET amount = amount + 1 WHERE payment_id = 7");
            expected.add("payment [7] VALUE_DIFFERS amount");
            st.execute("DELETE FROM payment WHERE payment_id = 8");
            expected.add("payment [8] MISSING_IN_TARGET null");
            st.execute("INSERT INTO category (category_id, name, last_update) VALUES (99, 'Planted', now())");
            expected.add("category [99] EXTRA_IN_TARGET null");
            st.execute("UPDATE customer SET email = NULL WHERE customer_id = 5");
            expected.add("customer [5] VALUE_DIFFERS email");
            st.execute("UPDATE customer SET active = NOT active WHERE customer_id = 6");
            expected.add("customer [6] VALUE_DIFFERS active");
            st.execute("UPDATE language SET name = left(name, 1) WHERE language_id = 2");
            expected.add("language [2] VALUE_DIFFERS name");
            st.execute("UPDATE film SET title = title || 'x' WHERE film_id = 10");
            expected.add("film [10] VALUE_DIFFERS title");
            st.execute("UPDATE film SET rental_rate = rental_rate + 1 WHERE film_id = 11");
            expected.add("film [11] VALUE_DIFFERS rental_rate");
            st.execute("UPDATE film SET release_year = release_year - 1 WHERE film_id = 12");
            expected.add("film [12] VALUE_DIFFERS release_year");
            st.execute("UPDATE film SET special_features = special_features || 'Trailers'::text WHERE film_id = 13");
            expected.add("film [13] VALUE_DIFFERS special_features");
            st.execute("UPDATE film SET rating = CASE WHEN rating = 'G' THEN 'PG' ELSE 'G' END WHERE film_id = 14");
            expected.add("film [14] VALUE_DIFFERS rating");
            st.execute("UPDATE film SET last_update = last_update + interval '1 second' WHERE film_id = 15");
            expected.add("film [15] VALUE_DIFFERS last_update");
            st.execute("UPDATE rental SET rental_date = rental_date + interval '1 second' WHERE rental_id = 20");
            expected.add("rental [20] VALUE_DIFFERS rental_date");
            st.execute("UPDATE staff SET picture = decode('00', 'hex') WHERE staff_id = 1");
            expected.add("staff [1] VALUE_DIFFERS picture");
            st.execute("UPDATE address SET location = decode('00', 'hex') WHERE address_id = 5");
            expected.add("address [5] VALUE_DIFFERS location");
        }
        // CDC meanwhile, on other rows: in-flight changes must not be reported once they have landed
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        Thread cdc = new Thread(() -> {
            try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
                for (int i = 0; writing.get(); i++) {
                    st.execute("UPDATE inventory SET last_update = NOW() WHERE inventory_id = " + (100 + i % 400));
                    st.execute("UPDATE rental SET return_date = NOW() WHERE rental_id = " + (1000 + i % 500));
                    st.execute("INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES "
                            + "(1, 1, 1000, 0.99, NOW())");
                    changes.addAndGet(3);
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        cdc.start();
        List<io.ferry.verify.TableResult> planted;
        try {
            Thread.sleep(1000);
            planted = pipeline.verify();
        } finally {
            writing.set(false);
            cdc.join();
        }
        java.util.Set<String> found = new java.util.TreeSet<>();
        for (io.ferry.verify.TableResult r : planted) {
            r.differences().forEach(d -> found.add(r.table() + " " + d.printableKey() + " " + d.kind() + " " + d.column()));
        }
        String report = io.ferry.verify.VerifyReport.table(planted);
        System.out.println("ferry verify with " + expected.size() + " planted differences and " + changes.get()
                + " source changes meanwhile:\n" + report);
        assertThat(changes.get()).as("CDC ran during the verify").isGreaterThan(30);
        assertThat(found).as(report).isEqualTo(expected);
        for (io.ferry.verify.TableResult r : planted) {
            boolean hasPlant = expected.stream().anyMatch(e -> e.startsWith(r.table() + " "));
            assertThat(r.state()).as(r.table() + "\n" + report).isEqualTo(hasPlant
                    ? io.ferry.verify.TableResult.State.MISMATCHED : io.ferry.verify.TableResult.State.VALIDATED);
        }
    }

    /**
     * Whether this variant runs the reload test: the hand-written target design does (bigint registry keys for the
     * join tables, natural keys elsewhere); uuid keys are reloaded in the fault matrix (a worker killed mid-reload).
     */
    boolean reloadsDriftedTables() {
        return false;
    }

    /** The tables the verify test above left with planted differences that a reload can repair. */
    static final List<String> DRIFTED = List.of("film_actor", "payment", "category", "customer", "film");

    @Test
    @Order(30)
    void reloadingDriftedTablesWhileCdcWritesEndsEqualWithStableKeysAndNothingElseStopped() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(reloadsDriftedTables(), "run on the hand-written design only (CI time)");
        // more drift in payment: rows missing, rows the source never had, values changed
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            st.execute("DELETE FROM payment WHERE payment_id BETWEEN 100 AND 104");
            st.execute("INSERT INTO payment SELECT " + phantomPaymentColumns() + " FROM payment WHERE payment_id BETWEEN 110 AND 112");
            st.execute("UPDATE payment SET amount = amount + 5 WHERE payment_id BETWEEN 200 AND 204");
        }
        List<String> keysBefore = strings("SELECT id::text FROM film_actor ORDER BY 1");
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        Thread cdc = new Thread(() -> {
            try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
                for (int i = 0; writing.get(); i++) {
                    st.execute("UPDATE payment SET amount = amount + 0.01 WHERE payment_id = " + (1000 + i % 300));
                    st.execute("INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES "
                            + "(2, 1, 1001, 1.99, NOW())");
                    st.execute("DELETE FROM payment WHERE payment_id = " + (3000 + i));
                    st.execute("UPDATE inventory SET last_update = NOW() WHERE inventory_id = " + (100 + i % 400));
                    changes.addAndGet(4);
                    Thread.sleep(25);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        cdc.start();
        long t0 = System.nanoTime();
        int exit;
        try {
            Thread.sleep(500);
            String sink = pipeline.name + "-sink";
            exit = io.ferry.cli.Ferry.execute("reload", String.join(",", DRIFTED), "--connect",
                    pipeline.connect.endpointForResource("").replaceAll("/$", ""), "--connector", sink,
                    "--source-connector", pipeline.name + "-source", "--bootstrap", pipeline.connect.kafka().bootstrapServers(),
                    "--target", pipeline.pgUrl, "--target-user", TestServers.pgUser(), "--target-password",
                    TestServers.pgPassword(), "--timeout-seconds", "300");
        } finally {
            writing.set(false);
            cdc.join();
        }
        System.out.printf("ferry reload of %d tables with %d source changes meanwhile: %.1f s%n", DRIFTED.size(),
                changes.get(), (System.nanoTime() - t0) / 1e9);
        assertThat(exit).as("ferry reload's exit code").isZero();
        assertThat(changes.get()).as("CDC ran during the reload").isGreaterThan(40);
        assertThat(strings("SELECT string_agg(table_name || ' ' || state || ' ' || coalesce(rows_swept, 0), ', ' "
                + "ORDER BY table_name) FROM ferry.reloads WHERE state <> 'DONE'")).as("reloads not DONE").containsExactly((String) null);
        assertThat(strings("SELECT count(*) FROM payment WHERE payment_id > 900000")).as("phantoms swept").containsExactly("0");
        assertThat(strings("SELECT count(*) FROM category WHERE category_id = 99")).as("phantom category swept").containsExactly("0");
        List<io.ferry.verify.TableResult> after = pipeline.verify();
        String report = io.ferry.verify.VerifyReport.table(after);
        System.out.println("ferry verify after the reload:\n" + report);
        for (io.ferry.verify.TableResult r : after) {
            if (DRIFTED.contains(r.table())) {
                assertThat(r.state()).as(r.table() + "\n" + report).isEqualTo(io.ferry.verify.TableResult.State.VALIDATED);
            }
        }
        assertThat(strings("SELECT id::text FROM film_actor ORDER BY 1")).as("surrogate keys kept by the reload")
                .isEqualTo(keysBefore);
        assertThat(strings("SELECT count(*) FROM ferry.stopped_tables")).containsExactly("0");
        assertThat(strings("SELECT count(*) FROM ferry.parked")).containsExactly("0");
        awaitValidatedForeignKeys(expectedForeignKeys(), Duration.ofSeconds(30));
    }

    /** A phantom copy of a payment row under a key the source never had. */
    String phantomPaymentColumns() throws Exception {
        List<String> cols = strings("SELECT string_agg(CASE WHEN attname = 'payment_id' THEN 'payment_id + 900000' "
                + "ELSE quote_ident(attname) END, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'payment'::regclass "
                + "AND attnum > 0 AND NOT attisdropped");
        return cols.get(0);
    }

    List<String> strings(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
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
