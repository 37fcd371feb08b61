package io.ferry.transforms;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ForeignKeyTest {

    static final String FILM_23 = "b8fbc15f-dbda-52aa-a611-bd6867453728";
    final ForeignKey<SourceRecord> smt = new ForeignKey<>();

    @Test
    void childGetsItsParentsIdInBothImagesAndKeepsItsKey() {
        smt.configure(Map.of("field", "film_ref", "fields", "film_id", "parent.table", "film"));
        SourceRecord in = Records.envelope("u", Records.row(1, 23), Records.row(1, 23));
        SourceRecord out = smt.apply(in);
        assertThat(out.key()).isEqualTo(in.key());
        Struct v = (Struct) out.value();
        assertThat(v.getStruct("before").getString("film_ref")).isEqualTo(FILM_23);
        assertThat(v.getStruct("after").getString("film_ref")).isEqualTo(FILM_23);
        assertThat(v.schema().field("after").schema().field("film_ref").schema().isOptional()).isTrue();
    }

    @Test
    void theParentsSurrogateKeyAndTheChildsForeignKeyAgree() {
        SurrogateKey<SourceRecord> parentKey = new SurrogateKey<>();
        parentKey.configure(Map.of("natural.key.fields", "film_id", "table", "film"));
        Struct parentRow = Records.row(99, 23);
        String parentId = ((Struct) parentKey.apply(new SourceRecord(Map.of(), Map.of(), "srv.sakila.film", 0, null, null,
                Records.ROW, parentRow)).key()).getString("id");
        smt.configure(Map.of("field", "film_ref", "fields", "film_id", "parent.table", "film"));
        String childRef = ((Struct) smt.apply(Records.envelope("c", null, Records.row(1, 23))).value())
                .getStruct("after").getString("film_ref");
        assertThat(childRef).isEqualTo(parentId).isEqualTo(FILM_23);
    }

    @Test
    void nullParentColumnGivesANullReference() {
        smt.configure(Map.of("field", "film_ref", "fields", "film_id", "parent.table", "film"));
        Map<String, Object> row = new HashMap<>();
        row.put("actor_id", 1);
        row.put("film_id", null);
        SourceRecord out = smt.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, null, null, row));
        assertThat(((Map<?, ?>) out.value()).containsKey("film_ref")).isTrue();
        assertThat(((Map<?, ?>) out.value()).get("film_ref")).isNull();
    }

    @Test
    void tombstonePassesThrough() {
        smt.configure(Map.of("field", "film_ref", "fields", "film_id", "parent.table", "film"));
        SourceRecord tomb = new SourceRecord(Map.of(), Map.of(), "t", 0, Records.KEY, Records.key(1, 2), null, null);
        assertThat(smt.apply(tomb)).isSameAs(tomb);
    }

    @Test
    void requiredOptionsFailAtConfigure() {
        assertThatThrownBy(() -> smt.configure(Map.of("field", "x", "parent.table", "film")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("fields");
        assertThatThrownBy(() -> smt.configure(Map.of("field", "x", "fields", "", "parent.table", "film")))
                .isInstanceOf(ConfigException.class);
    }
}
