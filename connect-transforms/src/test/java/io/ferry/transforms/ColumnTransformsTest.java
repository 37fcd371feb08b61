package io.ferry.transforms;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RenameColumns, DropColumns and CastColumns over envelopes, flat rows, schemaless maps and tombstones. */
class ColumnTransformsTest {

    static <T extends ColumnTransform<SourceRecord>> T configured(T t, String key, String value) {
        t.configure(Map.of(key, value));
        return t;
    }

    @Test
    void renameKeepsKeyBeforeAndAfterConsistent() {
        var rename = configured(new RenameColumns<SourceRecord>(), "renames", "actor_id:actor,note:remark");
        SourceRecord out = rename.apply(Records.envelope("u", Records.row(1, 23), Records.row(1, 23)));
        Struct key = (Struct) out.key();
        Struct value = (Struct) out.value();
        assertThat(key.schema().fields()).extracting(Field::name).containsExactly("actor", "film_id");
        assertThat(key.getInt32("actor")).isEqualTo(1);
        for (String image : new String[] {"before", "after"}) {
            Struct row = value.getStruct(image);
            assertThat(row.schema().fields()).extracting(Field::name).containsExactly("actor", "film_id", "remark");
            assertThat(row.getString("remark")).isEqualTo("n");
        }
        assertThat(value.getStruct("source").getString("table")).isEqualTo("film_actor");
        assertThat(value.getString("op")).isEqualTo("u");
    }

    @Test
    void tombstonesKeepTheirNullValueAndGetTheKeyRenamed() {
        var rename = configured(new RenameColumns<SourceRecord>(), "renames", "film_id:film");
        SourceRecord tombstone = new SourceRecord(Map.of(), Map.of(), Records.TOPIC, 0, Records.KEY, Records.key(1, 2), null, null);
        SourceRecord out = rename.apply(tombstone);
        assertThat(out.value()).isNull();
        assertThat(((Struct) out.key()).getInt32("film")).isEqualTo(2);
    }

    @Test
    void schemalessEnvelopesAndFlatRows() {
        var drop = configured(new DropColumns<SourceRecord>(), "columns", "note");
        Map<String, Object> row = new LinkedHashMap<>(Map.of("actor_id", 1, "film_id", 2, "note", "x"));
        Map<String, Object> env = new HashMap<>();
        env.put("before", null);
        env.put("after", row);
        env.put("op", "c");
        SourceRecord out = drop.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, Map.of("actor_id", 1), null, env));
        assertThat(new java.util.TreeSet<Object>(((Map<?, ?>) ((Map<?, ?>) out.value()).get("after")).keySet())).containsExactly("actor_id", "film_id");
        assertThat(((Map<?, ?>) out.value()).get("op")).isEqualTo("c");
        SourceRecord flat = drop.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, null, null, row));
        assertThat(new java.util.TreeSet<Object>(((Map<?, ?>) flat.value()).keySet())).containsExactly("actor_id", "film_id");
    }

    @Test
    void droppingAKeyColumnIsRefused() {
        var drop = configured(new DropColumns<SourceRecord>(), "columns", "film_id");
        assertThatThrownBy(() -> drop.apply(Records.envelope("c", null, Records.row(1, 2))))
                .isInstanceOf(DataException.class).hasMessageContaining("film_id").hasMessageContaining("record key");
    }

    @Test
    void castsConvertExactlyOrFailNamingTheColumn() {
        Schema dec = Decimal.builder(2).optional().build();
        Schema row = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA).field("price", dec)
                .field("flag", Schema.OPTIONAL_INT16_SCHEMA).field("zip", Schema.OPTIONAL_INT32_SCHEMA).build();
        var cast = configured(new CastColumns<SourceRecord>(), "casts", "price:string,flag:boolean,zip:string,id:int64");
        Struct value = new Struct(row).put("id", 7).put("price", new BigDecimal("1000.50")).put("flag", (short) 1)
                .put("zip", 1234);
        SourceRecord out = cast.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, null, row, value));
        Struct v = (Struct) out.value();
        assertThat(v.get("price")).isEqualTo("1000.50");
        assertThat(v.schema().field("price").schema().name()).as("no semantic name left").isNull();
        assertThat(v.schema().field("price").schema().isOptional()).isTrue();
        assertThat(v.get("flag")).isEqualTo(true);
        assertThat(v.get("zip")).isEqualTo("1234");
        assertThat(v.get("id")).isEqualTo(7L);

        var narrow = configured(new CastColumns<SourceRecord>(), "casts", "price:int32");
        assertThatThrownBy(() -> narrow.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, null, row, value)))
                .isInstanceOf(DataException.class).hasMessageContaining("\"price\"").hasMessageContaining("INT32");
    }

    @Test
    void badConfigurationFailsAtConfigure() {
        assertThatThrownBy(() -> configured(new RenameColumns<SourceRecord>(), "renames", "a"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("old:new");
        assertThatThrownBy(() -> configured(new CastColumns<SourceRecord>(), "casts", "a:varchar"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("int64");
        assertThatThrownBy(() -> configured(new DropColumns<SourceRecord>(), "columns", ""))
                .isInstanceOf(ConfigException.class);
        var clash = configured(new RenameColumns<SourceRecord>(), "renames", "note:film_id");
        assertThatThrownBy(() -> clash.apply(Records.envelope("c", null, Records.row(1, 2))))
                .hasMessageContaining("two columns would be named \"film_id\"");
    }
}
