package io.ferry.sink.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs every event at once, then hands it to each channel's own delivery thread through a bounded queue: a slow or
 * hanging channel delays only its own deliveries, never the data path and never the other channels. A delivery is
 * retried with doubling backoff; one that still fails, or that finds its queue full, is counted and logged (the log
 * line of the event itself is always written), never lost without a word.
 */
public final class EventPublisher implements Events, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    static final int CAPACITY = 10_000;
    static final int ATTEMPTS = 5;
    /** After close, how long a channel's thread goes on delivering what is queued (one attempt each). */
    static long DRAIN_AFTER_CLOSE_MS = 30_000;

    private final List<Delivery> deliveries = new ArrayList<>();

    public EventPublisher(List<EventChannel> channels, long backoffMs) {
        for (EventChannel c : channels) {
            deliveries.add(new Delivery(c, backoffMs));
        }
    }

    @Override
    public void emit(FerryEvent event) {
        switch (event.severity()) {
            case ERROR -> log.error(event.toLogLine());
            case WARNING -> log.warn(event.toLogLine());
            default -> log.info(event.toLogLine());
        }
        for (Delivery d : deliveries) {
            d.offer(event);
        }
    }

    /** Per channel: {delivered, failed after every retry, dropped because the queue was full}. */
    public List<long[]> counts() {
        List<long[]> out = new ArrayList<>();
        for (Delivery d : deliveries) {
            out.add(new long[] {d.delivered.get(), d.failed.get(), d.dropped.get()});
        }
        return out;
    }

    /**
     * Stops taking events; each channel's thread delivers what is queued for up to {@link #DRAIN_AFTER_CLOSE_MS}
     * more, in the background. Does not wait for a hanging channel: a task's stop (and with it Connect's rebalance)
     * must not be held up by a webhook that never answers.
     */
    @Override
    public void close() {
        deliveries.forEach(Delivery::close);
    }

    private static final class Delivery implements Runnable {
        private final EventChannel channel;
        private final long backoffMs;
        private final BlockingQueue<FerryEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();
        private final Thread thread;
        private volatile boolean closing;
        private volatile long giveUpAt = Long.MAX_VALUE;
        private long lastDropLog;

        Delivery(EventChannel channel, long backoffMs) {
            this.channel = channel;
            this.backoffMs = backoffMs;
            this.thread = new Thread(this, "ferry-events-" + channel.name().replaceAll("[^A-Za-z0-9.:-]", "_"));
            thread.setDaemon(true);
            thread.start();
        }

        void offer(FerryEvent e) {
            if (queue.offer(e)) {
                return;
            }
            long n = dropped.incrementAndGet();
            long now = System.currentTimeMillis();
            if (now - lastDropLog > 10_000) {
                lastDropLog = now;
                log.warn("Ferry event {} not queued for {}: {} events wait for it already (is it down?); {} dropped "
                        + "so far, each one logged above", e.type(), channel.name(), CAPACITY, n);
            }
        }

        @Override
        public void run() {
            while (!closing || !queue.isEmpty()) {
                if (System.currentTimeMillis() > giveUpAt) {
                    log.warn("Ferry events: {} events not delivered to {} after the task stopped (each one logged)",
                            queue.size(), channel.name());
                    break;
                }
                FerryEvent e;
                try {
                    e = queue.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    break;
                }
                if (e != null) {
                    deliver(e);
                }
            }
            channel.close();
        }

        private void deliver(FerryEvent e) {
            Exception last = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try {
                    channel.deliver(e);
                    delivered.incrementAndGet();
                    return;
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    last = ie;
                    break;
                } catch (Exception ex) {
                    last = ex;
                }
                if (closing || attempt == ATTEMPTS) {
                    break;
                }
                try {
                    Thread.sleep(backoffMs << (attempt - 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            long n = failed.incrementAndGet();
            log.warn("Ferry event {} of {} could not be delivered to {} ({}); {} failed deliveries so far", e.type(),
                    e.connector(), channel.name(), last == null ? "stopped" : last.getClass().getSimpleName() + ": "
                            + last.getMessage(), n);
        }

        void close() {
            giveUpAt = System.currentTimeMillis() + DRAIN_AFTER_CLOSE_MS;
            closing = true;
            try {
                thread.join(250); // a healthy channel is done by then; a hanging one goes on in the background
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
