package io.ferry.signals;

import io.debezium.document.DocumentReader;
import io.debezium.pipeline.signal.actions.snapshotting.AdditionalCondition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The signal's payload, read as `ferry reload` writes it (the action's threading: ReloadUnderLoadE2ETest). */
class BinlogThreadIncrementalSnapshotTest {

    @Test
    void additionalConditionsAreReadAsDebeziumReadsThem() throws Exception {
        List<AdditionalCondition> c = BinlogThreadIncrementalSnapshot.conditions(DocumentReader.defaultReader().read(
                "{\"data-collections\":[\"shop.orders\"],\"type\":\"INCREMENTAL\",\"additional-conditions\":"
                        + "[{\"data-collection\":\"shop.orders\",\"filter\":\"id > 10\"}]}"));
        assertThat(c).hasSize(1);
        assertThat(c.get(0).getFilter()).isEqualTo("id > 10");
        assertThat(c.get(0).getDataCollection().matcher("SHOP.Orders").matches()).as("case-insensitive, as Debezium's")
                .isTrue();
        assertThat(c.get(0).getDataCollection().matcher("shop.orders_archive").matches()).isFalse();
    }

    @Test
    void noConditionsIsAnEmptyList() throws Exception {
        assertThat(BinlogThreadIncrementalSnapshot.conditions(DocumentReader.defaultReader().read(
                "{\"data-collections\":[\"shop.orders\"]}"))).isEmpty();
    }
}
