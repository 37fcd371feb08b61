package io.ferry.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source side of the fault matrix, written so that every kind of damage shows: accounts (a composite natural
 * key, a uuid surrogate key in the target) whose version is bumped by every update, entries referencing an account
 * (a uuid foreign key in the target, a real constraint) that are inserted, updated and deleted, and a log without a
 * key where every row carries a sequence number (a row applied twice is a second row, a lost one a missing number).
 * The CDC workload keeps writing through source restarts (a failed transaction is simply tried again: the source is
 * the truth the target is compared with).
 */
public final class SequencedWorkload {

    public static final int ACCOUNTS = 1_000;

    /** The tables, the rows of the full load, and a poison row the design's narrow column refuses (dead-letter queue). */
    public static void create(Connection c, int entries, int logRows) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE fm_account (region CHAR(2) NOT NULL, acct INT NOT NULL, balance DECIMAL(12,2) NOT NULL, "
                    + "version INT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (region, acct))");
            st.execute("CREATE TABLE fm_entry (entry_id BIGINT PRIMARY KEY, region CHAR(2) NOT NULL, acct INT NOT NULL, "
                    + "amount DECIMAL(12,2), version INT NOT NULL, seq BIGINT NOT NULL)");
            st.execute("CREATE TABLE fm_log (seq BIGINT NOT NULL, note VARCHAR(20))");
            st.execute("CREATE TABLE fm_poison (id INT PRIMARY KEY, v VARCHAR(40))");
            st.execute("INSERT INTO fm_account SELECT IF(seq % 2 = 0, 'eu', 'us'), seq, 100, 1, 0 FROM seq_1_to_" + ACCOUNTS);
            st.execute("INSERT INTO fm_entry SELECT seq, IF((seq % " + ACCOUNTS + " + 1) % 2 = 0, 'eu', 'us'), seq % "
                    + ACCOUNTS + " + 1, seq % 1000 / 10, 1, 0 FROM seq_1_to_" + entries);
            st.execute("INSERT INTO fm_log SELECT seq, 'loaded' FROM seq_1_to_" + logRows);
            st.execute("INSERT INTO fm_poison VALUES (1, 'fits'), (2, 'longer than the design allows')");
        }
    }

    /** What the target is designed as: uuid keys, a real foreign key, an index built after the load. */
    public static String targetDdl() {
        return """
                CREATE TABLE fm_account (id uuid PRIMARY KEY, region char(2) NOT NULL, acct integer NOT NULL,
                  balance numeric(12,2) NOT NULL, version integer NOT NULL, seq bigint NOT NULL, UNIQUE (region, acct));
                CREATE TABLE fm_entry (entry_id bigint PRIMARY KEY, region char(2) NOT NULL, acct integer NOT NULL,
                  account_ref uuid NOT NULL REFERENCES fm_account (id), amount numeric(12,2), version integer NOT NULL,
                  seq bigint NOT NULL);
                CREATE INDEX fm_entry_account ON fm_entry (account_ref);
                CREATE TABLE fm_log (seq bigint NOT NULL, note varchar(20));
                CREATE TABLE fm_poison (id integer PRIMARY KEY, v varchar(5));
                """;
    }

    /** The source connector's transforms that make the design's keys. */
    public static java.util.Map<String, String> transforms() {
        java.util.Map<String, String> t = new java.util.LinkedHashMap<>();
        t.put("transforms", "accountKey,entryAccount");
        t.put("transforms.accountKey.type", "io.ferry.transforms.SurrogateKey");
        t.put("transforms.accountKey.field", "id");
        t.put("transforms.accountKey.predicate", "isAccount");
        t.put("transforms.entryAccount.type", "io.ferry.transforms.ForeignKey");
        t.put("transforms.entryAccount.field", "account_ref");
        t.put("transforms.entryAccount.fields", "region,acct");
        t.put("transforms.entryAccount.parent.table", "fm_account");
        t.put("transforms.entryAccount.predicate", "isEntry");
        t.put("predicates", "isAccount,isEntry");
        t.put("predicates.isAccount.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        t.put("predicates.isAccount.pattern", ".*\\.fm_account");
        t.put("predicates.isEntry.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        t.put("predicates.isEntry.pattern", ".*\\.fm_entry");
        return t;
    }

    /** Source connections, opened again after a source restart. */
    public interface Source {
        Connection open() throws SQLException;
    }

    private final Source source;
    private final long firstSeq;
    private final int entries;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private Thread thread;

    public SequencedWorkload(Source source, long firstSeq, int entries) {
        this.source = source;
        this.firstSeq = firstSeq;
        this.entries = entries;
    }

    /** Writes about {@code perSecond} transactions a second until {@link #stop}. */
    public void start(int perSecond) {
        running.set(true);
        thread = new Thread(() -> run(perSecond), "fault-workload");
        thread.setDaemon(true);
        thread.start();
    }

    public long stop() throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.join(60_000);
        }
        return committed.get();
    }

    public long committed() { return committed.get(); }

    public long failed() { return failed.get(); }

    private void run(int perSecond) {
        Random random = new Random(firstSeq);
        long seq = firstSeq;
        long nextEntry = 10_000_000L + firstSeq;
        long nextAccount = 1_000_000L + firstSeq;
        Connection c = null;
        long pause = Math.max(1, 1000 / Math.max(1, perSecond));
        while (running.get()) {
            try {
                if (c == null || c.isClosed()) {
                    c = source.open();
                    c.setAutoCommit(false);
                }
                seq++;
                int acct = 1 + random.nextInt(ACCOUNTS);
                String region = acct % 2 == 0 ? "eu" : "us";
                try (PreparedStatement log = c.prepareStatement("INSERT INTO fm_log VALUES (?, 'cdc')");
                     PreparedStatement account = c.prepareStatement("UPDATE fm_account SET version = version + 1, "
                             + "balance = balance + 1, seq = ? WHERE region = ? AND acct = ?");
                     PreparedStatement entry = c.prepareStatement("INSERT INTO fm_entry VALUES (?, ?, ?, 5.00, 1, ?)")) {
                    log.setLong(1, seq);
                    log.executeUpdate();
                    account.setLong(1, seq);
                    account.setString(2, region);
                    account.setInt(3, acct);
                    account.executeUpdate();
                    entry.setLong(1, nextEntry++);
                    entry.setString(2, region);
                    entry.setInt(3, acct);
                    entry.setLong(4, seq);
                    entry.executeUpdate();
                }
                try (Statement st = c.createStatement()) {
                    if (seq % 5 == 0) {
                        st.executeUpdate("UPDATE fm_entry SET version = version + 1, seq = " + seq + " WHERE entry_id = "
                                + (1 + random.nextInt(entries)));
                    }
                    if (seq % 7 == 0) {
                        st.executeUpdate("DELETE FROM fm_entry WHERE entry_id = " + (1 + random.nextInt(entries)));
                    }
                    if (seq % 20 == 0) {
                        // a new parent and its child in one transaction, on two topics
                        long a = nextAccount++;
                        st.executeUpdate("INSERT INTO fm_account VALUES ('xx', " + a + ", 0, 1, " + seq + ")");
                        st.executeUpdate("INSERT INTO fm_entry VALUES (" + (nextEntry++) + ", 'xx', " + a + ", 1.00, 1, "
                                + seq + ")");
                    }
                }
                c.commit();
                committed.incrementAndGet();
                Thread.sleep(pause);
            } catch (SQLException e) {
                failed.incrementAndGet();
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (SQLException ignored) {
                    // the source is away; reconnect on the next turn
                }
                c = null;
                sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // done
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
