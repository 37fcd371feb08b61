package io.ferry.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a timed run's CPU went, read around it from the JVM and Linux's {@code /proc}: the machine's busy share,
 * the runner's own JVM (and of it each part of the pipeline by its threads, the JIT compiler threads and the garbage
 * collector's), the processes the runner started and waited for (pgloader), and each server's process tree
 * (PostgreSQL, MariaDB) found by its data directory.
 * On 2 cores every system here is bound by CPU, so this, not a profiler run once by hand, is what explains a
 * ratio, and every report carries it. Where {@code /proc} is missing the servers' and the machine's shares are not
 * known (NaN); the JVM's are.
 */
final class CpuMeter {

    /** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture the JDK runs on there. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Path PROC = Path.of("/proc");

    private final Map<String, String> servers;

    /** @param servers a name per server, with a string its root process's command line holds (its data directory) */
    CpuMeter(Map<String, String> servers) {
        this.servers = new LinkedHashMap<>(servers);
    }

    /** CPU counters at one instant. */
    record Reading(long nanos, long machineBusyTicks, long machineTicks, long jvmCpuNanos, long jitTicks,
                   long gcTicks, long childTicks, Map<String, Long> serverTicks, Map<Long, Long> threadNanos,
                   Map<Long, String> threadGroups) {}

    /** The parts of the pipeline the runner's Java threads are grouped into, in report order. */
    static final List<String> THREAD_GROUPS = List.of("snapshot_pool", "debezium", "source_task", "producer_network",
            "broker", "sink_task", "ferry_writer");

    /**
     * What one run used, in seconds of CPU (machine busy as a share of all cores' time): jit and gc are the CPU of
     * the JVM's compiler threads and of its garbage collector's threads, parts of jvm.
     */
    record Use(double wallSeconds, double machineBusy, double jvm, double jit, double gc, double children,
               Map<String, Double> servers, Map<String, Double> threads) {

        /** The runner's CPU in none of the groups, the compilers or the collector. */
        double otherJvm() {
            double named = (Double.isNaN(jit) ? 0 : jit) + (Double.isNaN(gc) ? 0 : gc);
            for (double t : threads.values()) {
                named += t;
            }
            return Math.max(0, jvm - named);
        }

        /** Every process's CPU counted here: the runner's JVM, its children and the servers. */
        double total() {
            double sum = jvm + (Double.isNaN(children) ? 0 : children);
            for (double s : servers.values()) {
                sum += Double.isNaN(s) ? 0 : s;
            }
            return sum;
        }
    }

