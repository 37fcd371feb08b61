package io.ferry.it;

import io.ferry.verify.TableComparator;
import io.ferry.verify.TableComparison;
import io.ferry.bench.ConverterDecode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The type conformance matrix: one column per MySQL type family, extreme values in each, through the real pipeline
 * in the snapshot and again through the binlog stream, compared value by value with the source. The published matrix
 * (docs/type-matrix.md) is generated from what this run observed: the column type at the source, the Debezium schema
 * in the snapshot and in the stream (read from the topic), the PostgreSQL type the sink created. The test fails when
 * the file differs from what it observed; {@code -Dferry.matrix.write=true} rewrites it.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TypeMatrixE2ETest {

    /** column -> {MySQL type, row 1 literal, row 2 literal, note}; row 3 is all NULL. */
    static final Map<String, String[]> COLUMNS = new LinkedHashMap<>();

    static {
        col("c_tinyint", "TINYINT", "-128", "127", "");
        col("c_tinyint_u", "TINYINT UNSIGNED", "0", "255", "");
        col("c_smallint", "SMALLINT", "-32768", "32767", "");
        col("c_smallint_u", "SMALLINT UNSIGNED", "0", "65535", "");
        col("c_mediumint", "MEDIUMINT", "-8388608", "8388607", "");
        col("c_mediumint_u", "MEDIUMINT UNSIGNED", "0", "16777215", "");
        col("c_int", "INT", "-2147483648", "2147483647", "");
        col("c_int_u", "INT UNSIGNED", "0", "4294967295", "");
        col("c_bigint", "BIGINT", "-9223372036854775808", "9223372036854775807", "");
        col("c_bigint_u", "BIGINT UNSIGNED", "0", "18446744073709551615",
                "exact with bigint.unsigned.handling.mode=precise; `long` mode is refused by the sink");
        col("c_bool", "TINYINT(1)", "0", "1", "boolean with tinyint1.as.boolean=true (default), else smallint");
        col("c_bit1", "BIT(1)", "b'0'", "b'1'", "");
        col("c_bit12", "BIT(12)", "b'101010101010'", "b'000000000001'", "");
        col("c_year", "YEAR", "1901", "2155", "YEAR 0000 fails Debezium's MariaDB snapshot, or arrives as 2000 with driver.yearIsDateType=false: YearZeroE2ETest");
        col("c_dec", "DECIMAL(10,2)", "-99999999.99", "0.01", "exact with decimal.handling.mode=precise");
        col("c_dec65", "DECIMAL(65,30)", "'12345678901234567890123456789012345.123456789012345678901234567890'",
                "'-0.000000000000000000000000000001'", "65 digits exact");
        col("c_float", "FLOAT", "1.5", "-3.25", "");
        col("c_double", "DOUBLE", "1.7976931348623157e308", "-2.2250738585072014e-308", "MySQL stores no NaN/Infinity");
        col("c_char", "CHAR(10)", "'abc'", "''", "length kept");
        col("c_varchar", "VARCHAR(100)", "'Zoë 😀 \"q\"'", "'tab\\there'", "length kept; utf8mb4");
        col("c_text", "TEXT", "CONCAT('nul', CHAR(0), 'byte')", "''", "NUL bytes: text.nul.policy (strip, counted)");
        col("c_mediumtext", "MEDIUMTEXT", "REPEAT('m', 70000)", "'m'", "");
        col("c_longtext", "LONGTEXT", "REPEAT('0123456789', 300000)", "'l'", "3 MB value");
        col("c_binary", "BINARY(4)", "x'00FF0102'", "x'00000000'", "");
        col("c_varbinary", "VARBINARY(16)", "x'DEADBEEF'", "x''", "");
        col("c_blob", "BLOB", "x'000102FF'", "x''", "");
        col("c_date", "DATE", "'1000-01-01'", "'9999-12-31'", "zero dates: NULL, or the epoch in NOT NULL columns (HostileValuesE2ETest)");
        col("c_datetime", "DATETIME", "'1970-01-01 00:00:00'", "'9999-12-31 23:59:59'", "no time zone: timestamp");
        col("c_datetime6", "DATETIME(6)", "'2024-02-29 12:34:56.123456'", "'1000-01-01 00:00:00.000001'", "");
        col("c_timestamp3", "TIMESTAMP(3) NULL", "'1970-01-01 00:00:01.000'", "'2038-01-19 03:14:07.999'",
                "UTC instant: timestamptz");
        col("c_time", "TIME", "'-838:59:59'", "'838:59:59'", "beyond a day and negative: interval");
        col("c_time6", "TIME(6)", "'00:00:00.000001'", "'25:30:00.5'", "");
        col("c_enum", "ENUM('small','medium','large')", "'small'", "'large'",
                "CHECK (c IN allowed values, and '' MySQL stores for invalid ones); enum.mode=type: a PostgreSQL enum type; enum.mode=text: plain text");
        col("c_set", "SET('a','b','c')", "'a,c'", "''", "");
        col("c_json", "JSON", "'{\"k\": [1, 2, {\"n\": null}]}'", "'[]'",
                "MariaDB stores JSON as LONGTEXT, so text; MySQL JSON (io.debezium.data.Json) becomes jsonb; "
                        + "declare jsonb with json.columns (or target.ddl) for MariaDB");
        col("c_point", "POINT", "ST_GeomFromText('POINT(1 2)')", "ST_GeomFromText('POINT(-0.5 10000000000)')",
                "geometry.format: auto = PostGIS geometry when the extension is installed, else WKB bytea (as here); "
                        + "wkt = text");
        col("c_geometry", "GEOMETRY", "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326)",
                "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))')", "SRID kept in postgis and wkt (EWKT)");
        col("c_gen_stored", "BIGINT AS (c_int DIV 2) STORED", "DEFAULT", "DEFAULT", "generated columns arrive as values "
                + "and land in a plain column");
        col("c_gen_virtual", "VARCHAR(20) AS (CONCAT('v', c_tinyint)) VIRTUAL", "DEFAULT", "DEFAULT", "");
    }

    static void col(String name, String type, String v1, String v2, String note) {
        COLUMNS.put(name, new String[] {type, v1, v2, note});
    }

    PipelineHarness pipeline;

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("types", 1);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            StringJoiner cols = new StringJoiner(", ", "CREATE TABLE type_matrix (id INT PRIMARY KEY, ", ") DEFAULT CHARSET=utf8mb4");
            COLUMNS.forEach((name, c) -> cols.add(name + " " + c[0]));
            st.execute(cols.toString());
            insertRows(st, 0);
        }
        pipeline.deploy(pipeline.sinkConnector());
        pipeline.deploy(pipeline.sourceConnector().with(Map.of("table.include.list", pipeline.name + ".type_matrix")));
    }

    static void insertRows(Statement st, int idBase) throws Exception {
        for (int row = 1; row <= 3; row++) {
            StringJoiner values = new StringJoiner(", ", "INSERT INTO type_matrix VALUES (" + (idBase + row) + ", ", ")");
            for (String[] c : COLUMNS.values()) {
                values.add(row == 3 ? (c[1].equals("DEFAULT") ? "DEFAULT" : "NULL") : c[row]);
            }
            st.execute(values.toString());
        }
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void snapshotRowsArriveExact() throws Exception {
        awaitEqual(3);
    }

    @Test
    @Order(2)
    void streamedRowsArriveExact() throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            insertRows(st, 100);
            st.execute("UPDATE type_matrix SET c_varchar = 'updated', c_bool = 1 - c_bool WHERE id IN (1, 101)");
        }
        awaitEqual(6);
    }

    @Test
    @Order(3)
    void publishedMatrixIsWhatThisRunObserved() throws Exception {
        String topic = pipeline.topicPrefix + "." + pipeline.name + ".type_matrix";
        Map<String, String> snapshot = new LinkedHashMap<>();
        Map<String, String> stream = new LinkedHashMap<>();
        // the shipped source writes Ferry's binary format: read it back as a sink would, through the converter
        Converter converter = ConverterDecode.binary(TestServers.pluginPath());
        for (ConsumerRecord<byte[], byte[]> r : pipeline.connect.kafka().consume(7, 60_000, topic)) {
            if (r.value() == null) {
                continue;
            }
            SchemaAndValue v = converter.toConnectData(topic, r.value());
            String op = ((Struct) v.value()).getString("op");
            Map<String, String> into = op.equals("r") ? snapshot : op.equals("c") ? stream : null;
            if (into == null) {
                continue;
            }
            for (Field f : v.schema().field("after").schema().fields()) {
                Schema s = f.schema();
                into.put(f.name(), jsonTypeName(s.type()) + (s.name() != null ? " " + s.name() : ""));
            }
        }
        Map<String, String> pgTypes = new LinkedHashMap<>();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                     + "WHERE attrelid = 'type_matrix'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            while (rs.next()) {
                pgTypes.put(rs.getString(1), rs.getString(2));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Type conformance matrix\n\n")
                .append("Generated by `TypeMatrixE2ETest` from what one run observed on MariaDB 11.4 -> Debezium 3.5 ")
                .append("(`connectors/mariadb-source.json`) -> Ferry sink -> PostgreSQL 17: each value below went ")
                .append("through the snapshot and again through the binlog stream and was compared with the source ")
                .append("value by value. Values: the test's extremes (min/max of every integer width, 65-digit ")
                .append("decimals, emoji, NUL bytes, a 3 MB text, TIME beyond a day, negative TIME, all NULL). ")
                .append("Regenerate with `mvn verify -pl ferry-cli -Dit.test=TypeMatrixE2ETest -Dferry.matrix.write=true`.\n\n")
                .append("| MySQL type | Debezium schema (snapshot) | Debezium schema (stream) | PostgreSQL type | notes |\n")
                .append("|---|---|---|---|---|\n");
        COLUMNS.forEach((name, c) -> md.append("| `").append(c[0]).append("` | `").append(snapshot.get(name))
                .append("` | ").append(stream.get(name).equals(snapshot.get(name)) ? "same" : "`" + stream.get(name) + "`")
                .append(" | `").append(pgTypes.get(name)).append("` | ").append(c[3]).append(" |\n"));
        Path file = Path.of(System.getProperty("ferry.project.dir", "..")).resolve("docs/type-matrix.md");
        if (Boolean.getBoolean("ferry.matrix.write")) {
            Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(missing)")
                .as("docs/type-matrix.md is what this run observed; rerun with -Dferry.matrix.write=true")
                .isEqualTo(md.toString());
    }

    @Test
    @Order(4)
    void ferryVerifyValidatesEveryTypeAndFindsAChangedValueInEachFamily() throws Exception {
        List<io.ferry.verify.TableResult> clean = pipeline.verify();
        io.ferry.verify.TableResult matrix = clean.stream().filter(r -> r.table().equals("type_matrix")).findFirst().orElseThrow();
        assertThat(matrix.state()).as(io.ferry.verify.VerifyReport.table(clean)).isEqualTo(io.ferry.verify.TableResult.State.VALIDATED);
        StringJoiner set = new StringJoiner(", ");
        COLUMNS.keySet().forEach(c -> set.add("\"" + c + "\" = s.\"" + c + "\""));
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            // every column of row 1 takes row 2's value: one changed value per type family
            st.execute("UPDATE type_matrix t SET " + set + " FROM type_matrix s WHERE t.id = 1 AND s.id = 2");
            // the streamed update made row 1's c_bool equal to row 2's: change it on its own
            st.execute("UPDATE type_matrix SET c_bool = NOT c_bool WHERE id = 1");
            // a NULL that should be a value (row 3 is all NULL at the source)
            st.execute("UPDATE type_matrix SET c_text = 'not null' WHERE id = 3");
        }
        List<io.ferry.verify.TableResult> planted = pipeline.verify();
        matrix = planted.stream().filter(r -> r.table().equals("type_matrix")).findFirst().orElseThrow();
        List<String> found = matrix.differences().stream().map(d -> d.printableKey() + " " + d.kind() + " " + d.column()).toList();
        List<String> expected = new ArrayList<>();
        COLUMNS.keySet().forEach(c -> expected.add("[1] VALUE_DIFFERS " + c));
        expected.add("[3] VALUE_DIFFERS c_text");
        assertThat(found).as(io.ferry.verify.VerifyReport.table(planted)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(matrix.mismatched()).isEqualTo(2);
    }

    private void awaitEqual(int rows) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        TableComparison last = null;
        while (System.nanoTime() < deadline) {
            try (Connection src = pipeline.sourceDb(); Connection dst = pipeline.targetDb()) {
                last = new TableComparator().compare(src, pipeline.name, dst, "public", "type_matrix");
            } catch (java.sql.SQLException e) {
                last = TableComparison.failed("type_matrix", e.getMessage());
            }
            if (last.matches() && last.sourceRows() == rows) {
                return;
            }
            if (pipeline.statusSummary().contains("=FAILED")) {
                break;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("type_matrix did not converge: " + last + "\n" + pipeline.statusSummary());
    }

    /** Connect's type as its JSON converter names it in a schema, the names this matrix has always shown. */
    static String jsonTypeName(Schema.Type type) {
        return switch (type) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            default -> type.getName();
        };
    }
}
