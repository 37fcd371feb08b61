package io.ferry.reload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Reloads tables while every other table keeps streaming: the sink is told first (each task acknowledges and from
 * then on records the key of every row it writes to the table), then Debezium is signalled through its Kafka signal
 * channel to run an incremental snapshot (chunked, resumable, beside the binlog stream, de-duplicated against live
 * changes). Its rows are upserted into the live table. When Debezium reports the scan complete and the sink has
 * applied the table's topic up to where it ended, the rows nobody touched are swept (unless told not to).
 */
public final class Reload {

    /**
     * How the run reaches the pipeline.
     *
     * @param signalType the signal's type: {@link #FERRY_SIGNAL}, or Debezium's own {@link #DEBEZIUM_SIGNAL} for a
     *                   source connector whose plugin directory lacks Ferry's signal action
     */
    public record Settings(String bootstrap, String signalTopic, String topicPrefix, String sinkConnector,
                           String stateSchema, boolean sweep, String filter, long timeoutMs, String signalType) {}

    /**
     * Ferry's signal action (module debezium-signals, in the Debezium plugin directories Ferry ships): the snapshot's
     * first chunk is read by Debezium's binlog thread, so its window race cannot happen.
     */
    public static final String FERRY_SIGNAL = "ferry-incremental-snapshot";

    /** Debezium's own action, which reads the first chunk on its signal thread (see {@link #isWindowRace}). */
    public static final String DEBEZIUM_SIGNAL = "execute-snapshot";

    /** What a reload without rows may be waiting on, said to the operator. */
    static final String MISSING_ACTION = "a source connector without Ferry's signal action in its plugin directory (the "
            + "ferry-debezium-signals jar) ignores the " + FERRY_SIGNAL + " signal, and its log says the type is not "
            + "recognised: install the jar, or run again with --signal debezium";

    public interface Target {
        Connection open() throws SQLException;
    }

    /** The source connector's task, watched while its incremental snapshot runs. */
    public interface SourceTask {
        /** The trace of its FAILED task, or null while it runs. */
        String failedTrace() throws Exception;

        void restart() throws Exception;
    }

    /**
     * Debezium 3.5's own execute-snapshot reads a read-only incremental snapshot's first chunk on its signal thread
     * while the binlog thread may be sending the window: a ConcurrentModificationException that fails the source task.
     * A restart resumes the snapshot from the connector's offsets, but those offsets were written from state both
     * threads were changing: the fault matrix saw the restarted task skip one whole committed transaction. So the
     * reload restarts the task (the pipeline must go on) and then ends not DONE, telling the operator to verify.
     * Ferry's own signal ({@link #FERRY_SIGNAL}) does not race.
     */
    static boolean isWindowRace(String trace) {
        return trace != null && trace.contains("ConcurrentModificationException") && trace.contains("IncrementalSnapshot");
    }

    static final int MAX_SOURCE_RESTARTS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;
    private final Target target;
    private final IntSupplier runningSinkTasks;
    private final PrintStream out;
    private final ReloadStore store;

    private SourceTask source;

    public Reload watching(SourceTask source) {
        this.source = source;
        return this;
    }

    public Reload(Settings settings, Target target, IntSupplier runningSinkTasks, PrintStream out) {
        this.settings = settings;
        this.target = target;
        this.runningSinkTasks = runningSinkTasks;
        this.out = out;
        this.store = new ReloadStore(settings.stateSchema(), settings.sinkConnector());
    }

    /**
     * Runs the reload of these tables to its end; returns true when every one ended DONE. A run that fails on an
     * error marks its reloads still open ABORTED before it rethrows: left RUNNING, they would keep the sink recording
     * keys and refuse every later reload of the table ("already being reloaded").
     */
    public boolean run(List<ReloadTarget> tables) throws Exception {
        Map<ReloadTarget, String> ids = new LinkedHashMap<>();
        try {
            return run(tables, ids);
        } catch (Exception | Error e) {
            abortOpen(ids, e);
            throw e;
        }
    }

