package io.ferry.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CpuMeterTest {

    @Test
    void machineBusyLeavesOutIdleAndIowait() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        long[] t = CpuMeter.machineTicks("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
        assertThat(t).containsExactly(160, 1000);
        assertThat(CpuMeter.machineTicks(null)).containsExactly(-1, -1);
    }

    @Test
    void aProcessStatLineIsReadAfterItsNameEvenWhenTheNameHasSpacesAndParentheses() {
        String stat = "4242 (postgres: bench (x) 1) S 4200 4242 4242 0 -1 4194560 100 0 0 0 "
                + "70 30 5 6 20 0 1 0 1234 1000 100 18446744073709551615";
        CpuMeter.Proc p = CpuMeter.Proc.parse(stat, "postgres: bench");
        assertThat(p.pid()).isEqualTo(4242);
        assertThat(p.ppid()).isEqualTo(4200);
        assertThat(p.ownTicks()).isEqualTo(100);
        assertThat(p.childTicks()).isEqualTo(11);
    }

    @Test
    void aServerIsItsRootProcessesAndTheirChildrenWithWhatTheyReaped() {
        List<CpuMeter.Proc> procs = List.of(
                new CpuMeter.Proc(10, 1, 100, 400, "/pg/bin/postgres -D /tmp/bench/postgres -p 5432"),
                new CpuMeter.Proc(11, 10, 50, 0, "postgres: checkpointer"),
                new CpuMeter.Proc(12, 10, 70, 0, "postgres: bench e2e 127.0.0.1 COPY"),
                new CpuMeter.Proc(13, 12, 999, 0, "a grandchild is not the server's"),
                new CpuMeter.Proc(20, 1, 900, 0, "/pg/bin/postgres -D /tmp/other-test/postgres"),
                new CpuMeter.Proc(30, 1, 300, 0, "/maria/bin/mariadbd --datadir=/tmp/bench/mariadb/data"));
        assertThat(CpuMeter.treeTicks(procs, "/tmp/bench/postgres")).isEqualTo(620);
        assertThat(CpuMeter.treeTicks(procs, "/tmp/bench/mariadb")).isEqualTo(300);
        assertThat(CpuMeter.treeTicks(procs, "/no/such/dir")).isEqualTo(-1);
    }

    @Test
    void aRunIsTheDifferenceOfTwoReadingsAndAnUnknownServerIsNaN() {
        CpuMeter.Reading a = new CpuMeter.Reading(0, 100, 1000, 1_000_000_000L, 50, 2, 0,
                Map.of("postgres", 1000L, "mariadb", -1L), Map.of(1L, 100_000_000L), Map.of(1L, "sink_task"));
        CpuMeter.Reading b = new CpuMeter.Reading(2_000_000_000L, 460, 1400, 4_500_000_000L, 150, 12, 250,
                Map.of("postgres", 1300L, "mariadb", -1L), Map.of(1L, 1_100_000_000L, 2L, 500_000_000L),
                Map.of(1L, "sink_task", 2L, "debezium"));
        CpuMeter.Use u = CpuMeter.between(a, b);
        assertThat(u.wallSeconds()).isEqualTo(2.0);
        assertThat(u.machineBusy()).isEqualTo(0.9);
        assertThat(u.jvm()).isEqualTo(3.5);
        assertThat(u.jit()).isEqualTo(1.0);
        assertThat(u.gc()).isEqualTo(0.1);
        assertThat(u.children()).isEqualTo(2.5);
        assertThat(u.servers().get("postgres")).isEqualTo(3.0);
        assertThat(u.servers().get("mariadb")).isNaN();
        assertThat(u.total()).isEqualTo(9.0);
        // a thread that started during the run counts from zero
        assertThat(u.threads()).containsEntry("sink_task", 1.0).containsEntry("debezium", 0.5)
                .containsEntry("broker", 0.0);
        assertThat(u.otherJvm()).isCloseTo(3.5 - 1.0 - 0.1 - 1.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void threadsAreGroupedByTheNamesKafkaConnectDebeziumAndFerryGiveThem() {
        assertThat(CpuMeter.group("task-thread-bench-e2e-source_binary-1-0")).isEqualTo("source_task");
        assertThat(CpuMeter.group("task-thread-bench-e2e-sink_binary-1-0")).isEqualTo("sink_task");
        assertThat(CpuMeter.group("debezium-mariadbconnector-e2ebinary1-change-event-source-coordinator"))
                .isEqualTo("debezium");
        assertThat(CpuMeter.group("ferry-writer-bench-e2e-sink-0")).isEqualTo("ferry_writer");
        assertThat(CpuMeter.group("kafka-producer-network-thread | connector-producer-x-0")).isEqualTo("producer_network");
        assertThat(CpuMeter.group("data-plane-kafka-request-handler-3")).isEqualTo("broker");
        assertThat(CpuMeter.group("main")).isEqualTo("other");
        assertThat(CpuMeter.group("pool-7-thread-1")).isEqualTo("snapshot_pool");
    }

    @Test
    void readingTheLiveMachineFindsThisJvmsCpu() {
        CpuMeter meter = new CpuMeter(Map.of("none", "/no/such/data/dir"));
        CpuMeter.Reading a = meter.read();
        long x = 0;
        for (int i = 0; i < 50_000_000; i++) {
            x += i % 7;
        }
        CpuMeter.Use u = CpuMeter.between(a, meter.read());
        assertThat(x).isPositive();
        assertThat(u.jvm()).isPositive();
        assertThat(u.jit()).as("this JVM's compiler threads were found").isNotNaN();
        assertThat(u.servers().get("none")).isNaN();
    }
}