    Reading read() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] threads = jvmThreadTicks();
        long[] machine = machineTicks(readOrNull(PROC.resolve("stat")));
        Map<String, Long> serverTicks = new LinkedHashMap<>();
        List<Proc> procs = processes();
        servers.forEach((name, marker) -> serverTicks.put(name, treeTicks(procs, marker)));
        Proc self = Proc.parse(readOrNull(PROC.resolve("self").resolve("stat")), "");
        Map<Long, Long> threadNanos = new HashMap<>();
        Map<Long, String> groups = new HashMap<>();
        sampleThreads(threadNanos, groups);
        return new Reading(System.nanoTime(), machine[0], machine[1], os.getProcessCpuTime(), threads[0], threads[1],
                self == null ? -1 : self.childTicks, serverTicks, threadNanos, groups);
    }

    /** The CPU so far of every thread of the runner, and the group its name puts it in now. */
    private static void sampleThreads(Map<Long, Long> nanos, Map<Long, String> groups) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            long cpu = info == null ? -1 : mx.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                nanos.put(info.getThreadId(), cpu);
                groups.put(info.getThreadId(), group(info.getThreadName()));
            }
        }
    }

    /**
     * A timed run begins: read now, {@link Run#sample()} while it runs (where the runner's own threads do the work),
     * {@link Run#stop()} at its end.
     */
    Run start() {
        return new Run(read());
    }

    /**
     * One timed run. Each sample gives every thread's CPU since the last one to the group of the name the thread
     * has then: Connect runs tasks on pooled threads it renames for each task and names back afterwards, and
     * Debezium's snapshot readers end with the snapshot, before the sink has written the last rows.
     */
    final class Run {
        private final Reading start;
        private final Map<Long, Long> last;
        private final Map<String, Double> threads = new LinkedHashMap<>();
        private long lastSample;

        private Run(Reading start) {
            this.start = start;
            this.last = new HashMap<>(start.threadNanos);
        }

        /** At most every half second, however often it is called (the bench's waits poll every 100 ms). */
        void sample() {
            long now = System.nanoTime();
            if (now - lastSample >= 500_000_000L) {
                lastSample = now;
                Map<Long, Long> nanos = new HashMap<>();
                Map<Long, String> groups = new HashMap<>();
                sampleThreads(nanos, groups);
                attribute(nanos, groups);
            }
        }

        private void attribute(Map<Long, Long> nanos, Map<Long, String> groups) {
            nanos.forEach((id, cpu) -> {
                long delta = Math.max(0, cpu - last.getOrDefault(id, 0L)); // a new thread counts from zero
                last.put(id, cpu);
                threads.merge(groups.get(id), delta / 1e9, Double::sum);
            });
        }

        Use stop() {
            Reading end = read();
            attribute(end.threadNanos, end.threadGroups);
            Use u = between(start, end);
            Map<String, Double> byGroup = new LinkedHashMap<>();
            THREAD_GROUPS.forEach(g -> byGroup.put(g, threads.getOrDefault(g, 0.0)));
            return new Use(u.wallSeconds(), u.machineBusy(), u.jvm(), u.jit(), u.gc(), u.children(), u.servers(), byGroup);
        }
    }

    static Use between(Reading a, Reading b) {
        Map<String, Double> servers = new LinkedHashMap<>();
        a.serverTicks.forEach((name, t0) -> {
            Long t1 = b.serverTicks.get(name);
            servers.put(name, t0 < 0 || t1 == null || t1 < 0 ? Double.NaN : Math.max(0, t1 - t0) / TICKS_PER_SECOND);
        });
        Map<String, Double> threads = new LinkedHashMap<>();
        THREAD_GROUPS.forEach(g -> threads.put(g, 0.0));
        // a thread that started between the readings counts from zero; one that ended between them is lost
        b.threadNanos.forEach((id, nanos) -> threads.computeIfPresent(b.threadGroups.get(id),
                (g, sum) -> sum + Math.max(0, nanos - a.threadNanos.getOrDefault(id, 0L)) / 1e9));
        long allTicks = b.machineTicks - a.machineTicks;
        return new Use((b.nanos - a.nanos) / 1e9,
                a.machineTicks < 0 || allTicks <= 0 ? Double.NaN : (b.machineBusyTicks - a.machineBusyTicks) / (double) allTicks,
                (b.jvmCpuNanos - a.jvmCpuNanos) / 1e9, ticks(a.jitTicks, b.jitTicks), ticks(a.gcTicks, b.gcTicks),
                a.childTicks < 0 ? Double.NaN : (b.childTicks - a.childTicks) / TICKS_PER_SECOND, servers, threads);
    }

    /**
     * Which part of the pipeline a Java thread of the runner works for, by the names Kafka, Connect, Debezium and
     * Ferry give them (the bench names its source connectors ...source... and its sinks ...sink...), "other" for
     * the rest. Debezium reads a snapshot's tables on threads of a JDK pool it does not name ("pool-N-thread-M"):
     * while a load runs they are the only busy ones of that name (Connect's pooled threads carry a task's name while
     * they run it).
     */
    static String group(String name) {
        if (name.startsWith("pool-")) {
            return "snapshot_pool";
        }
        if (name.startsWith("task-thread-")) {
            // Connect names a task's thread by its connector: the bench names each of its connectors "...source..."
            // or "...sink..." for this
            return name.contains("source") ? "source_task" : name.contains("sink") ? "sink_task" : "other";
        }
        if (name.toLowerCase(java.util.Locale.ROOT).contains("debezium")) {
            return "debezium";
        }
        if (name.startsWith("ferry-writer-")) {
            return "ferry_writer";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producer_network";
        }
        if (name.startsWith("data-plane-kafka-") || name.startsWith("kafka-request-handler")
                || name.startsWith("kafka-network-thread") || name.startsWith("ReplicaFetcher")
                || name.startsWith("group-coordinator") || name.startsWith("broker-")) {
            return "broker";
        }
        return "other";
    }

    private static double ticks(long a, long b) {
        return a < 0 || b < 0 ? Double.NaN : Math.max(0, b - a) / TICKS_PER_SECOND;
    }

    /**
     * CPU of this JVM's compiler threads and of its garbage collector's threads, by HotSpot's thread names
     * ({@code C1/C2 CompilerThread}; {@code GC Thread#n}, {@code G1 ...}). Their CPU, not the compilers' own
     * "compilation time", which counts the wall time of each compile, waiting for a core included. Read at a run's
     * start and end only: a compiler thread HotSpot ends between them takes its CPU with it (on 2 cores there is
     * one of each kind, and they stay).
     */
    private static long[] jvmThreadTicks() {
        long jit = 0;
        long gc = 0;
        try (Stream<Path> tasks = Files.list(PROC.resolve("self").resolve("task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat = readOrNull(t.resolve("stat"));
                if (stat == null) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                Proc p = Proc.parse(stat, "");
                String hotspot = hotspotGroup(name);
                if ("jit".equals(hotspot)) {
                    jit += p.ownTicks;
                } else if ("gc".equals(hotspot)) {
                    gc += p.ownTicks;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
        return new long[] {jit, gc};
    }

    /** "jit" or "gc" for HotSpot's compiler and collector threads by their /proc name, else null. */
    static String hotspotGroup(String procName) {
        if (procName.startsWith("C1 Compiler") || procName.startsWith("C2 Compiler")) {
            return "jit";
        }
        if (procName.startsWith("GC Thread") || procName.startsWith("G1 ")) {
            return "gc";
        }
        return null;
    }

    /** Busy and all ticks of every core from /proc/stat's first line; idle and iowait are the not-busy ones. */
    static long[] machineTicks(String stat) {
        if (stat == null) {
            return new long[] {-1, -1};
        }
        String[] f = stat.lines().findFirst().orElse("").trim().split("\\s+");
        long all = 0;
        long idle = 0;
        for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
            long v = Long.parseLong(f[i]);
            all += v;
            if (i == 4 || i == 5) {
                idle += v;
            }
        }
        return new long[] {all - idle, all};
    }

    /** One process from /proc/PID/stat: its parent, its own CPU and its reaped children's, and its command line. */
    record Proc(long pid, long ppid, long ownTicks, long childTicks, String cmdline) {

        static Proc parse(String stat, String cmdline) {
            if (stat == null) {
                return null;
            }
            // the command name is in parentheses and may hold spaces or parentheses: fields start after the last ')'
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).trim().split("\\s+");
            // after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
            return new Proc(Long.parseLong(stat.substring(0, stat.indexOf(' ')).trim()), Long.parseLong(f[1]),
                    Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14]), cmdline);
        }
    }

    /**
     * The CPU of the processes whose command line holds marker and of their children, with the children they have
     * reaped: a PostgreSQL backend that ended counts in its postmaster's. -1 without /proc or with no such process.
     */
    static long treeTicks(List<Proc> procs, String marker) {
        List<Long> roots = new ArrayList<>();
        for (Proc p : procs) {
            if (p.cmdline.contains(marker)) {
                roots.add(p.pid);
            }
        }
        if (roots.isEmpty()) {
            return -1;
        }
        long ticks = 0;
        for (Proc p : procs) {
            if (roots.contains(p.pid) || roots.contains(p.ppid)) {
                ticks += p.ownTicks + p.childTicks;
            }
        }
        return ticks;
    }

    private static List<Proc> processes() {
        List<Proc> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(PROC)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String cmdline = readOrNull(d.resolve("cmdline"));
                try {
                    Proc p = Proc.parse(readOrNull(d.resolve("stat")), cmdline == null ? "" : cmdline.replace('\0', ' '));
                    if (p != null) {
                        out.add(p);
                    }
                } catch (RuntimeException e) {
                    // a stat line this parser does not know leaves that one process out, not every server
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of(); // no /proc (not Linux): the servers' CPU is not known
        }
        return out;
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null; // not Linux, or the process ended between listing and reading
        }
    }
}
