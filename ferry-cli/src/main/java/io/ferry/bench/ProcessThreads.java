package io.ferry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where another JVM's CPU went, by the same thread groups as {@link CpuMeter}'s for the bench's own: a command the
 * bench starts ({@code ferry migrate}) runs the pipeline in its own process. Its threads' CPU is read from
 * {@code /proc/PID/task} while it runs, so threads that end before the run does (Debezium's snapshot pool) keep what
 * they used; /proc truncates their names to 15 characters, so the full Java names of the threads still alive at the
 * end come from one {@code jcmd Thread.print}, by native thread id.
 */
final class ProcessThreads {

    private static final double TICKS_PER_SECOND = 100.0;
    private static final Pattern THREAD = Pattern.compile("^\"(.+)\".*\\bnid=(0x[0-9a-f]+|\\d+)");

    private final long pid;
    /** Native thread id to its last ticks and its /proc name. */
    private final Map<Long, Long> ticks = new HashMap<>();
    private final Map<Long, String> procNames = new HashMap<>();

    ProcessThreads(long pid) {
        this.pid = pid;
    }

    /** Reads every thread's CPU so far; cheap enough to call every few hundred milliseconds. */
    void sample() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                int close = stat.lastIndexOf(')');
                String[] f = stat.substring(close + 2).split(" ");
                long tid = Long.parseLong(t.getFileName().toString());
                ticks.put(tid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                procNames.put(tid, stat.substring(stat.indexOf('(') + 1, close));
            }
        } catch (IOException | RuntimeException e) {
            // no /proc, or the process has ended: the samples so far stand
        }
    }

    /**
     * Seconds of CPU by group ({@link CpuMeter#THREAD_GROUPS}, "jit", "gc" and "other"), after a last sample; the
     * process must still run.
     */
    Map<String, Double> split() {
        sample();
        Map<Long, String> javaNames = javaNames();
        Map<String, Double> out = new LinkedHashMap<>();
        CpuMeter.THREAD_GROUPS.forEach(g -> out.put(g, 0.0));
        out.put("jit", 0.0);
        out.put("gc", 0.0);
        out.put("other", 0.0);
        ticks.forEach((tid, t) -> out.merge(group(procNames.get(tid), javaNames.get(tid)), t / TICKS_PER_SECOND,
                Double::sum));
        return out;
    }

    /** Native thread id to Java thread name, for the threads alive now; empty when jcmd cannot tell. */
    private Map<Long, String> javaNames() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return Map.of();
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return names(text);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** The threads of a thread dump by native id: {@code nid=0x1a2b} up to JDK 20, {@code nid=6699} from JDK 21. */
    static Map<Long, String> names(String threadDump) {
        Map<Long, String> names = new HashMap<>();
        for (String line : threadDump.split("\n")) {
            Matcher m = THREAD.matcher(line);
            if (m.find()) {
                String nid = m.group(2);
                names.put(nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid), m.group(1));
            }
        }
        return names;
    }

    /** The group of one thread: HotSpot's compiler and collector threads by their /proc name, the rest by Java's. */
    static String group(String procName, String javaName) {
        String hotspot = CpuMeter.hotspotGroup(procName);
        return hotspot != null ? hotspot : CpuMeter.group(javaName != null ? javaName : procName);
    }
}