    private void abortOpen(Map<ReloadTarget, String> ids, Throwable failure) {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection c = target.open()) {
            abort(c, ids, "ferry reload failed: " + failure);
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    private boolean run(List<ReloadTarget> tables, Map<ReloadTarget, String> ids) throws Exception {
        long deadline = System.currentTimeMillis() + settings.timeoutMs();
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        try (Connection c = target.open()) {
            int i = 0;
            for (ReloadTarget t : tables) {
                String id = "r" + stamp + "_" + i++;
                store.request(c, id, t, "reload_keys_" + id, settings.sweep(), settings.filter());
                ids.put(t, id);
            }
            // every sink task must record keys before Debezium reads a row: no change of the table may escape
            int tasks = runningSinkTasks.getAsInt();
            long ackDeadline = System.currentTimeMillis() + 120_000;
            for (Map.Entry<ReloadTarget, String> e : ids.entrySet()) {
                while (store.acks(c, e.getValue()).size() < tasks) {
                    if (System.currentTimeMillis() > ackDeadline) {
                        abort(c, ids, "the sink's " + tasks + " task(s) did not acknowledge the reload within 120 s "
                                + "(acknowledged: " + store.acks(c, e.getValue()) + "); is the sink running?");
                        return false;
                    }
                    Thread.sleep(200);
                }
            }
            out.printf("  the sink's %d task(s) record the keys of %s%n", tasks, names(tables));
            for (String id : ids.values()) {
                store.state(c, id, "RUNNING", null);
            }
        }
        signal(tables);
        out.printf("  signalled Debezium (%s, topic %s, key %s): incremental snapshot of %s%s%n", settings.signalType(),
                settings.signalTopic(), settings.topicPrefix(), names(tables),
                settings.filter() == null ? "" : " where " + settings.filter());

        boolean allDone = true;
        int windowRaces = 0;
        try (Connection c = target.open(); Admin admin = admin()) {
            long lastPrint = 0;
            long lastSourceCheck = 0;
            int sourceRestarts = 0;
            int resignals = 0;
            long restartedAt = 0;
            long rowsAtRestart = 0;
            long hintAt = System.currentTimeMillis() + RESIGNAL_AFTER_MS; // 0: looked at
            Map<ReloadTarget, ReloadStore.Progress> scanned = new LinkedHashMap<>();
            while (scanned.size() < tables.size()) {
                if (hintAt > 0 && System.currentTimeMillis() > hintAt) {
                    hintAt = 0; // looked at once, said at most once: an idle source also leaves a reload rowless a while
                    if (FERRY_SIGNAL.equals(settings.signalType()) && rowsDone(c, ids, tables) == 0) {
                        out.printf("  no reloaded row %d s after the signal: on a source nobody writes to, each chunk waits "
                                + "for the next commit; or %s%n", RESIGNAL_AFTER_MS / 1000, MISSING_ACTION);
                    }
                }
                if (restartedAt > 0 && System.currentTimeMillis() - restartedAt > RESIGNAL_AFTER_MS) {
                    restartedAt = 0;
                    long rows = rowsDone(c, ids, tables);
                    if (rows == rowsAtRestart && resignals < 2) {
                        // the task died before Debezium stored the snapshot in its offsets: the restarted task knows
                        // nothing of it; the tables not yet scanned are asked for again (their rows are upserts)
                        resignals++;
                        List<ReloadTarget> rest = tables.stream().filter(t -> !scanned.containsKey(t)).toList();
                        out.printf("  no reloaded row for %d s after the restart: Debezium lost the snapshot with the "
                                + "task; signalling %s again%n", RESIGNAL_AFTER_MS / 1000, names(rest));
                        signal(rest);
                    }
                }
                if (source != null && System.currentTimeMillis() - lastSourceCheck > 2000) {
                    lastSourceCheck = System.currentTimeMillis();
                    String trace = source.failedTrace();
                    if (trace != null) {
                        if (isWindowRace(trace) && sourceRestarts < MAX_SOURCE_RESTARTS) {
                            sourceRestarts++;
                            windowRaces++;
                            out.println("  the source task FAILED in Debezium's incremental snapshot (its window race, "
                                    + "ConcurrentModificationException, a snapshot started by Debezium's own "
                                    + DEBEZIUM_SIGNAL + "); restarting it, the snapshot resumes from its offsets, but "
                                    + "Debezium may have stored offsets past a change it never sent");
                            source.restart();
                            restartedAt = System.currentTimeMillis();
                            rowsAtRestart = rowsDone(c, ids, tables);
                        } else {
                            abort(c, ids, "the source task FAILED: " + trace.lines().findFirst().orElse(trace));
                            return false;
                        }
                    }
                }
                for (ReloadTarget t : tables) {
                    if (scanned.containsKey(t)) {
                        continue;
                    }
                    ReloadStore.Progress p = store.progress(c, ids.get(t));
                    if ("ABORTED".equals(p.state())) {
                        out.printf("  %s: ABORTED by Debezium; nothing swept%n", t.table());
                        scanned.put(t, p);
                        allDone = false;
                    } else if (p.scanCompleted()) {
                        scanned.put(t, p);
                    }
                }
                if (System.currentTimeMillis() - lastPrint > 2000) {
                    lastPrint = System.currentTimeMillis();
                    for (ReloadTarget t : tables) {
                        ReloadStore.Progress p = store.progress(c, ids.get(t));
                        out.printf("  RELOADING %s: %,d rows%s%n", t.table(), p.rowsDone(),
                                p.rowsExpected() == null ? "" : " of " + String.format("%,d", p.rowsExpected()));
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    boolean nothing = FERRY_SIGNAL.equals(settings.signalType()) && rowsDone(c, ids, tables) == 0;
                    abort(c, ids, "the reload did not finish within " + settings.timeoutMs() / 1000 + " s"
                            + (nothing ? "; no reloaded row arrived: " + MISSING_ACTION : ""));
                    return false;
                }
                Thread.sleep(300);
            }
            for (ReloadTarget t : tables) {
                String id = ids.get(t);
                ReloadStore.Progress p = scanned.get(t);
                if ("ABORTED".equals(p.state())) {
                    continue;
                }
                awaitApplied(c, admin, t, deadline);
                ReloadStore.Progress done = store.progress(c, id);
                boolean clean = "SUCCEEDED".equals(p.scanStatus()) || "EMPTY".equals(p.scanStatus());
                if (!clean) {
                    store.state(c, id, "ABORTED", "Debezium's scan ended " + p.scanStatus() + "; nothing swept");
                    out.printf("  %s: Debezium's scan ended %s; nothing swept%n", t.table(), p.scanStatus());
                    allDone = false;
                    continue;
                }
                String summary;
                if (!store.exists(c, "reload_keys_" + id)) {
                    summary = "no sweep (the table was new to the target)";
                } else if (settings.sweep() && settings.filter() == null) {
                    store.state(c, id, "SWEEPING", null);
                    StaleRowSweep.Result r = StaleRowSweep.sweep(c, t, store.table("reload_keys_" + id));
                    store.swept(c, id, r.swept(), r.kept());
                    summary = String.format("%,d stale rows swept", r.swept());
                    if (r.kept() > 0) {
                        summary += String.format(", %,d stale rows kept because rows of other tables still reference "
                                + "them (first: %s)", r.kept(), r.keptRows());
                    }
                } else {
                    summary = settings.filter() != null ? "no sweep (a filtered reload covers part of the table)"
                            : "no sweep (--no-sweep)";
                }
                store.streaming(c, t.table());
                store.state(c, id, "DONE", summary);
                out.printf("  RELOADED %s: %,d rows read, %,d written; %s%n", t.table(),
                        p.rowsExpected() == null ? -1 : p.rowsExpected(), done.rowsDone(), summary);
            }
        }
        if (windowRaces > 0) {
            out.printf("  WARNING: the source task failed %d time(s) in Debezium's window race during this reload and was "
                    + "restarted; Debezium may have skipped a committed transaction on any table. Run `ferry verify` "
                    + "and reload what differs (with --signal ferry, Ferry's signal action, this race cannot happen)%n",
                    windowRaces);
            allDone = false;
        }
        return allDone;
    }

    /** Waits until the sink has applied the table's topic up to its end as it stands now (after the scan ended). */
    private void awaitApplied(Connection c, Admin admin, ReloadTarget t, long deadline) throws Exception {
        // the scan's last rows were sent before its notification; give the producer's batches a moment to land
        Thread.sleep(2000);
        TopicDescription d = admin.describeTopics(List.of(t.topic())).allTopicNames().get(30, TimeUnit.SECONDS).get(t.topic());
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        d.partitions().forEach(p -> specs.put(new TopicPartition(t.topic(), p.partition()), OffsetSpec.latest()));
        Map<Integer, Long> ends = new HashMap<>();
        admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> ends.put(tp.partition(), r.offset()));
        while (true) {
            Map<Integer, Long> applied = store.applied(c, t.topic());
            boolean caughtUp = true;
            for (Map.Entry<Integer, Long> e : ends.entrySet()) {
                if (e.getValue() > 0 && applied.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    caughtUp = false;
                }
            }
            if (caughtUp) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the sink did not apply " + t.topic() + " up to " + ends + " (at "
                        + applied + ") in time; nothing swept");
            }
            Thread.sleep(300);
        }
    }

