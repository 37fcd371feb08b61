package io.ferry.it;

import io.ferry.cli.ConnectorFile;
import io.ferry.verify.TableComparator;
import io.ferry.verify.TableComparison;
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
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A column added at the source during CDC on tables of a hand-written target.ddl, under each column.add.policy (one
 * sink connector per policy, one source connector): add -> the column exists and later values equal the source;
 * ignore -> a WARN with the ALTER TABLE to run, the rows counted in table_stats.ignored_values, the values absent,
 * also after a restart; stop -> the table stops with the DDL to run, another table of the same sink flows meanwhile,
 * and it resumes once the DDL ran. A column the design left out from the start stays out under every policy.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DesignedColumnAddE2ETest {

    static final String DESIGN = "CREATE TABLE %s (id integer PRIMARY KEY, name varchar(20) NOT NULL);";

    PipelineHarness pipeline;
    LogCapture log;
    ConnectorFile add;
    ConnectorFile ignore;
    ConnectorFile stop;

    @BeforeAll
    void start() throws Exception {
        log = new LogCapture();
        pipeline = new PipelineHarness("coladd", 1);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            for (String t : new String[] {"ca_add", "ca_ignore", "ca_stop", "ca_other"}) {
                st.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, left_out VARCHAR(10))");
                st.execute("INSERT INTO " + t + " VALUES (1, 'one', 'x'), (2, 'two', 'y')");
            }
        }
        add = sink("add", "ca_add");
        ignore = sink("ignore", "ca_ignore");
        stop = sink("stop", "ca_stop", "ca_other");
        for (ConnectorFile f : new ConnectorFile[] {add, ignore, stop}) {
            pipeline.deploy(f);
        }
        pipeline.deploy(pipeline.sourceConnector());
    }

    private ConnectorFile sink(String policy, String... tables) throws Exception {
        StringBuilder ddl = new StringBuilder();
        for (String t : tables) {
            ddl.append(String.format(DESIGN, t)).append('\n');
        }
        String topics = String.join("|", java.util.Arrays.stream(tables).map(t -> pipeline.name + "\\." + t).toList());
        return pipeline.sinkConnector().renamed(pipeline.name + "-sink-" + policy).with(Map.of(
                "column.add.policy", policy, "target.ddl", ddl.toString(),
                "topics.regex", pipeline.topicPrefix.replace("-", "\\-") + "\\.(" + topics + "|notifications)"));
    }

    @AfterAll
    void stopAll() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    @Order(1)
    void theFullLoadLeavesOutWhatTheDesignLeftOut() throws Exception {
        for (String t : new String[] {"ca_add", "ca_ignore", "ca_stop", "ca_other"}) {
            awaitEqual(t, Set.of("left_out"));
        }
    }

    @Test
    @Order(2)
    void underAddTheColumnIsAddedAndLaterValuesEqualTheSource() throws Exception {
        alterAndWrite("ca_add");
        awaitEqual("ca_add", Set.of("left_out"));
        assertThat(columns("ca_add")).isEqualTo("id integer, name character varying(20), vat_id character varying(32)");
        assertThat(log.matching("Evolved target table public.ca_add", "ADD COLUMN IF NOT EXISTS \"vat_id\" varchar(32)"))
                .as("the DDL it ran is logged").hasSize(1);
    }

    @Test
    @Order(3)
    void underIgnoreTheValuesAreAbsentButWarnedAndCountedAlsoAfterARestart() throws Exception {
        alterAndWrite("ca_ignore");
        awaitEqual("ca_ignore", Set.of("left_out", "vat_id"));
        assertThat(columns("ca_ignore")).isEqualTo("id integer, name character varying(20)");
        assertThat(ignoredValues("ca_ignore")).as("an insert and an update carried a vat_id").isEqualTo(2);
        assertThat(log.matching("WARN", "ca_ignore.vat_id appeared at the source", "column.add.policy=ignore",
                "ALTER TABLE \"public\".\"ca_ignore\" ADD COLUMN IF NOT EXISTS \"vat_id\" varchar(32)")).hasSize(1);
        // the design's baseline is in PostgreSQL: after a restart vat_id is still a new column, left_out still left out
        pipeline.connect.restartConnectorAndTasks(ignore.name(), false, true, false);
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("INSERT INTO ca_ignore VALUES (4, 'four', 'w', 'VAT4')");
        }
        awaitEqual("ca_ignore", Set.of("left_out", "vat_id"));
        assertThat(ignoredValues("ca_ignore")).isEqualTo(3);
        assertThat(columns("ca_ignore")).isEqualTo("id integer, name character varying(20)");
    }

    @Test
    @Order(4)
    void underStopTheTableStopsWithTheDdlToRunOtherTablesFlowAndItResumesAfterIt() throws Exception {
        alterAndWrite("ca_stop");
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("INSERT INTO ca_other VALUES (3, 'flows meanwhile', 'z')");
        }
        String ddl = awaitValue("SELECT ddl FROM ferry.stopped_tables WHERE table_name = 'ca_stop'");
        assertThat(ddl).isEqualTo("ALTER TABLE \"public\".\"ca_stop\" ADD COLUMN IF NOT EXISTS \"vat_id\" varchar(32)");
        awaitEqual("ca_other", Set.of("left_out"));
        assertThat(awaitValue("SELECT count(*)::text FROM ca_stop")).as("nothing of ca_stop written meanwhile")
                .isEqualTo("2");
        assertThat(log.matching("STOPPED table ca_stop", "column.add.policy=stop", "ADD COLUMN IF NOT EXISTS \"vat_id\""))
                .isNotEmpty();
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            st.execute(ddl);
        }
        awaitEqual("ca_stop", Set.of("left_out"));
        assertThat(awaitValue("SELECT count(*)::text FROM ferry.stopped_tables")).isEqualTo("0");
    }

    /** ADD COLUMN at the source, then an insert and an update that fill it. */
    private void alterAndWrite(String table) throws Exception {
        try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
            st.execute("ALTER TABLE " + table + " ADD COLUMN vat_id VARCHAR(32) NULL");
            st.execute("INSERT INTO " + table + " VALUES (3, 'three', 'z', 'VAT3')");
            st.execute("UPDATE " + table + " SET vat_id = 'VAT1', name = 'uno' WHERE id = 1");
        }
    }

    private void awaitEqual(String table, Set<String> leftOut) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        TableComparison last = null;
        while (System.nanoTime() < deadline) {
            try (Connection src = pipeline.sourceDb(); Connection dst = pipeline.targetDb()) {
                last = new TableComparator().compare(src, pipeline.name, dst, "public", table, leftOut);
            }
            if (last.matches()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(table + " did not converge: " + last + "\n" + pipeline.statusSummary());
    }

    private String columns(String table) throws Exception {
        return awaitValue("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
                + "FROM pg_attribute WHERE attrelid = '" + table + "'::regclass AND attnum > 0 AND NOT attisdropped");
    }

    private long ignoredValues(String table) throws Exception {
        return Long.parseLong(awaitValue("SELECT ignored_values::text FROM ferry.table_stats WHERE table_name = '"
                + table + "' AND connector = '" + ignore.name() + "'"));
    }

    private String awaitValue(String sql) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (rs.next() && rs.getString(1) != null) {
                    return rs.getString(1);
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("nothing after 2 minutes: " + sql);
    }
}
