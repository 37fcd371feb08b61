package io.ferry.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ShopDataTest {

    @Test
    void rowsAreSplitParentsFirstAndAddUpToAboutTheTotal() {
        Map<String, Long> rows = ShopData.split(862_000);
        assertThat(rows.keySet()).containsExactly("customers", "products", "orders", "order_lines");
        assertThat(rows).containsEntry("order_lines", 594_780L).containsEntry("products", 12_930L);
        assertThat(ShopData.total(rows)).isEqualTo(862_000);
    }

    @Test
    void aTinyTotalStillGivesEveryTableRows() {
        // each order line needs an order and a product to point at: no table may be empty
        assertThat(ShopData.split(20).values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(10));
    }
}