    static final long RESIGNAL_AFTER_MS = 60_000;

    private long rowsDone(Connection c, Map<ReloadTarget, String> ids, List<ReloadTarget> tables) throws Exception {
        long sum = 0;
        for (ReloadTarget t : tables) {
            sum += store.progress(c, ids.get(t)).rowsDone();
        }
        return sum;
    }

    private void signal(List<ReloadTarget> tables) throws Exception {
        ObjectNode value = JSON.createObjectNode();
        value.put("type", settings.signalType());
        ObjectNode data = value.putObject("data");
        ArrayNode collections = data.putArray("data-collections");
        tables.forEach(t -> collections.add(t.collection()));
        data.put("type", "INCREMENTAL");
        if (settings.filter() != null) {
            ArrayNode conditions = data.putArray("additional-conditions");
            for (ReloadTarget t : tables) {
                conditions.addObject().put("data-collection", t.collection()).put("filter", settings.filter());
            }
        }
        try (Admin admin = admin()) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(settings.signalTopic())) {
                // Debezium reads its signals from one partition, in order
                try {
                    admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(settings.signalTopic(), 1,
                            (short) -1))).all().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // created meanwhile (by another reload, or by a consumer's metadata request on a broker that
                    // creates topics automatically): the signal goes there all the same
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw kafkaSilent(e);
        } catch (java.util.concurrent.ExecutionException e) {
            // the admin client's own 30 s API timeout can end the call before the future's get(30 s) does
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw kafkaSilent(e);
            }
            throw e;
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(settings.signalTopic(), settings.topicPrefix(),
                    JSON.writeValueAsString(value))).get(30, TimeUnit.SECONDS);
        }
    }

    private IllegalStateException kafkaSilent(Exception e) {
        return new IllegalStateException("Kafka at " + settings.bootstrap() + " did not answer within 30 s when asked "
                + "for the signal topic " + settings.signalTopic() + ": is --bootstrap right and the broker up?", e);
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        // a call that times out here ends there too, so closing the client does not wait out Kafka's 60 s default
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(p);
    }

    /** Marks the reloads still open ABORTED (one that ended is left as it ended) and says which. */
    private void abort(Connection c, Map<ReloadTarget, String> ids, String why) throws SQLException {
        List<String> aborted = new ArrayList<>();
        for (Map.Entry<ReloadTarget, String> e : ids.entrySet()) {
            if (store.abortIfOpen(c, e.getValue(), why)) {
                aborted.add(e.getKey().table());
            }
        }
        if (!aborted.isEmpty()) {
            out.println("  reload ABORTED for " + String.join(", ", aborted) + " (" + why + "); nothing swept");
        }
    }

    private static String names(List<ReloadTarget> tables) {
        List<String> n = new ArrayList<>();
        tables.forEach(t -> n.add(t.table()));
        return String.join(", ", n);
    }
}
