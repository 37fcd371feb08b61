package io.ferry.transforms;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SurrogateKeyTest {

    static final String ID_1_23 = "53125678-fcfa-5d80-8a3f-c758da0f5b87";
    final SurrogateKey<SourceRecord> smt = new SurrogateKey<>();

    @AfterEach
    void close() {
        smt.close();
    }

    @Test
    void envelopeGetsTheIdInKeyBeforeAndAfter() {
        smt.configure(Map.of());
        SourceRecord out = smt.apply(Records.envelope("u", Records.row(1, 23), Records.row(1, 23)));
        assertThat(out.keySchema().fields()).extracting(f -> f.name()).containsExactly("id");
        assertThat(out.keySchema().field("id").schema().name()).isEqualTo("io.debezium.data.Uuid");
        assertThat(((Struct) out.key()).getString("id")).isEqualTo(ID_1_23);
        Struct value = (Struct) out.value();
        assertThat(value.getStruct("before").getString("id")).isEqualTo(ID_1_23);
        assertThat(value.getStruct("after").getString("id")).isEqualTo(ID_1_23);
        assertThat(value.getStruct("after").getString("note")).isEqualTo("n");
        assertThat(value.getString("op")).isEqualTo("u");
        assertThat(value.getStruct("source").getString("table")).isEqualTo("film_actor");
    }

    @Test
    void snapshotCreateAndDeleteOfTheSameRowShareTheId() {
        smt.configure(Map.of());
        String r = ((Struct) smt.apply(Records.envelope("r", null, Records.row(1, 23))).key()).getString("id");
        String c = ((Struct) smt.apply(Records.envelope("c", null, Records.row(1, 23))).key()).getString("id");
        SourceRecord d = smt.apply(Records.envelope("d", Records.row(1, 23), null));
        assertThat(List.of(r, c, ((Struct) d.key()).getString("id"))).containsOnly(ID_1_23);
        assertThat(((Struct) d.value()).getStruct("after")).isNull();
    }

    @Test
    void oneInstanceServesTablesWithDifferentKeys() {
        smt.configure(Map.of());
        smt.apply(Records.envelope("c", null, Records.row(1, 23)));
        org.apache.kafka.connect.data.Schema otherKey = org.apache.kafka.connect.data.SchemaBuilder.struct()
                .field("film_id", org.apache.kafka.connect.data.Schema.INT32_SCHEMA).build();
        org.apache.kafka.connect.data.Schema otherRow = org.apache.kafka.connect.data.SchemaBuilder.struct().optional()
                .field("film_id", org.apache.kafka.connect.data.Schema.INT32_SCHEMA).build();
        SourceRecord film = smt.apply(new SourceRecord(Map.of(), Map.of(), "srv.sakila.film", 0, otherKey,
                new Struct(otherKey).put("film_id", 23), otherRow, new Struct(otherRow).put("film_id", 23)));
        assertThat(((Struct) film.key()).getString("id")).isEqualTo("b8fbc15f-dbda-52aa-a611-bd6867453728");
    }

    @Test
    void tombstoneKeyIsMappedToo() {
        smt.configure(Map.of());
        SourceRecord tomb = new SourceRecord(Map.of(), Map.of(), Records.TOPIC, 0, Records.KEY, Records.key(1, 23), null, null);
        SourceRecord out = smt.apply(tomb);
        assertThat(((Struct) out.key()).getString("id")).isEqualTo(ID_1_23);
        assertThat(out.value()).isNull();
    }

    @Test
    void flatRowAndDeclaredFields() {
        smt.configure(Map.of("field", "film_actor_id", "natural.key.fields", "actor_id,film_id", "table", "film_actor"));
        Struct row = Records.row(1, 23);
        SourceRecord out = smt.apply(new SourceRecord(Map.of(), Map.of(), "anything", 0, null, null, Records.ROW, row));
        assertThat(((Struct) out.value()).getString("film_actor_id")).isEqualTo(ID_1_23);
        assertThat(((Struct) out.key()).getString("film_actor_id")).isEqualTo(ID_1_23);
    }

    @Test
    void schemalessEnvelope() {
        smt.configure(Map.of("natural.key.fields", "actor_id,film_id", "table", "film_actor"));
        Map<String, Object> after = new HashMap<>(Map.of("actor_id", 1, "film_id", 23));
        Map<String, Object> value = new HashMap<>();
        value.put("op", "c");
        value.put("before", null);
        value.put("after", after);
        SourceRecord out = smt.apply(new SourceRecord(Map.of(), Map.of(), Records.TOPIC, 0, null, null, null, value));
        assertThat(out.key()).isEqualTo(Map.of("id", ID_1_23));
        assertThat(((Map<?, ?>) ((Map<?, ?>) out.value()).get("after")).get("id")).isEqualTo(ID_1_23);
    }

    @Test
    void aNaturalKeyChangeInsideAnUpdateIsRefusedWithAReason() {
        smt.configure(Map.of("natural.key.fields", "actor_id,film_id"));
        assertThatThrownBy(() -> smt.apply(Records.envelope("u", Records.row(1, 23), Records.row(2, 23))))
                .isInstanceOf(DataException.class).hasMessageContaining("changed in an update");
    }

    @Test
    void missingColumnIsNamed() {
        smt.configure(Map.of("natural.key.fields", "actor_id,nope"));
        assertThatThrownBy(() -> smt.apply(Records.envelope("c", null, Records.row(1, 23))))
                .isInstanceOf(DataException.class).hasMessageContaining("\"nope\"").hasMessageContaining("film_actor");
    }

    @Test
    void badConfigFailsAtConfigure() {
        assertThatThrownBy(() -> smt.configure(Map.of("field", ""))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> smt.configure(Map.of("natural.key.fields", "a, ,b"))).isInstanceOf(ConfigException.class);
    }

    @Test
    void valueSchemaIsCachedPerInputSchema() {
        smt.configure(Map.of());
        Schema first = smt.apply(Records.envelope("c", null, Records.row(1, 23))).valueSchema();
        Schema second = smt.apply(Records.envelope("c", null, Records.row(2, 23))).valueSchema();
        assertThat(second).isSameAs(first);
    }
}
