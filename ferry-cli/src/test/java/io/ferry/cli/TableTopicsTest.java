package io.ferry.cli;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class TableTopicsTest {

    private static final SourceEndpoint SHOP = new SourceEndpoint("mariadb", "h", 3306, "shop", "u", "p");

    private static ConnectorFile shipped(String file) throws Exception {
        ConnectorFile f = ConnectorFile.read(ProjectFilesTest.HOME.resolve("connectors").resolve(file));
        return f.with(Overlays.source(SHOP, "127.0.0.1:9092", "ferry"));
    }

    private static List<String> names(List<NewTopic> topics) {
        return topics.stream().map(NewTopic::name).toList();
    }

    @Test
    void theShippedSourcesTablesGetTheTopicsTheSinkSubscribesToWithConnectsDefaultCreationSettings() throws Exception {
        for (String file : List.of("mariadb-source.json", "mysql-source.json")) {
            List<NewTopic> topics = TableTopics.plan(shipped(file), "shop", List.of("customers", "order_lines"));
            assertThat(names(topics)).as(file).containsExactly("ferry.shop.customers", "ferry.shop.order_lines");
            NewTopic t = topics.get(0);
            assertThat(t.numPartitions()).isEqualTo(1);
            assertThat(t.replicationFactor()).as("the broker's default, as -1 asks Connect for").isEqualTo((short) -1);
            assertThat(t.configs()).containsExactly(Map.entry("max.message.bytes", "16777216"));
            Pattern sink = Pattern.compile(Overlays.sink("jdbc:postgresql://h/db", "u", "p", "ferry", "shop")
                    .get("topics.regex"));
            assertThat(names(topics)).allMatch(n -> sink.matcher(n).matches());
        }
    }

    @Test
    void includeAndExcludeListsAreMatchedAsDebeziumDoesWholeNameAnyCase() throws Exception {
        ConnectorFile src = shipped("mariadb-source.json")
                .with(Map.of("table.include.list", "shop\\.ORDER.*, shop.customers", "table.exclude.list", "shop\\.orders"));
        assertThat(names(TableTopics.plan(src, "shop", List.of("customers", "orders", "order_lines", "products"))))
                .containsExactly("ferry.shop.customers", "ferry.shop.order_lines");
    }

    @Test
    void partitionsAndOtherSettingsOfTheDefaultGroupAreKept() throws Exception {
        ConnectorFile src = shipped("mariadb-source.json").with(Map.of("topic.creation.default.partitions", "4",
                "topic.creation.default.compression.type", "lz4", "topic.delimiter", "_"));
        NewTopic t = TableTopics.plan(src, "shop", List.of("orders")).get(0);
        assertThat(t.name()).isEqualTo("ferry_shop_orders");
        assertThat(t.numPartitions()).isEqualTo(4);
        assertThat(t.configs()).containsEntry("compression.type", "lz4").doesNotContainKey("partitions");
    }

    @Test
    void namesThatCannotBePredictedAreLeftToConnect() throws Exception {
        ConnectorFile src = shipped("mariadb-source.json");
        assertThat(TableTopics.plan(src.with(Map.of("transforms", "route")), "shop", List.of("orders"))).isEmpty();
        assertThat(TableTopics.plan(src.with(Map.of("topic.creation.groups", "big")), "shop", List.of("orders"))).isEmpty();
        assertThat(TableTopics.plan(src.with(Map.of("topic.naming.strategy", "x.Y")), "shop", List.of("orders"))).isEmpty();
        assertThat(TableTopics.plan(src.with(Map.of("table.include.list", "shop.(")), "shop", List.of("orders")))
                .as("a filter Connect's validation reports").isEmpty();
        // Debezium replaces characters a topic name cannot hold: such a table keeps Connect's creation
        assertThat(names(TableTopics.plan(src, "shop", List.of("Order Line", "città", "orders"))))
                .containsExactly("ferry.shop.orders");
        assertThat(TableTopics.plan(src, "my shop", List.of("orders"))).isEmpty();
    }

    @Test
    void replicationFactorOfTheFileIsUsedWhenPositive() throws Exception {
        NewTopic t = TableTopics.plan(shipped("mariadb-source.json")
                .with(Map.of("topic.creation.default.replication.factor", "3")), "shop", List.of("orders")).get(0);
        assertThat(t.replicationFactor()).isEqualTo((short) 3);
        assertThat(Optional.of(t.numPartitions())).contains(1);
    }
}
