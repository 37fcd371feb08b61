package io.ferry.sink.stats;

import io.ferry.sink.events.FerryEvent;
import io.ferry.sink.events.SinkEvents;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class SinkMetricsLagTest {

    @Test
    void aTableBehindTheThresholdForTheDurationIsReportedOnce() {
        List<FerryEvent> events = new CopyOnWriteArrayList<>();
        SinkEvents out = new SinkEvents(events::add, "lag-sink", 0, 0);
        try (SinkMetrics metrics = new SinkMetrics("lag-sink", "0")) {
            TableCounters late = new TableCounters();
            late.changeTsMs = new long[] {System.currentTimeMillis() - 90_000};
            late.changeTsCount = 1;
            TableCounters onTime = new TableCounters();
            onTime.changeTsMs = new long[] {System.currentTimeMillis()};
            onTime.changeTsCount = 1;
            metrics.add(Map.of("late", late, "on_time", onTime));
            metrics.checkLag(out, 60_000, 0);
            assertThat(events).extracting(e -> e.type() + " " + e.table()).containsExactly("LAG_HIGH late");
            assertThat(events.get(0).details().get("lag_p99_ms")).isInstanceOf(Long.class);
        }
    }
}
