package io.ferry.it;

import io.ferry.cli.ConnectClient;
import io.ferry.cli.ConnectorFile;
import io.ferry.cli.ConnectorValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The connector JSON in connectors/ against Connect's PUT /connector-plugins/{class}/config/validate. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectorJsonValidationE2ETest {

    PipelineHarness pipeline;
    ConnectorValidator validator;

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("validate", 1);
        validator = new ConnectorValidator(new ConnectClient(URI.create(pipeline.connect.endpointForResource(""))));
    }

    @AfterAll
    void stop() {
        pipeline.close();
    }

    @Test
    void sinkAndMariaDbSourceAreValidAgainstRunningServers() throws Exception {
        assertThat(validator.validate(pipeline.sinkConnector())).isEmpty();
        assertThat(validator.validate(pipeline.sourceConnector())).isEmpty();
    }

    @Test
    void theJsonVariantsForOtherConsumersAreValidTooAndAWrongConverterIsCaught() throws Exception {
        assertThat(validator.validate(pipeline.sinkConnector("json/postgres-sink.json"))).isEmpty();
        assertThat(validator.validate(pipeline.sourceConnector("json/mariadb-source.json"))).isEmpty();
        assertThat(pipeline.sinkConnector().config()).as("the shipped files are the fast path")
                .containsEntry("value.converter", "io.ferry.converter.FerryBinaryConverter");
        // the converter is looked up on the worker's plugin.path: a wrong class name is caught at validate
        assertThat(validator.validate(pipeline.sinkConnector()
                .with(Map.of("value.converter", "io.ferry.converter.NoSuchConverter"))))
                .anyMatch(p -> p.contains("value.converter"));
    }

    @Test
    void sinkPointingAtNoServerFailsAtValidateNamingTheUrl() throws Exception {
        ConnectorFile bad = pipeline.sinkConnector().with(Map.of("connection.url", "jdbc:postgresql://127.0.0.1:1/x"));
        List<String> problems = validator.validate(bad);
        assertThat(problems).singleElement().asString().contains("connection.url", "cannot connect to PostgreSQL");
    }

    @Test
    void sinkWithBadOptionsFailsAtValidateNamingEachOption() throws Exception {
        ConnectorFile bad = pipeline.sinkConnector().with(Map.of("text.nul.policy", "keep", "table.name.format", "${x}"));
        assertThat(validator.validate(bad)).anyMatch(p -> p.contains("text.nul.policy"))
                .anyMatch(p -> p.contains("table.name.format"));
    }

    @Test
    void mysqlSourceIsCheckedAsFarAsConnectCanAndTheRealCauseIsShown() throws Exception {
        ConnectorFile mysql = ConnectorFile.read(PipelineHarness.connectorsDir().resolve("mysql-source.json"))
                .with(pipeline.sourceConnector().config()).with(Map.of(
                        "connector.class", "io.debezium.connector.mysql.MySqlConnector"));
        List<String> problems = validator.validate(mysql);
        System.out.println("MySQL source against MariaDB: " + problems);
        // Connect accepts it (it only logs in); the connector would fail at start, so Ferry says why now.
        assertThat(problems).singleElement().asString().contains("MariaDbConnector", "mariadb-source.json");
        assertThat(String.join("\n", problems)).doesNotContain("${env:");

        ConnectorFile unreachable = pipeline.sourceConnector().with(Map.of("database.port", "1"));
        List<String> why = validator.validate(unreachable);
        System.out.println("MariaDB source at a closed port: " + why);
        assertThat(String.join("\n", why)).containsAnyOf("Connection refused", "connection refused",
                "Unable to connect", "cannot connect");
    }
}
