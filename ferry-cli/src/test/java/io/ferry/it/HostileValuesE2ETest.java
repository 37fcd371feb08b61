package io.ferry.it;

import io.ferry.cli.ConnectorFile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values and names that break other tools, through the real pipeline in the snapshot and in the stream: a
 * reserved-word, mixed-case table and column, utf8mb4 emoji, NUL bytes, BIGINT UNSIGNED max, zero dates, TIME
 * beyond a day and negative, DECIMAL(65,30), tinyint(1); an ALTER TABLE ADD COLUMN with a default during CDC; and
 * a poison record that goes to the dead-letter queue with its facts while everything else keeps flowing.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileValuesE2ETest {

    static final String PLACE = "INSERT INTO places VALUES ";
    static final String INSERT = "INSERT INTO `Order` (`Id`, `Select`, body, big, d, dt, t, flag, price, f, j) VALUES ";

    PipelineHarness pipeline;
    ConnectorFile sink;

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("hostile", 1);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("SET SESSION sql_mode = ''");
            st.execute("CREATE TABLE `Order` (`Id` BIGINT UNSIGNED NOT NULL PRIMARY KEY, `Select` VARCHAR(50), "
                    + "body TEXT, big BIGINT UNSIGNED, d DATE NULL, dt DATETIME(6) NULL, t TIME(3), flag TINYINT(1), "
                    + "price DECIMAL(65,30), f DOUBLE, j JSON) DEFAULT CHARSET=utf8mb4");
            st.execute(INSERT + "(18446744073709551615, 'Zoë 😀 \"quoted\"', CONCAT('a', CHAR(0), 'b'), "
                    + "18446744073709551615, '0000-00-00', '0000-00-00 00:00:00', '838:59:59.999', 1, "
                    + "'12345678901234567890123456789012345.123456789012345678901234567890', 1.5e300, '{\"a\": [1, 2]}')");
            st.execute(INSERT + "(1, 'tab\\there\\nnewline\\\\back', '', 0, '2024-02-29', '1970-01-01 00:00:00.000001', "
                    + "'-12:00:00.5', 0, '-0.000000000000000000000000000001', -0.0, 'null')");
            st.execute("CREATE TABLE poison (id INT PRIMARY KEY, v VARCHAR(10))");
            st.execute("INSERT INTO poison VALUES (1, 'ok'), (2, 'xyzzy9'), (3, 'ok')");
            // NOT NULL zero and partial-zero dates: Debezium sends the epoch (it has no NULL to send); the task lives on
            st.execute("CREATE TABLE zero_dates (id INT PRIMARY KEY, d DATE NOT NULL, dt DATETIME(3) NOT NULL, "
                    + "dn DATE NULL)");
            st.execute("INSERT INTO zero_dates VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '2024-00-10'), "
                    + "(2, '2024-02-00', '2024-01-01 12:00:00.5', '0000-00-00'), (3, '1970-01-01', '1999-12-31 23:59:59.999', NULL)");
            // collation: under a NO PAD binary collation 'a', 'a ' and 'A' are three keys; under the default
            // case-insensitive one an update from 'k' to 'K' changes the key
            st.execute("CREATE TABLE nopad_keys (k VARCHAR(10) COLLATE utf8mb4_nopad_bin PRIMARY KEY, v INT)");
            st.execute("INSERT INTO nopad_keys VALUES ('a', 1), ('a ', 2), ('A', 3), (' a', 4)");
            st.execute("CREATE TABLE ci_keys (k VARCHAR(10) PRIMARY KEY, v INT)");
            st.execute("INSERT INTO ci_keys VALUES ('k', 1), ('Straße', 2)");
            st.execute("CREATE TABLE places (id INT PRIMARY KEY, p POINT, g GEOMETRY, j JSON)");
            st.execute(PLACE + "(1, ST_GeomFromText('POINT(1.5 -2)'), ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),"
                    + "(2 2,3 2,3 3,2 2))', 4326), '{\"a\": [1, {\"b\": null}], \"é\": \"😀\"}')");
        }
        // the target of poison is the user's design, narrower than the source: one row cannot fit
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            st.execute("CREATE TABLE poison (id integer PRIMARY KEY, v varchar(3))");
        }
        sink = pipeline.sinkConnector();
        // MariaDB's JSON is LONGTEXT on the wire: declared jsonb here; geometries as WKT text (no PostGIS here)
        sink = sink.with(Map.of("json.columns", "places.j", "geometry.format", "wkt"));
        pipeline.deploy(sink);
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
    void snapshotDeliversEveryHostileValue() throws Exception {
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(4), "poison", "places");
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"Select\", body, big::text, d, dt, t::text, flag, price::text, "
                     + "nul_stripped FROM \"Order\", ferry.table_stats WHERE \"Id\" = 18446744073709551615 "
                     + "AND table_name = 'Order'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Zoë 😀 \"quoted\"");
            assertThat(rs.getString(2)).isEqualTo("ab");
            assertThat(rs.getString(3)).isEqualTo("18446744073709551615");
            assertThat(rs.getObject(4)).isNull();
            assertThat(rs.getObject(5)).isNull();
            assertThat(rs.getString(6)).isEqualTo("838:59:59.999");
            assertThat(rs.getBoolean(7)).isTrue();
            assertThat(rs.getString(8)).isEqualTo("12345678901234567890123456789012345.123456789012345678901234567890");
            assertThat(rs.getLong(9)).isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    void streamingDeliversThemTooAndAnAddedColumnKeepsItsDefault() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("SET SESSION sql_mode = ''");
            st.execute(INSERT + "(2, '日本語 🚀', CONCAT(CHAR(0), 'x', CHAR(0)), 9223372036854775808, '0000-00-00', "
                    + "'2038-01-19 03:14:08.123456', '-838:59:59', 1, '0.5', 2.5, '[]')");
            st.execute("UPDATE `Order` SET `Select` = 'ünïcödé' WHERE `Id` = 1");
            st.execute("ALTER TABLE `Order` ADD COLUMN note VARCHAR(20) NOT NULL DEFAULT 'n/a'");
            st.execute(INSERT.replace(", j)", ", j, note)") + "(3, 'after alter', 'x', 3, '2026-11-25', NULL, "
                    + "'00:00:01', 0, '1', 1, '{}', 'noted')");
            st.execute("DELETE FROM `Order` WHERE `Id` = 1");
            st.execute("INSERT INTO poison VALUES (4, 'ok'), (5, 'plugh9'), (6, 'ok')");
            st.execute("INSERT INTO zero_dates VALUES (4, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00')");
            st.execute("UPDATE ci_keys SET k = 'K' WHERE k = 'k'");
            st.execute("INSERT INTO nopad_keys VALUES ('b ', 5), ('B', 6)");
        }
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(3), "poison", "places");
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM poison ORDER BY id")) {
            StringBuilder ids = new StringBuilder();
            while (rs.next()) {
                ids.append(rs.getInt(1)).append(' ');
            }
            assertThat(ids.toString().trim()).isEqualTo("1 3 4 6");
        }
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT string_agg(id || '=' || d || '/' || dt || '/' || coalesce(dn::text, "
                     + "'null'), ' ' ORDER BY id) FROM zero_dates), (SELECT string_agg('[' || k || ']', '' ORDER BY v) "
                     + "FROM nopad_keys), (SELECT string_agg(k, ',' ORDER BY v) FROM ci_keys)")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("1=1970-01-01/1970-01-01 00:00:00/null 2=1970-01-01/2024-01-01 12:00:00.5/null "
                    + "3=1970-01-01/1999-12-31 23:59:59.999/null 4=1970-01-01/1970-01-01 00:00:00/null");
            assertThat(rs.getString(2)).isEqualTo("[a][a ][A][ a][b ][B]");
            assertThat(rs.getString(3)).isEqualTo("K,Straße");
        }
    }

    @Test
    @Order(4)
    void columnsWidenedAtTheSourceAreWidenedInPlaceWhileOtherTablesFlow() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("CREATE TABLE widen (id INT PRIMARY KEY, n INT, s VARCHAR(20), d DECIMAL(6,2))");
            st.execute("INSERT INTO widen VALUES (1, 2147483647, 'twenty characters!!!', 9999.99)");
        }
        awaitRows("widen", 1);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("ALTER TABLE widen MODIFY n BIGINT, MODIFY s VARCHAR(200), MODIFY d DECIMAL(12,4)");
            st.execute("INSERT INTO widen VALUES (2, 9223372036854775807, REPEAT('w', 200), 12345678.1234)");
            st.execute("UPDATE `Order` SET `Select` = 'flows meanwhile' WHERE `Id` = 2");
        }
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(2), "poison", "places");
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' "
                     + "ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'widen'::regclass AND attnum > 0")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("id integer, n bigint, s character varying(200), d numeric(12,4)");
        }
    }

    @Test
    @Order(5)
    void anUnsafeChangeStopsOnlyThatTableUntilTheNamedDdlIsRun() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("ALTER TABLE widen MODIFY n VARCHAR(30)");
            st.execute("INSERT INTO widen VALUES (3, 'three', 's', 1.5)");
            st.execute("UPDATE `Order` SET `Select` = 'flows while widen is stopped' WHERE `Id` = 2");
        }
        String ddl = await("the stop of widen", "SELECT ddl FROM ferry.stopped_tables WHERE table_name = 'widen'");
        assertThat(ddl).isEqualTo("ALTER TABLE \"public\".\"widen\" ALTER COLUMN \"n\" TYPE varchar(30) USING \"n\"::varchar(30)");
        await("Order flowing meanwhile", "SELECT 1 FROM \"Order\" WHERE \"Select\" = 'flows while widen is stopped'");
        assertThat(await("widen's rows", "SELECT count(*)::text FROM widen")).isEqualTo("2");
        try (Connection pg = pipeline.targetDb()) {
            assertThat(io.ferry.cli.TargetStats.read(pg, "ferry", sink.name()).get("widen").phase()).isEqualTo("STOPPED");
        }
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            st.execute(ddl);
        }
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(2), "poison", "places");
        assertThat(await("stops left", "SELECT count(*)::text FROM ferry.stopped_tables")).isEqualTo("0");
    }

    @Test
    @Order(6)
    void geometriesLandAsWktWithTheirSridAndMariadbJsonAsJsonbInSnapshotAndStream() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute(PLACE + "(2, ST_GeomFromText('POINT(0.1 100000)'), ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),"
                    + "LINESTRING(0 0,1 1))'), '[]')");
            st.execute(PLACE + "(3, NULL, ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))', 3857), "
                    + "'{\"n\": 1.50}')");
        }
        assertThat(await("streamed places", "SELECT id FROM places WHERE id = 3")).isEqualTo("3");
        Map<Integer, String> expected = new HashMap<>();
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, ST_AsText(p), ST_SRID(g), ST_AsText(g), j FROM places")) {
            while (rs.next()) {
                int srid = rs.getInt(3);
                expected.put(rs.getInt(1), rs.getString(2) + " | " + (srid != 0 ? "SRID=" + srid + ";" : "")
                        + rs.getString(4) + " | " + rs.getString(5));
            }
        }
        Map<Integer, String> actual = new HashMap<>();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, p, g, j::text, pg_typeof(j)::text, "
                     + "(SELECT string_agg(data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                     + "WHERE table_name = 'places') FROM places")) {
            while (rs.next()) {
                assertThat(rs.getString(6)).isEqualTo("integer,text,text,jsonb");
                actual.put(rs.getInt(1), rs.getString(2) + " | " + rs.getString(3) + " | " + rs.getString(4));
            }
        }
        assertThat(actual).hasSize(3);
        for (var e : expected.entrySet()) {
            // JSON compared as PostgreSQL normalises it: the source's text parsed as jsonb
            String[] parts = e.getValue().split(" \\| ", 3);
            String json;
            try (Connection pg = pipeline.targetDb(); java.sql.PreparedStatement ps = pg.prepareStatement("SELECT ?::jsonb::text")) {
                ps.setString(1, parts[2]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    json = rs.getString(1);
                }
            }
            assertThat(actual.get(e.getKey())).as("place " + e.getKey()).isEqualTo(parts[0] + " | " + parts[1] + " | " + json);
        }
    }

    @Test
    @Order(7)
    void aColumnRenamedAtTheSourceIsRenamedInTheTargetKeepingItsValues() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("ALTER TABLE widen RENAME COLUMN s TO label");
            st.execute("INSERT INTO widen VALUES (4, '4', 'renamed', 2.5)");
        }
        // the comparison is by column name: every row's value must now be under "label", none left behind in "s"
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(2), "poison", "places");
        assertThat(await("widen's columns", "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
                + "WHERE attrelid = 'widen'::regclass AND attnum > 0 AND NOT attisdropped")).isEqualTo("id,n,label,d");
    }

    /** The first value of the query's first row, once there is one. */
    private String await(String what, String sql) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError(what + ": nothing after 2 minutes: " + sql);
    }

    private void awaitRows(String table, int rows) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
                rs.next();
                if (rs.getInt(1) >= rows) {
                    return;
                }
            } catch (java.sql.SQLException e) {
                // not created yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(table + " did not reach " + rows + " rows");
    }

    @Test
    @Order(3)
    void poisonRecordsAreInTheDeadLetterQueueWithTheirFacts() throws Exception {
        String dlq = sink.config().get("errors.deadletterqueue.topic.name");
        ConsumerRecords<byte[], byte[]> records = pipeline.connect.kafka().consume(2, 60_000, dlq);
        assertThat(records.count()).isEqualTo(2);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Map<String, String> h = new HashMap<>();
            for (Header header : r.headers()) {
                h.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
            }
            assertThat(h.get("__connect.errors.topic")).endsWith(".poison");
            assertThat(h).containsKeys("__connect.errors.partition", "__connect.errors.offset");
            assertThat(h.get("__connect.errors.exception.message")).contains(sink.name(), "\"poison\"", "SQLState 22001")
                    .containsAnyOf("id=2", "id=5").doesNotContain("xyzzy9").doesNotContain("plugh9");
        }
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT bad_records FROM ferry.table_stats WHERE table_name = 'poison'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(2);
        }
    }
}
