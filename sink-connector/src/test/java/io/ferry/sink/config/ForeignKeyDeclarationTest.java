package io.ferry.sink.config;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ForeignKeyDeclarationTest {

    @Test
    void parsesColumnsAndAction() {
        ForeignKeyDeclaration fk = ForeignKeyDeclaration.parse("foreign.keys",
                " order_line(order_no, region) -> Order(no, region) on delete cascade ");
        assertThat(fk.child()).isEqualTo("order_line");
        assertThat(fk.childColumns()).containsExactly("order_no", "region");
        assertThat(fk.parent()).isEqualTo("Order");
        assertThat(fk.parentColumns()).containsExactly("no", "region");
        assertThat(fk.onDelete()).isEqualTo("CASCADE");
        assertThat(ForeignKeyDeclaration.parse("x", "a(b)->c(d)").onDelete()).isEqualTo("NO ACTION");
        assertThat(fk.constraintName()).isEqualTo("fk_order_line_order_no_region");
    }

    @Test
    void longNamesStayWithinPostgresLimit() {
        String col = "c".repeat(70);
        ForeignKeyDeclaration fk = ForeignKeyDeclaration.parse("x", "t(" + col + ")->p(id)");
        assertThat(fk.constraintName().length()).isLessThanOrEqualTo(63);
    }

    @Test
    void mistakesFailAtValidationNamingTheProperty() {
        Map<String, String> base = Map.of("connection.url", "jdbc:postgresql://h/db");
        for (String bad : List.of("film_actor(film_id)", "a(b,c)->d(e)", "a(b)->d(e) ON DELETE EXPLODE", "a(,)->b(c)")) {
            var props = new java.util.HashMap<>(base);
            props.put("foreign.keys", bad);
            assertThatThrownBy(() -> new FerrySinkConfig(props)).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("foreign.keys");
        }
        var ok = new java.util.HashMap<>(base);
        ok.put("foreign.keys", "film_actor(film_id)->film(film_id), film_actor(actor_id)->actor(actor_id)");
        assertThat(new FerrySinkConfig(ok).foreignKeys()).hasSize(2);
    }
}
