package io.ferry.sink.config;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FerrySinkConfigTest {

    @Test
    void everyPublicConfigConstantIsRegisteredAndDocumented() throws Exception {
        int seen = 0;
        for (Field f : FerrySinkConfig.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers()) && f.getName().endsWith("_CONFIG")) {
                String name = (String) f.get(null);
                assertThat(FerrySinkConfig.CONFIG_DEF.configKeys()).as(name).containsKey(name);
                assertThat(FerrySinkConfig.CONFIG_DEF.configKeys().get(name).documentation).as(name).isNotBlank();
                assertThat(FerrySinkConfig.CONFIG_DEF.configKeys().get(name).group).as(name).isNotBlank();
                seen++;
            }
        }
        assertThat(seen).isEqualTo(FerrySinkConfig.CONFIG_DEF.configKeys().size());
    }

    @Test
    void rejectsNonPostgresUrlAtConstruction() {
        assertThatThrownBy(() -> new FerrySinkConfig(Map.of("connection.url", "jdbc:mysql://x/y")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("connection.url");
    }

    @Test
    void rejectsUnknownPlaceholderInTableNameFormat() {
        assertThatThrownBy(() -> new FerrySinkConfig(Map.of("connection.url", "jdbc:postgresql://x/y",
                "table.name.format", "${schema}_${table}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("table.name.format");
    }

    @Test
    void rejectsUnknownNulPolicy() {
        assertThatThrownBy(() -> new FerrySinkConfig(Map.of("connection.url", "jdbc:postgresql://x/y",
                "text.nul.policy", "ignore"))).isInstanceOf(ConfigException.class);
    }

    @Test
    void passwordIsHiddenInToString() {
        FerrySinkConfig c = new FerrySinkConfig(Map.of("connection.url", "jdbc:postgresql://x/y",
                "connection.password", "s3cret"));
        assertThat(c.password().toString()).doesNotContain("s3cret");
        assertThat(c.values().toString()).doesNotContain("s3cret");
    }

    @Test
    void transactionalModeNeedsOneTaskAndTheTransactionTopicSubscribed() {
        Map<String, String> base = Map.of("connection.url", "jdbc:postgresql://x/y", "cdc.apply.mode", "transactional",
                "topics.regex", "shop\\.(db\\..*|transaction)");
        assertThatThrownBy(() -> new FerrySinkConfig(base)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("transaction.topic");
        Map<String, String> ok = new java.util.HashMap<>(base);
        ok.put("transaction.topic", "shop.transaction");
        assertThat(new FerrySinkConfig(ok).transactional()).isTrue();
        Map<String, String> twoTasks = new java.util.HashMap<>(ok);
        twoTasks.put("tasks.max", "2");
        assertThatThrownBy(() -> new FerrySinkConfig(twoTasks)).hasMessageContaining("tasks.max=1");
        Map<String, String> notSubscribed = new java.util.HashMap<>(ok);
        notSubscribed.put("topics.regex", "shop\\.db\\..*");
        assertThatThrownBy(() -> new FerrySinkConfig(notSubscribed)).hasMessageContaining("subscribed");
        assertThat(FerrySinkConfig.transactionalProblem(Map.of("tasks.max", "4"))).as("batch mode: any tasks.max").isNull();
    }
}
