package io.ferry.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ManyTablesDataTest {

    @Test
    void aHundredTablesShareAQuarterOfTheRowsAndNoneIsEmpty() {
        var rows = ManyTablesData.split(862_000);
        assertThat(rows).hasSize(100).containsKeys("t001", "t100");
        assertThat(rows.values()).containsOnly(2_155L);
        assertThat(ManyTablesData.split(20_000).values()).as("the CI smoke's size").containsOnly(50L);
        assertThat(ManyTablesData.split(100).values()).containsOnly(10L);
    }
}
