package io.ferry.sink.events;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EventPublisherTest {

    static FerryEvent event(String type) {
        return FerryEvent.of(type, FerryEvent.Severity.WARNING, "c", 0, "t", "summary \"quoted\"\nline",
                Map.of("n", 1));
    }

    @Test
    void aFailingChannelIsRetriedThenCountedAndTheOthersStillGetEverything() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<String> good = new CopyOnWriteArrayList<>();
        EventChannel failing = new EventChannel() {
            @Override public String name() { return "failing"; }
            @Override public void deliver(FerryEvent e) throws Exception {
                attempts.incrementAndGet();
                throw new java.io.IOException("HTTP 500");
            }
        };
        EventChannel working = new EventChannel() {
            @Override public String name() { return "working"; }
            @Override public void deliver(FerryEvent e) { good.add(e.type()); }
        };
        EventPublisher p = new EventPublisher(List.of(failing, working), 1);
        p.emit(event("A"));
        p.emit(event("B"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.counts().get(0)[1] < 2 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(attempts.get()).isEqualTo(2 * EventPublisher.ATTEMPTS);
        assertThat(p.counts().get(0)).containsExactly(0, 2, 0);
        assertThat(good).containsExactly("A", "B");
        p.close();
    }

    @Test
    void aChannelThatHangsFillsItsQueueAndDropsAreCountedWhileEmitNeverBlocks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventChannel hanging = new EventChannel() {
            @Override public String name() { return "hanging"; }
            @Override public void deliver(FerryEvent e) throws Exception { release.await(); }
        };
        EventPublisher p = new EventPublisher(List.of(hanging), 1);
        for (int i = 0; i < EventPublisher.CAPACITY + 10; i++) {
            p.emit(event("E"));
        }
        // one taken by the hanging delivery, CAPACITY queued, the rest dropped and counted
        assertThat(p.counts().get(0)[2]).isBetween(9L, 10L);
        release.countDown();
        p.close();
    }

    @Test
    void closeDoesNotWaitForAHangingChannelWhichStillGetsWhatWasQueued() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> delivered = new CopyOnWriteArrayList<>();
        EventChannel hanging = new EventChannel() {
            @Override public String name() { return "hanging"; }
            @Override public void deliver(FerryEvent e) throws Exception {
                release.await();
                delivered.add(e.type());
            }
        };
        EventPublisher p = new EventPublisher(List.of(hanging), 1);
        p.emit(event("A"));
        p.emit(event("B"));
        long t0 = System.nanoTime();
        p.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("close returned without the channel")
                .isLessThan(2_000);
        release.countDown();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.size() < 2 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(delivered).containsExactly("A", "B");
    }

    @Test
    void bodiesAreValidJsonWithTheCauseEscaped() {
        String json = event("X").toJson();
        assertThat(json).startsWith("{\"type\":\"X\",\"severity\":\"WARNING\",\"time\":\"")
                .contains("\"summary\":\"summary \\\"quoted\\\"\\nline\"", "\"details\":{\"n\":1}");
        assertThat(event("X").toSlackJson()).startsWith("{\"text\":\":warning: *X* c / t: summary");
    }
}
