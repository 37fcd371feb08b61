package io.ferry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.GarbageCollectionNotificationInfo;
import io.ferry.cli.ConnectClient;
import io.ferry.cli.ConnectorFile;
import io.ferry.cli.Overlays;
import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.KafkaConnectServer;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import io.ferry.embedded.WorkerProcess;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ferry bench --soak 30m}: the full load of {@code --rows} rows, then mixed CDC (60% inserts, 30% updates, 10%
 * deletes) through MariaDB, Debezium, Kafka, the Ferry sink and PostgreSQL, first ramped to the highest rate the
 * pipeline sustains here (achieved rate within 5% of the target, p99 lag under 2 s, in sync within 3 s), then held at
 * that rate for the whole duration, all with the shipped connector files. The sink runs on a Connect worker in a
 * process of its own, so the heap after each collection is the sink task's (with its worker), reported for the load
 * and minute by minute beside this JVM's (broker, source worker); at the end the rows lost, doubled and different
 * between source and target, compared row by row, and the loaded table's row count.
 */
final class SoakRun {

    record Minute(int minute, int targetRate, double achievedRate, long changes, double p50, double p99, double max,
                  double drainSeconds, int gcs, long heapAfterGcMinBytes, long heapAfterGcMaxBytes, int sinkGcs,
                  long sinkHeapAfterGcMinBytes, long sinkHeapAfterGcMaxBytes) {}

    record Load(long rows, double seconds, int sinkGcs, long sinkHeapAfterGcMinBytes, long sinkHeapAfterGcMaxBytes,
                long rowsInTarget) {}

    /** The sink worker's JVM: small, so a heap that grows shows up as collections that free less each time. */
    static final String SINK_HEAP = "1g";


    record Damage(long lost, long doubled, long different, long rows) {}

    private static final String PREFIX = "soak";
    private static final String TARGET_DB = "soak";

    private final Duration duration;
    private final long rows;
    private final Path dir;
    private final Path out;
    /** This JVM's collections as {epoch millis, heap after}, the shape of {@link WorkerProcess#heapAfterGc()}. */
    private final List<long[]> gcs = new CopyOnWriteArrayList<>();
    private WorkerProcess sinkWorker;
    /** What the soak ran on, for its report. */
    private Machine machine;

