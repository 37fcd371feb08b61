package io.ferry.sink.flow;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Bounded memory for the {@link TransactionBuffer} without splitting transactions: when the buffer is full, the table
 * partitions ahead of the transaction topic are paused (a consumer can return one partition's 10 MB before another's
 * first record) and resumed once their transactions have ENDed or the buffer has room again.
 */
public final class RunningAheadPauses {

    private static final Logger log = LoggerFactory.getLogger(RunningAheadPauses.class);

    private final TransactionBuffer transactions;
    private final String connectorName;
    private final int bufferMax;
    private final Set<TopicPartition> paused = new HashSet<>();

    public RunningAheadPauses(TransactionBuffer transactions, String connectorName, int bufferMax) {
        this.transactions = transactions;
        this.connectorName = connectorName;
        this.bufferMax = bufferMax;
    }

    /** Pauses and resumes partitions for what the buffer holds now; called after every change to it. */
    public void adjust(SinkTaskContext context) {
        Set<TopicPartition> ahead = transactions.overfull() || !paused.isEmpty() ? transactions.runningAhead() : Set.of();
        if (transactions.overfull()) {
            List<TopicPartition> pause = new ArrayList<>();
            for (TopicPartition tp : ahead) {
                if (paused.add(tp)) {
                    pause.add(tp);
                }
            }
            if (!pause.isEmpty()) {
                context.pause(pause.toArray(new TopicPartition[0]));
                log.info("Ferry sink '{}': {} events held for source transactions not yet whole "
                        + "(transaction.buffer.max.events={}); pausing {} until the transaction topic catches up",
                        connectorName, transactions.getHeldEvents(), bufferMax, pause);
            }
        }
        if (!paused.isEmpty()) {
            boolean room = transactions.hasRoom();
            List<TopicPartition> resume = new ArrayList<>();
            for (TopicPartition tp : paused) {
                if (room || !ahead.contains(tp)) {
                    resume.add(tp);
                }
            }
            if (!resume.isEmpty()) {
                resume.forEach(paused::remove);
                context.resume(resume.toArray(new TopicPartition[0]));
            }
        }
    }

    /** Partitions revoked: whoever gets them next starts with nothing paused for this buffer. */
    public void forget(Collection<TopicPartition> partitions) {
        paused.removeAll(partitions);
    }

    /**
     * Partitions assigned: nothing is held for them, so a pause for room the worker carried over from before a
     * rebalance would have nobody left to lift it.
     */
    public void assigned(SinkTaskContext context, Collection<TopicPartition> partitions) {
        context.resume(partitions.toArray(new TopicPartition[0]));
    }
}
