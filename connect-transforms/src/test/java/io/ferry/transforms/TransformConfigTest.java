package io.ferry.transforms;

import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.assertj.core.api.Assertions.assertThat;

/** Every option a transform names is registered and documented in its ConfigDef, and nothing else is. */
class TransformConfigTest {

    @Test
    void everyConfigNameIsDefinedAndDocumented() throws Exception {
        check(SurrogateKey.ConfigName.class, SurrogateKey.CONFIG_DEF);
        check(ForeignKey.ConfigName.class, ForeignKey.CONFIG_DEF);
        check(RenameColumns.ConfigName.class, RenameColumns.CONFIG_DEF);
        check(DropColumns.ConfigName.class, DropColumns.CONFIG_DEF);
        check(CastColumns.ConfigName.class, CastColumns.CONFIG_DEF);
    }

    private static void check(Class<?> names, ConfigDef def) throws Exception {
        int n = 0;
        for (Field f : names.getFields()) {
            String name = (String) f.get(null);
            assertThat(def.configKeys()).as(name).containsKey(name);
            assertThat(def.configKeys().get(name).documentation).as(name).isNotBlank();
            n++;
        }
        assertThat(def.configKeys()).hasSize(n);
    }
}
