package io.ferry.sink.config;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryKeyDeclarationTest {

    private static Map<String, String> props(String bigintKeys) {
        Map<String, String> p = new HashMap<>();
        p.put("connection.url", "jdbc:postgresql://h/db");
        p.put("bigint.keys", bigintKeys);
        return p;
    }

    @Test
    void keysAndReferences() {
        List<RegistryKeyDeclaration> all = new FerrySinkConfig(props(
                "post.id=post(region + handle+post_no), comment.post_id=post(region+handle+post_no), Ünïcode.\"id\"=Ünïcode(k)"))
                .bigintKeys();
        assertThat(all).hasSize(3);
        assertThat(all.get(0).isPrimaryKey()).isTrue();
        assertThat(all.get(0).sourceColumns()).containsExactly("region", "handle", "post_no");
        assertThat(all.get(1).isPrimaryKey()).isFalse();
        assertThat(all.get(1).table()).isEqualTo("comment");
        assertThat(all.get(1).column()).isEqualTo("post_id");
        assertThat(all.get(1).owner()).isEqualTo("post");
        assertThat(all.get(2).table()).isEqualTo("Ünïcode");
    }

    @Test
    void eachMistakeIsOneErrorNamingThePropertyAndTheCause() {
        Map<String, String> cases = Map.of(
                "film_actor(actor_id+film_id)", "expected table.column=",
                "film_actor.id=film_actor()", "empty column name",
                "film_actor.id=film_actor(actor_id+)", "empty column name",
                "film_actor.actor_id=film_actor(actor_id+film_id)", "cannot also be one of the columns",
                "comment.post_id=post(a+b)", "has no key declared here",
                "post.id=post(a+b+c), comment.post_id=post(a+b)", "names 2",
                "post.id=post(a), post.id=post(b)", "declared twice",
                "post.id=post(a), post.key=post(b)", "two key declarations");
        cases.forEach((value, message) -> assertThatThrownBy(() -> new FerrySinkConfig(props(value))).as(value)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bigint.keys")
                .hasMessageContaining(message));
    }
}
