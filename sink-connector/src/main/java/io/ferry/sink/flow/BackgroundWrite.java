package io.ferry.sink.flow;

import io.ferry.sink.state.BatchOffsets;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.MDC;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One full-load batch written on a thread of its own while the task thread polls, converts and decodes the next:
 * PostgreSQL's COPY and commit of one batch overlap Connect's work on the next instead of taking turns with it.
 * <p>
 * At most one batch is in flight, and the task touches the writer's state (connection, catalog, fence, counters) only
 * after {@link #settle()} has waited for it, so the writer is never used by two threads at once. The batch is still one
 * PostgreSQL transaction with its offsets. A batch that fails here is not judged here: {@link #settle()} hands back its
 * partitions, which the task reads again from the offsets PostgreSQL committed and writes on its own thread, where
 * every kind of failure (retry, bad record, stopped table, another writer) has its handling.
 */
public final class BackgroundWrite implements AutoCloseable {

    /** A batch the background thread did not write: where it started and ended in each partition, and why. */
    public record Failed(Map<TopicPartition, Long> first, Map<TopicPartition, Long> next, int records, Throwable cause) {}

    /** Thrown on the background thread where a batch needs the task thread (a bad record for the dead-letter queue). */
    public static final class Redo extends RuntimeException {
        public Redo(String why) {
            super(why, null, false, false);
        }
    }

    /** The write itself; may throw anything, every failure is redone on the task thread. */
    @FunctionalInterface
    public interface Write {
        void run() throws Exception;
    }

    private final ExecutorService executor;
    private volatile Thread thread;
    private Future<?> inFlight;
    private BatchOffsets inFlightOffsets;
    private int inFlightRecords;

    public BackgroundWrite(String threadName) {
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Whether a batch is in flight (its outcome not yet settled). */
    public boolean busy() {
        return inFlight != null;
    }

    /** Whether the caller runs on the background thread. */
    public boolean onWriterThread() {
        return Thread.currentThread() == thread;
    }

    /** Starts writing a batch (where it starts and ends in each partition, how many records); the previous one must be settled. */
    public void submit(BatchOffsets offsets, int records, Write write) {
        if (inFlight != null) {
            throw new IllegalStateException("a background write is still in flight");
        }
        // the task's log context (connector, task) on the writer's log lines too
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        inFlightOffsets = offsets;
        inFlightRecords = records;
        inFlight = executor.submit(() -> {
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            try {
                write.run();
            } finally {
                MDC.clear();
            }
            return null;
        });
    }

    /**
     * Waits for the batch in flight. Returns null when it is committed (or none was in flight), else what was not
     * written. An Error on the background thread is thrown here.
     */
    public Failed settle() {
        if (inFlight == null) {
            return null;
        }
        Future<?> f = inFlight;
        inFlight = null;
        try {
            f.get();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // the batch may still commit; its offsets in PostgreSQL say so when the task starts again
            throw new ConnectException("interrupted while waiting for the background write of " + inFlightRecords
                    + " records", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            return new Failed(inFlightOffsets.first(), inFlightOffsets.next(), inFlightRecords, e.getCause());
        }
    }

    /** Waits for the batch in flight (up to a time), then ends the thread; what did not commit is read again. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        inFlight = null;
    }
}