    SoakRun(Duration duration, long rows, Path dir, Path out) {
        this.duration = duration;
        this.rows = rows;
        this.dir = dir;
        this.out = out;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smh]?)");

    /** 90s, 30m, 2h or a bare number of seconds; null for anything else, and for zero. */
    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase());
        long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
        if (n == 0) {
            return null;
        }
        return switch (m.group(2)) {
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    int run() throws Exception {
        listenToGc();
        Path pluginPath = Path.of(System.getProperty("ferry.plugin.path"));
        Path connectors = Path.of(System.getProperty("ferry.home", ".")).resolve("connectors");
        try (MariaDbServer maria = MariaDbServer.start(dir.resolve("mariadb"));
             PostgresServer pg = PostgresServer.start(dir.resolve("postgres"));
             KafkaConnectServer kc = KafkaConnectServer.start(dir.resolve("connect"), pluginPath)) {
            machine = Machine.of(pg, maria, null);
            say("generating %,d rows in MariaDB %s.%s", rows, BenchData.DATABASE, BenchData.TABLE);
            BenchData.generate(maria, rows);
            CdcLatency.prepareSource(maria);
            CdcLatency.prepareTarget(pg, TARGET_DB);
            // a flight recording of the sink alone (JFR's profile settings, about 2% here): where its time goes
            Path jfr = out.toAbsolutePath().resolve("sink-worker.jfr");
            sinkWorker = WorkerProcess.start(kc.bootstrapServers(), pluginPath, "ferry-soak-sink", SINK_HEAP,
                    dir.resolve("sink-worker"), List.of("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfr));
            say("sink worker: pid %d, -Xmx%s, GC log %s, flight recording %s (written when it stops)", sinkWorker.pid(),
                    SINK_HEAP, sinkWorker.gcLog(), jfr);
            ConnectClient connect = new ConnectClient(kc.restUrl());
            SourceEndpoint source = new SourceEndpoint("mariadb", maria.host(), maria.port(), BenchData.DATABASE,
                    maria.user(), maria.password());
            String topic = PREFIX + "." + BenchData.DATABASE + ".events";
            ConnectorFile sink = CdcLatency.sink(ConnectorFile.read(connectors.resolve("postgres-sink.json")), "soak-sink",
                    pg.jdbcUrl(TARGET_DB), pg, topic).with(Map.of("topics.regex",
                    PREFIX + "\\." + BenchData.DATABASE + "\\.(" + BenchData.TABLE + "|events)"));
            new ConnectClient(sinkWorker.restUrl()).put(sink.name(), sink.config());
            long loadStart = System.currentTimeMillis();
            connect.put("soak-source", ConnectorFile.read(connectors.resolve("mariadb-source.json"))
                    .with(Overlays.source(source, kc.bootstrapServers(), PREFIX))
                    .with(Map.of("database.server.id", "186001")).config());
            Load load = load(pg, loadStart);
            say("full load: %,d rows in %.1f s (%,.0f rows/s); sink worker heap after GC %,d-%,d MB over %d GCs",
                    load.rowsInTarget(), load.seconds(), load.rowsInTarget() / load.seconds(),
                    load.sinkHeapAfterGcMinBytes() >> 20, load.sinkHeapAfterGcMaxBytes() >> 20, load.sinkGcs());
            CdcLatency.run("ferry", maria, pg, TARGET_DB, 200, 5); // topic creation, consumer assignment

            int rate = sustainableRate(maria, pg);
            say("soaking at %,d changes/s for %s", rate, duration);
            List<Minute> minutes = new ArrayList<>();
            long end = System.nanoTime() + duration.toNanos();
            for (int minute = 1; System.nanoTime() < end; minute++) {
                int seconds = (int) Math.max(1, Math.min(60, (end - System.nanoTime()) / 1_000_000_000L));
                long from = System.currentTimeMillis();
                CdcLatency.Result r = CdcLatency.run("ferry", maria, pg, TARGET_DB, rate, seconds);
                Minute m = minute(minute, r, from, System.currentTimeMillis());
                minutes.add(m);
                say("minute %3d: %,7.0f changes/s, lag p50 %.3f s p99 %.3f s max %.3f s, in sync %.1f s after; "
                                + "sink worker %d GCs, heap after GC %,d-%,d MB; this JVM %d GCs, %,d-%,d MB",
                        m.minute(), m.achievedRate(), m.p50(), m.p99(), m.max(), m.drainSeconds(), m.sinkGcs(),
                        m.sinkHeapAfterGcMinBytes() >> 20, m.sinkHeapAfterGcMaxBytes() >> 20, m.gcs(),
                        m.heapAfterGcMinBytes() >> 20, m.heapAfterGcMaxBytes() >> 20);
            }
            Damage damage = compare(maria, pg);
            say("end: %,d rows; %d lost, %d doubled, %d different", damage.rows(), damage.lost(), damage.doubled(),
                    damage.different());
            write(rate, load, minutes, damage);
            return damage.lost() == 0 && damage.doubled() == 0 && damage.different() == 0
                    && load.rowsInTarget() == rows ? 0 : 1;
        } finally {
            if (sinkWorker != null) {
                sinkWorker.close();
            }
        }
    }

    /** Until the sink has every row of the loaded table (or 30 minutes pass); the sink worker's heap meanwhile. */
    private Load load(PostgresServer pg, long start) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        long loaded;
        long end;
        // the sink's own count while waiting (cheap, on one connection), then the rows themselves counted once
        try (PgProbe probe = new PgProbe(pg, TARGET_DB)) {
            while (probe.ferryRows() < rows && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            end = System.currentTimeMillis();
            loaded = probe.count(BenchData.TABLE);
        }
        long[] heap = heapWindow(sinkWorker.heapAfterGc(), start, end);
        return new Load(rows, (end - start) / 1000.0, (int) heap[0], heap[1], heap[2], loaded);
    }

    /** {collections, min, max heap after GC} of {epoch millis, heap after} events between two instants. */
    static long[] heapWindow(List<long[]> collections, long from, long to) {
        long min = Long.MAX_VALUE;
        long max = 0;
        int count = 0;
        for (long[] gc : collections) {
            if (gc[0] >= from && gc[0] < to) {
                count++;
                min = Math.min(min, gc[1]);
                max = Math.max(max, gc[1]);
            }
        }
        return new long[]{count, count == 0 ? 0 : min, max};
    }

    /**
     * One step of the ramp. {@code sinkKept}: in sync within 3 s with p99 under 2 s, whatever the source produced;
     * the step counts as kept only when the source also produced the rate (within 5%), so a step the source could not
     * produce shows where the source, not the sink, is the limit.
     */
    record Step(int targetRate, double achievedRate, double p99, double drainSeconds) {
        boolean sinkKept() {
            return p99 < 2.0 && drainSeconds < 3.0;
        }

        boolean kept() {
            return sinkKept() && achievedRate >= 0.95 * targetRate;
        }

        String result() {
            return kept() ? "kept up" : sinkKept() ? "source below target; sink kept up" : "sink fell behind";
        }
    }

    private final List<Step> ramp = new ArrayList<>();

    /**
     * Doubles the rate from 1,000/s while the pipeline keeps up, then halves the gap to the first rate it did not
     * keep up with twice (a doubling alone would report 32,000 for anything up to 63,999); the last rate kept.
     */
    private int sustainableRate(MariaDbServer maria, PostgresServer pg) throws Exception {
        int best = 500;
        int failed = 0;
        for (int rate = 1_000; rate <= 128_000; rate *= 2) {
            if (!step(maria, pg, rate)) {
                failed = rate;
                break;
            }
            best = rate;
        }
        for (int i = 0; i < 2 && failed > best + 2_000; i++) {
            int rate = (best + failed) / 2 / 1_000 * 1_000;
            if (step(maria, pg, rate)) {
                best = rate;
            } else {
                failed = rate;
            }
        }
        return best;
    }

    private boolean step(MariaDbServer maria, PostgresServer pg, int rate) throws Exception {
        CdcLatency.Result r = CdcLatency.run("ferry", maria, pg, TARGET_DB, rate, 15);
        Step s = new Step(rate, r.achievedRate(), r.p99(), r.drainSeconds());
        ramp.add(s);
        say("ramp %,7d/s: achieved %,7.0f, p99 %.3f s, in sync %.1f s after: %s", rate, r.achievedRate(), r.p99(),
                r.drainSeconds(), s.result());
        return s.kept();
    }

    private Minute minute(int n, CdcLatency.Result r, long from, long to) throws Exception {
        long[] here = heapWindow(gcs, from, to);
        long[] sink = heapWindow(sinkWorker.heapAfterGc(), from, to);
        return new Minute(n, r.targetRate(), r.achievedRate(), r.changes(), r.p50(), r.p99(), r.max(), r.drainSeconds(),
                (int) here[0], here[1], here[2], (int) sink[0], sink[1], sink[2]);
    }

    /** The heap in use right after each collection: what the pipeline really keeps, minute by minute. */
    private void listenToGc() {
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        NotificationListener listener = (notification, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                    (CompositeData) notification.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
            gcs.add(new long[]{System.currentTimeMillis(), used});
        };
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
            }
        }
    }

    /** Source and target row by row, both read in key order: rows missing, rows the source no longer has, rows unlike. */
    static Damage compare(MariaDbServer maria, PostgresServer pg) throws Exception {
        try (Connection s = maria.connect(BenchData.DATABASE); Connection t = pg.connect(TARGET_DB);
             Statement ss = s.createStatement(); Statement ts = t.createStatement()) {
            ss.setFetchSize(10_000); // both drivers stream in chunks instead of holding the table
            t.setAutoCommit(false);
            ts.setFetchSize(10_000);
            try (ResultSet a = ss.executeQuery("SELECT id, payload, DATE_FORMAT(src_ts, '%Y-%m-%d %H:%i:%s.%f') FROM events "
                    + "ORDER BY id");
                 ResultSet b = ts.executeQuery("SELECT id, payload, to_char(src_ts, 'YYYY-MM-DD HH24:MI:SS.US') FROM events "
                         + "ORDER BY id")) {
                long lost = 0;
                long doubled = 0;
                long different = 0;
                long rows = 0;
                boolean hasA = a.next();
                boolean hasB = b.next();
                while (hasA || hasB) {
                    int cmp = !hasA ? 1 : !hasB ? -1 : Long.compare(a.getLong(1), b.getLong(1));
                    if (cmp < 0) {
                        lost++;
                        rows++;
                        hasA = a.next();
                    } else if (cmp > 0) {
                        doubled++;
                        hasB = b.next();
                    } else {
                        if (!java.util.Objects.equals(a.getString(2), b.getString(2))
                                || !java.util.Objects.equals(a.getString(3), b.getString(3))) {
                            different++;
                        }
                        rows++;
                        hasA = a.next();
                        hasB = b.next();
                    }
                }
                return new Damage(lost, doubled, different, rows);
            }
        }
    }

    private void write(int rate, Load load, List<Minute> minutes, Damage damage) throws Exception {
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("duration_seconds", duration.toSeconds());
        root.put("rate_changes_per_second", rate);
        root.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("sink_worker_max_heap", SINK_HEAP);
        root.set("machine", json.valueToTree(machine.asMap()));
        root.putPOJO("load", json.convertValue(load, ObjectNode.class));
        ArrayNode steps = root.putArray("ramp");
        ramp.forEach(st -> steps.addObject().put("target_rate", st.targetRate())
                .put("achieved_rate", Math.round(st.achievedRate())).put("p99_seconds", st.p99())
                .put("in_sync_after_seconds", st.drainSeconds()).put("kept", st.kept())
                .put("sink_kept_up_with_what_the_source_produced", st.sinkKept()));
        ArrayNode list = root.putArray("minutes");
        StringBuilder md = new StringBuilder("# Ferry soak\n\n").append(machine.describe()).append("\n\n")
                .append(String.format(
                "Shipped connector files. Full load of %,d rows: %,d in the target after %.1f s (%,.0f rows/s); the "
                        + "sink worker's heap after GC %,d-%,d MB over %d collections.%n%n", load.rows(),
                load.rowsInTarget(), load.seconds(), load.rowsInTarget() / load.seconds(),
                load.sinkHeapAfterGcMinBytes() >> 20, load.sinkHeapAfterGcMaxBytes() >> 20, load.sinkGcs()))
                .append(String.format(
                "Then mixed CDC (60%% inserts, 30%% updates, 10%% deletes) at %,d changes/s, the highest rate this machine "
                        + "kept up with (%d cores), for %s. The sink runs on a Connect worker in its own JVM "
                        + "(-Xmx%s, nothing else on it): its heap after GC is the sink task's with its worker; the "
                        + "broker and the source worker share this JVM (heap max %d MB).%n%n", rate,
                Runtime.getRuntime().availableProcessors(), duration, SINK_HEAP, Runtime.getRuntime().maxMemory() >> 20))
                .append(rampTable())
                .append("| minute | changes/s | lag p50 s | lag p99 s | lag max s | in sync after s | sink GCs | "
                        + "sink heap after GC MB | this JVM's GCs | its heap after GC MB |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
        for (Minute m : minutes) {
            list.addPOJO(json.convertValue(m, ObjectNode.class));
            md.append(String.format("| %d | %,.0f | %.3f | %.3f | %.3f | %.1f | %d | %,d-%,d | %d | %,d-%,d |%n",
                    m.minute(), m.achievedRate(), m.p50(), m.p99(), m.max(), m.drainSeconds(), m.sinkGcs(),
                    m.sinkHeapAfterGcMinBytes() >> 20, m.sinkHeapAfterGcMaxBytes() >> 20, m.gcs(),
                    m.heapAfterGcMinBytes() >> 20, m.heapAfterGcMaxBytes() >> 20));
        }
        root.putPOJO("end", json.convertValue(damage, ObjectNode.class));
        md.append(String.format("%nAt the end: %,d rows in the source; %d lost, %d doubled, %d different (compared row "
                + "by row, in key order).%n", damage.rows(), damage.lost(), damage.doubled(), damage.different()));
        json.writeValue(out.resolve("soak.json").toFile(), root);
        Files.writeString(out.resolve("soak.md"), md);
        say("wrote %s and %s", out.resolve("soak.json"), out.resolve("soak.md"));
    }

    /** The ramp's steps, so a reader sees whether the source or the sink set the rate held. */
    private String rampTable() {
        StringBuilder b = new StringBuilder("Ramp (15 s per step; kept: the source produced the rate within 5% and the "
                + "target was in sync within 3 s with p99 under 2 s):\n\n| target changes/s | produced | p99 s | in sync "
                + "after s | result |\n|---:|---:|---:|---:|---|\n");
        for (Step st : ramp) {
            b.append(String.format("| %,d | %,.0f | %.3f | %.1f | %s |%n", st.targetRate(), st.achievedRate(), st.p99(),
                    st.drainSeconds(), st.result()));
        }
        return b.append("\n").toString();
    }

    private static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }
}
