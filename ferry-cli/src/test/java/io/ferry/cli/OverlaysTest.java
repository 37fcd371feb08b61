package io.ferry.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OverlaysTest {

    @Test
    void sourceUrlGivesHostPortDatabaseAndCredentials() {
        SourceEndpoint s = SourceEndpoint.parse("jdbc:mysql://db.internal:3307/shop?user=dbz&password=p%40ss", null, null);
        assertThat(s).isEqualTo(new SourceEndpoint("mysql", "db.internal", 3307, "shop", "dbz", "p@ss"));
        assertThat(SourceEndpoint.parse("jdbc:mariadb://h/shop", "u", "x").port()).isEqualTo(3306);
        assertThat(SourceEndpoint.redact("jdbc:mysql://h/db?user=a&password=secret&x=1")).doesNotContain("secret");
    }

    @Test
    void sourceUrlWithoutDatabaseOrOfAnotherKindIsRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> SourceEndpoint.parse("jdbc:mysql://h:3306/?password=secret", null, null))
                .hasMessageContaining("names no database").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SourceEndpoint.parse("jdbc:postgresql://h/db", null, null))
                .hasMessageContaining("jdbc:mysql://");
    }

    @Test
    void sinkTopicsRegexMatchesTheDatabasesTableTopicsAndTheNotifications() {
        Map<String, String> o = Overlays.sink("jdbc:postgresql://h/db", "u", "p", "ferry-1", "shop_db");
        Pattern regex = Pattern.compile(o.get("topics.regex"));
        assertThat(regex.matcher("ferry-1.shop_db.orders").matches()).isTrue();
        assertThat(regex.matcher("ferry-1.shop_db.Order Line").matches()).isTrue();
        assertThat(regex.matcher("ferry-1.notifications").matches()).as("snapshot notifications").isTrue();
        assertThat(regex.matcher("ferry-1.schema-history").matches()).isFalse();
        assertThat(regex.matcher("ferryX1.shop_db.orders").matches()).isFalse();
    }

    @Test
    void connectorFilePrintsNoPasswords() {
        ConnectorFile f = new ConnectorFile("c", Map.of("connection.password", "secret", "database.password", "${env:X}"));
        assertThat(f.printable()).containsEntry("connection.password", "********").containsEntry("database.password", "${env:X}");
    }

    @Test
    void aTransactionalSinkSubscribesToTheTransactionTopicWithOneTask() {
        ConnectorFile batch = new ConnectorFile("s", Map.of("tasks.max", "3"));
        assertThat(Overlays.transactional(batch, false, "ferry-1", "shop_db")).isEmpty();
        Map<String, String> asked = Overlays.transactional(batch, true, "ferry-1", "shop_db");
        assertThat(asked).containsEntry("cdc.apply.mode", "transactional").containsEntry("tasks.max", "1")
                .containsEntry("transaction.topic", "ferry-1.transaction");
        Pattern regex = Pattern.compile(asked.get("topics.regex"));
        assertThat(regex.matcher("ferry-1.transaction").matches()).isTrue();
        assertThat(regex.matcher("ferry-1.shop_db.orders").matches()).isTrue();
        assertThat(regex.matcher("ferry-1.notifications").matches()).isTrue();
        ConnectorFile inFile = new ConnectorFile("s", Map.of("cdc.apply.mode", "transactional"));
        assertThat(Overlays.transactional(inFile, false, "p", "d")).containsEntry("transaction.topic", "p.transaction");
    }

    @Test
    void topicFormatSwitchesTheKnownConvertersBothWaysAndLeavesAnotherConverterAlone() {
        ConnectorFile shipped = new ConnectorFile("s", Map.of("key.converter", Overlays.BINARY_CONVERTER,
                "value.converter", Overlays.BINARY_CONVERTER, "extended.headers.enabled", "false"));
        ConnectorFile json = shipped.with(Overlays.topicFormat(shipped, true, "json"));
        assertThat(json.config()).containsEntry("value.converter", Overlays.JSON_CONVERTER)
                .containsEntry("key.converter", Overlays.JSON_CONVERTER)
                .containsEntry("value.converter.schemas.enable", "true");
        ConnectorFile back = json.with(Overlays.topicFormat(json, true, "binary"));
        assertThat(back.config()).containsEntry("value.converter", Overlays.BINARY_CONVERTER)
                .containsEntry("extended.headers.enabled", "false");
        ConnectorFile none = new ConnectorFile("n", Map.of());
        assertThat(Overlays.topicFormat(none, false, "binary")).containsEntry("value.converter", Overlays.BINARY_CONVERTER)
                .doesNotContainKey("extended.headers.enabled");
        ConnectorFile avro = new ConnectorFile("a", Map.of("value.converter", "io.apicurio.registry.utils.converter.AvroConverter"));
        assertThat(Overlays.topicFormat(avro, false, "binary")).isEmpty();
        assertThatThrownBy(() -> Overlays.topicFormat(none, false, "xml")).hasMessageContaining("xml");
    }
}
