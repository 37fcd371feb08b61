package io.ferry.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `ferry reload` started again and again while the source commits small transactions at a rate Debezium keeps up
 * with, so a reload's first window is closed by the next commit while its chunk may still be being read. Debezium
 * 3.5's own execute-snapshot reads that first chunk on its signal thread, unsynchronised with the binlog thread (the
 * window map and the snapshot context are shared): the source task fails with a ConcurrentModificationException, and
 * in the fault matrix the restarted task then skipped a committed transaction. `ferry reload` sends Ferry's signal
 * action instead (debezium-signals), which leaves every chunk to the binlog thread. This test holds the source task
 * RUNNING through every reload and the target equal to the source afterwards; with
 * {@code -Dferry.reload.stress.signal=debezium} it shows the race.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadUnderLoadE2ETest {

    static final int RELOADS = Integer.getInteger("ferry.reload.stress.rounds", 4);
    /** -Dferry.reload.stress.signal=debezium: Debezium's own execute-snapshot, to see the race this test is for. */
    static final String SIGNAL = System.getProperty("ferry.reload.stress.signal", "ferry");

    PipelineHarness pipeline;

    @BeforeAll
    void start() throws Exception {
        pipeline = new PipelineHarness("reloadload", 1);
        pipeline.deploy(pipeline.sinkConnector());
        // the shipped chunk size (4,096 rows): reading a chunk takes long enough for commits to land during it
        pipeline.deploy(pipeline.sourceConnector());
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void reloadsStartedUnderABusySourceNeitherFailTheSourceTaskNorLoseAChange() throws Exception {
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(4));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong commits = new AtomicLong();
        List<Throwable> writerErrors = Collections.synchronizedList(new ArrayList<>());
        // small transactions at a rate Debezium keeps up with: its binlog thread is at the head of the binlog, so a
        // reload's first window is closed by the very next commit, while the chunk may still be being read
        Thread writer = new Thread(() -> {
            try (Connection src = pipeline.sourceDb(); Statement st = src.createStatement()) {
                for (int i = 0; writing.get(); i++) {
                    st.execute("UPDATE payment SET amount = amount + 0.01 WHERE payment_id = " + (1 + i % 16000));
                    st.execute("UPDATE film SET rental_rate = rental_rate + 0.01 WHERE film_id = " + (1 + i % 1000));
                    commits.addAndGet(2);
                    Thread.sleep(8);
                }
            } catch (Throwable e) {
                writerErrors.add(e);
            }
        }, "busy-source");
        writer.start();
        List<Thread> writers = List.of(writer);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watch = new Thread(() -> {
            while (watching.get()) {
                String status = pipeline.statusSummary();
                if (status.contains("=FAILED")) {
                    failures.add(status);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "status-watch");
        watch.start();
        long t0 = System.nanoTime();
        LogCapture log = new LogCapture();
        try {
            for (int round = 0; round < RELOADS && failures.isEmpty(); round++) {
                Run run = reload("payment,rental");
                System.out.printf("reload %d: exit %d after %.1f s, %d source commits so far%n", round + 1, run.exit(),
                        (System.nanoTime() - t0) / 1e9, commits.get());
                assertThat(run.exit()).as("ferry reload's exit code in round %d; source task failures %s; %s; "
                        + "the last errors logged: %s", round + 1, failures, run, last(log.matching("ERROR "), 20)).isZero();
            }
        } finally {
            writing.set(false);
            for (Thread t : writers) {
                t.join();
            }
            watching.set(false);
            watch.join();
            log.close();
        }
        if (SIGNAL.equals("ferry")) {
            // the action took its own path every time, not its fallback to Debezium's execute-snapshot
            assertThat(log.matching("BinlogThreadIncrementalSnapshot", "the binlog thread reads its first chunk"))
                    .as("Ferry's action queued each reload for the binlog thread").hasSize(RELOADS);
            assertThat(log.matching("BinlogThreadIncrementalSnapshot", "handled as")).as("fallbacks").isEmpty();
        }
        assertThat(failures).as("the source task stayed RUNNING through every reload").isEmpty();
        assertThat(writerErrors).as("the source workload ran to the end").isEmpty();
        assertThat(commits.get()).as("the source was busy").isGreaterThan(2_000);
        pipeline.awaitTargetEqualsSource(Duration.ofMinutes(3));
    }

    /**
     * A run that fails after the sink was told (here: Kafka unreachable when it signals) marks its reload ABORTED, so
     * the sink stops recording keys and the next reload of the table is not refused as "already being reloaded" (the
     * next test reloads payment again).
     */
    @Test
    @Order(2)
    void aReloadThatFailsOnAnErrorLeavesNoReloadOpen() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Run run = reloadThrough("127.0.0.1:" + port, "payment");
        assertThat(run.exit()).as("ferry reload with Kafka unreachable; %s", run).isEqualTo(1);
        assertThat(run.output()).contains("reload ABORTED for payment (ferry reload failed: ",
                "Kafka at 127.0.0.1:" + port + " did not answer within 30 s");
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT state, detail FROM ferry.reloads WHERE table_name = 'payment' "
                     + "ORDER BY requested_at DESC LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the failed reload's state").isEqualTo("ABORTED");
            assertThat(rs.getString(2)).startsWith("ferry reload failed: ");
        }
    }

    /**
     * The signal's additional condition (`--where`) goes through Ferry's action too: drift inside the condition is
     * rewritten, drift outside it is left as it was (a filtered reload sweeps nothing).
     */
    @Test
    @Order(3)
    void aFilteredReloadRewritesOnlyTheRowsItsConditionSelects() throws Exception {
        try (Connection pg = pipeline.targetDb(); Statement st = pg.createStatement()) {
            st.execute("UPDATE payment SET amount = amount + 100 WHERE payment_id IN (5, 50, 5000)");
        }
        Run run = reload("payment", "--where", "payment_id <= 100");
        assertThat(run.exit()).as("ferry reload --where's exit code; %s; source status %s", run,
                pipeline.statusSummary()).isZero();
        assertThat(amountsDiffering(5, 50, 5000)).as("payments whose target amount differs from the source's")
                .containsExactly(5000);
    }

    /** What a `ferry reload` printed is in the failure message: CI keeps the summary of a failed test, not its log. */
    record Run(int exit, String output) {
        @Override
        public String toString() {
            List<String> lines = output.lines().toList();
            if (lines.size() <= 60) {
                return "its output:\n" + output;
            }
            // its first lines say what it did (or what was wrong with its arguments), its last ones how it ended
            return "its output (first 15 and last 40 of " + lines.size() + " lines):\n"
                    + String.join("\n", lines.subList(0, 15)) + "\n...\n"
                    + String.join("\n", lines.subList(lines.size() - 40, lines.size()));
        }
    }

    private Run reload(String tables, String... more) {
        return reloadThrough(pipeline.connect.kafka().bootstrapServers(), tables, more);
    }

    private Run reloadThrough(String bootstrap, String tables, String... more) {
        List<String> args = new ArrayList<>(List.of("reload", tables, "--connect",
                pipeline.connect.endpointForResource("").replaceAll("/$", ""), "--connector", pipeline.name + "-sink",
                "--source-connector", pipeline.name + "-source", "--bootstrap", bootstrap,
                "--target", pipeline.pgUrl, "--target-user", TestServers.pgUser(), "--target-password",
                TestServers.pgPassword(), "--timeout-seconds", "240", "--signal", SIGNAL));
        args.addAll(List.of(more));
        java.io.ByteArrayOutputStream copy = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        System.setOut(new java.io.PrintStream(new Tee(out, copy), true, java.nio.charset.StandardCharsets.UTF_8));
        System.setErr(new java.io.PrintStream(new Tee(err, copy), true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            int exit = io.ferry.cli.Ferry.execute(args.toArray(String[]::new));
            System.out.flush();
            System.err.flush();
            return new Run(exit, copy.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Writes to the test's own output and keeps a copy. */
    private static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        Tee(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            first.flush();
        }
    }

    private static List<String> last(List<String> lines, int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    private List<Integer> amountsDiffering(int... ids) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (Connection src = pipeline.sourceDb(); Connection pg = pipeline.targetDb()) {
            for (int id : ids) {
                if (amount(src, id).compareTo(amount(pg, id)) != 0) {
                    out.add(id);
                }
            }
        }
        return out;
    }

    private static java.math.BigDecimal amount(Connection c, int paymentId) throws Exception {
        try (Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT amount FROM payment WHERE payment_id = " + paymentId)) {
            assertThat(rs.next()).as("payment " + paymentId).isTrue();
            return rs.getBigDecimal(1);
        }
    }
}
