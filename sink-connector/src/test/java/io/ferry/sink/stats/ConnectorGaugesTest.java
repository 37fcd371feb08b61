package io.ferry.sink.stats;

import io.ferry.sink.TestPostgres;
import io.ferry.sink.state.StateSchema;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The connector-wide gauges read the state schema as the sink and `ferry verify` leave it, on a real PostgreSQL. */
class ConnectorGaugesTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final java.util.List<io.ferry.sink.events.FerryEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void parkedStoppedConstraintsAndVerificationPerTableAndBackToZero() throws Exception {
        String url = TestPostgres.newDatabaseUrl();
        try (Connection c = DriverManager.getConnection(url, TestPostgres.user(), TestPostgres.password());
             ConnectorGauges gauges = new ConnectorGauges(new StateSchema("ferry"), "gauges-sink")
                     .reportingTo(new io.ferry.sink.events.SinkEvents(events::add, "gauges-sink", 0, 0), 1, 60)) {
            new StateSchema("ferry").create(c);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO ferry.parked (connector, table_name, row_key, topic, kafka_partition, kafka_offset, op, "
                        + "key_values, parked_at) VALUES ('gauges-sink', 'rental', 'k1', 't', 0, 1, 'c', '{}', now() - interval '90 seconds'), "
                        + "('gauges-sink', 'rental', 'k2', 't', 0, 2, 'c', '{}', now()), "
                        + "('another-sink', 'rental', 'k3', 't', 0, 3, 'c', '{}', now())");
                st.execute("INSERT INTO ferry.stopped_tables (connector, table_name, column_name, target_type, ddl, reason) "
                        + "VALUES ('gauges-sink', 'widen', 'n', 'integer', 'ALTER ...', 'unsafe')");
                st.execute("INSERT INTO ferry.design_constraints (connector, target_schema, table_name, name, kind, definition, state) "
                        + "VALUES ('gauges-sink', 'public', 'rental', 'rental_fk', 'FOREIGN KEY', '...', 'WAITING'), "
                        + "('gauges-sink', 'public', 'rental', 'rental_idx', 'INDEX', '...', 'BUILT'), "
                        + "('gauges-sink', 'public', 'film', 'film_fk', 'FOREIGN KEY', '...', 'FAILED')");
                // as ferry verify leaves it
                st.execute("CREATE TABLE ferry.validation (table_name text PRIMARY KEY, target_table text, state text NOT NULL, "
                        + "mismatched bigint NOT NULL DEFAULT 0)");
                st.execute("INSERT INTO ferry.validation VALUES ('sakila.film', 'film', 'MISMATCHED', 3)");
            }
            gauges.refresh(c);
            assertThat(attr("rental", "ParkedRows")).isEqualTo(2L);
            assertThat((Long) attr("rental", "ParkedOldestSeconds")).isBetween(89L, 120L);
            assertThat(attr("rental", "ConstraintsPending")).isEqualTo(1L);
            assertThat(attr("widen", "Stopped")).isEqualTo(1);
            assertThat(attr("film", "ConstraintsFailed")).isEqualTo(1L);
            assertThat(attr("film", "ValidationMismatched")).isEqualTo(3L);
            assertThat(attr("film", "ValidationState")).isEqualTo("MISMATCHED");
            assertThat(attr("rental", "ValidationState")).isEqualTo("NONE");
            assertThat(events).extracting(e -> e.type() + " " + e.table()).containsExactlyInAnyOrder(
                    "PARKED_BACKLOG rental", "VERIFY_MISMATCHED film");
            gauges.refresh(c);
            assertThat(events).as("reported once, not at every refresh").hasSize(2);

            try (Statement st = c.createStatement()) {
                st.execute("DELETE FROM ferry.parked");
                st.execute("DELETE FROM ferry.stopped_tables");
            }
            gauges.refresh(c);
            assertThat(attr("rental", "ParkedRows")).as("a drained backlog reads 0, not its last value").isEqualTo(0L);
            assertThat(attr("widen", "Stopped")).isEqualTo(0);
            assertThat(events.get(events.size() - 1).type()).isEqualTo("PARKED_CLEARED");
        }
        assertThat(server.queryNames(new ObjectName("io.ferry:type=sink-table-state,connector=\"gauges-sink\",*"), null))
                .as("closed: unregistered").isEmpty();
    }

    private Object attr(String table, String name) throws Exception {
        return server.getAttribute(new ObjectName("io.ferry:type=sink-table-state,connector=" + ObjectName.quote("gauges-sink")
                + ",table=" + ObjectName.quote(table)), name);
    }
}
