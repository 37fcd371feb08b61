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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reproducer of a source-side limitation, kept as a test so that a Debezium or driver upgrade that changes it is
 * noticed: MySQL's YEAR 0000. With the shipped source configuration the MariaDB connector's snapshot fails inside
 * mariadb-java-client (YearColumn turns 0 into the date "0-01-01", which java.sql.Date refuses): loud, nothing
 * written. With {@code driver.yearIsDateType=false} the driver returns a number and the snapshot goes through, but
 * Debezium's two-digit-year rule (0..69 -> 2000..2069, not switched off by enable.time.adjuster=false) turns 0000
 * into 2000 in the snapshot and in the binlog stream alike. The README says which to choose.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YearZeroE2ETest {

    PipelineHarness pipeline;

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("yearzero", 1);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("CREATE TABLE years (id INT PRIMARY KEY, y YEAR)");
            st.execute("INSERT INTO years VALUES (1, 0000), (2, 1901), (3, 2155), (4, NULL)");
        }
        pipeline.deploy(pipeline.sinkConnector());
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void withTheShippedSourceConfigTheSnapshotFailsLoudlyInTheDriver() throws Exception {
        ConnectorFile source = pipeline.sourceConnector();
        pipeline.deploy(source);
        String trace = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (trace == null && System.nanoTime() < deadline) {
            try {
                var status = pipeline.connect.connectorStatus(source.name());
                if (!status.tasks().isEmpty() && "FAILED".equals(status.tasks().get(0).state())) {
                    trace = status.tasks().get(0).trace();
                }
            } catch (RuntimeException e) {
                // not registered yet
            }
            Thread.sleep(500);
        }
        assertThat(trace).as("source task trace").isNotNull().contains("YearColumn").contains("java.sql.Date.valueOf");
        assertThat(rows()).isEmpty();
        pipeline.connect.deleteConnector(source.name());
    }

    @Test
    @Order(2)
    void withYearIsDateTypeOffYear0000ArrivesAs2000() throws Exception {
        ConnectorFile source = pipeline.sourceConnector().renamed(pipeline.name + "-source-2").with(Map.of(
                "driver.yearIsDateType", "false", "enable.time.adjuster", "false",
                "schema.history.internal.kafka.topic", pipeline.name + ".schema-history-2"));
        pipeline.deploy(source);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("INSERT INTO years VALUES (5, 0000), (6, 2024)");
        }
        List<String> rows = List.of();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (rows.size() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            rows = rows();
        }
        assertThat(rows).containsExactly("1:2000", "2:1901", "3:2155", "4:null", "5:2000", "6:2024");
    }

    private List<String> rows() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT id || ':' || coalesce(y::text, 'null') FROM years ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            // not created yet
        }
        return rows;
    }
}
