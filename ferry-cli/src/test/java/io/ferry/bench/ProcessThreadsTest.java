package io.ferry.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessThreadsTest {

    @Test
    void threadDumpLinesOfJdk17AndJdk21GiveNativeIdsAndJavaNames() {
        String dump = """
                "task-thread-ferry-shop-sink-0" #52 prio=5 os_prio=0 cpu=3712.40ms elapsed=30.12s tid=0x00007f3c nid=0x1a2b runnable  [0x00007f]
                   java.lang.Thread.State: RUNNABLE
                "C2 CompilerThread0" #6 daemon prio=9 os_prio=0 cpu=19611.02ms elapsed=31.00s tid=0x00007f3d nid=0x1a0f waiting on condition  [0x0]
                "GC Thread#0" os_prio=0 cpu=1211.53ms elapsed=31.05s tid=0x00007f3e nid=7001 runnable
                "name with \\"quotes\\" inside" #9 prio=5 nid=0x10 runnable
                """;
        Map<Long, String> names = ProcessThreads.names(dump);
        assertThat(names).containsEntry(0x1a2bL, "task-thread-ferry-shop-sink-0")
                .containsEntry(0x1a0fL, "C2 CompilerThread0")
                .containsEntry(7001L, "GC Thread#0")
                .hasSize(4);
    }

    @Test
    void procNamesTruncatedTo15CharactersStillFindTheirGroup() {
        // /proc keeps 15 characters: compilers and collectors are told by them, other threads by their Java name
        assertThat(ProcessThreads.group("C2 CompilerThre", null)).isEqualTo("jit");
        assertThat(ProcessThreads.group("C1 CompilerThre", null)).isEqualTo("jit");
        assertThat(ProcessThreads.group("GC Thread#0", null)).isEqualTo("gc");
        assertThat(ProcessThreads.group("G1 Refine#0", null)).isEqualTo("gc");
        assertThat(ProcessThreads.group("task-thread-fer", "task-thread-ferry-shop-sink-0")).isEqualTo("sink_task");
        assertThat(ProcessThreads.group("task-thread-fer", "task-thread-ferry-shop-source-0")).isEqualTo("source_task");
        // a thread that ended before the dump (Debezium's snapshot pool) is grouped by what /proc kept of its name
        assertThat(ProcessThreads.group("pool-12-thread-", null)).isEqualTo("snapshot_pool");
        assertThat(ProcessThreads.group("ferry-writer-fe", "ferry-writer-ferry-shop-sink-0")).isEqualTo("ferry_writer");
    }
}
