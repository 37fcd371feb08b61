package io.ferry.sink.flow;

/**
 * What transactional mode holds and has done, per task:
 * {@code io.ferry:type=sink-transactions,connector=<name>,task=<id>}.
 */
public interface TransactionBufferMBean {

    /** Change events held for transactions not yet whole. */
    int getHeldEvents();

    /** Source transactions applied whole since the task started. */
    long getAppliedTransactions();

    /** Transactions larger than transaction.buffer.max.events, applied in pieces. */
    long getSplitTransactions();

    /** Transactions whose END never came, applied with the events that did. */
    long getIncompleteTransactions();

    /** Transactions PostgreSQL already had that Debezium sent again (whole or from inside them), not held. */
    long getResentTransactions();

    /**
     * The source transaction the held events wait for (its END, or more of its events), with what has arrived of it;
     * null when nothing waits.
     */
    String getWaitingFor();
}
