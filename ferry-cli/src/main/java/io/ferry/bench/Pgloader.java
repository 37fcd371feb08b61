package io.ferry.bench;

import io.ferry.embedded.DebianPackage;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** pgloader migrating the same MySQL table directly (one-shot, no Kafka): the tool Ferry replaces for the full load. */
final class Pgloader {
    private Pgloader() {}

    static final int HEAP_MB = 4096;

    /** The pgloader on PATH, or null. */
    static Path locate() {
        return DebianPackage.locate("pgloader");
    }

    /** pgloader, installed from Debian's packages when it is missing and can be (see {@link DebianPackage}). */
    static Path locateOrInstall(Path logDir) throws Exception {
        Path found = DebianPackage.locateOrInstall("pgloader", "pgloader", logDir);
        if (found == null) {
            System.out.println("  (or pass --skip pgloader)");
        }
        return found;
    }

    /**
     * pgloader's load settings measured, by result name: its defaults, and the fastest setting tried on this machine.
     * Its default prefetch (100,000 rows held per table between reader and writer) costs pgloader's Lisp heap about
     * 1.1 GB and some 700,000 page faults over a million rows of this table; 10,000 rows need 450 MB and ran 14.2-15.4 s
     * against 19.8-21.5 s for the defaults, alternating (2,500 and 25,000 rows, or 4 workers, were no faster). The
     * headline ratio uses whichever is faster in the run, so Ferry is compared with pgloader at its best.
     */
    static final Map<String, String> SETTINGS = settings();

    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>(); // in this order in every round (Map.of has none)
        settings.put("pgloader", "");
        settings.put("pgloader_prefetch_10000", "prefetch rows = 10000");
        return settings;
    }

    /** One measurement per {@link #SETTINGS} entry, their runs alternating so a slow spell of the machine hits both. */
    static List<Measurement> measure(Path binary, MariaDbServer maria, PostgresServer pg, CpuMeter meter, long rows,
                                     long bytes, int runs)
            throws Exception {
        List<Measurement> result = new ArrayList<>();
        if (binary == null) {
            result.add(Measurement.skipped("pgloader", "pgloader is not installed here (Debian: apt-get install pgloader)"));
            return result;
        }
        Map<String, Measurement> bySetting = new LinkedHashMap<>();
        Map<String, Integer> failures = new LinkedHashMap<>();
        Set<String> givenUp = new HashSet<>();
        for (Map.Entry<String, String> setting : SETTINGS.entrySet()) {
            Measurement m = new Measurement(setting.getKey(), rows, bytes);
            m.note = "pgloader " + binary + " direct MySQL -> PostgreSQL, "
                    + (setting.getValue().isEmpty() ? "default load settings" : "WITH " + setting.getValue())
                    + ", --dynamic-space-size " + HEAP_MB + ", the benchmark table only, before Kafka starts";
            bySetting.put(setting.getKey(), m);
            failures.put(setting.getKey(), 0);
        }
        for (int run = 1; run <= runs; run++) {
            for (Map.Entry<String, String> setting : SETTINGS.entrySet()) {
                String name = setting.getKey();
                Measurement m = bySetting.get(name);
                if (givenUp.contains(name)) {
                    continue;
                }
                String failed = null;
                for (int attempt = 0; attempt < 3; attempt++) {
                    // a database of its own per attempt: the failed one may hold part of the table
                    failed = once(binary, maria, pg, meter, rows, name + "_" + run + (attempt == 0 ? "" : "_retry" + attempt),
                            setting.getValue(), m);
                    if (failed == null) {
                        break;
                    }
                    failures.merge(name, 1, Integer::sum);
                    System.out.printf("  %s run %d failed (%s)%s%n", name, run, failed, attempt < 2 ? "; trying it again" : "");
                }
                if (failed != null) {
                    givenUp.add(name);
                    bySetting.put(name, Measurement.skipped(name, "pgloader failed 3 times (" + failed + ")"));
                }
            }
        }
        for (Map.Entry<String, Measurement> e : bySetting.entrySet()) {
            int failed = failures.get(e.getKey());
            if (failed > 0 && e.getValue().measured()) {
                e.getValue().note += "; " + failed + " failed run(s) repeated";
            }
            result.add(e.getValue());
        }
        return result;
    }

    /** One timed load into a fresh database; null when it loaded every row, else why not. */
    private static String once(Path binary, MariaDbServer maria, PostgresServer pg, CpuMeter meter, long rows, String db, String with,
                               Measurement m) throws Exception {
        QuietPostgres.freshDatabase(pg, db);
        String from = "mysql://" + maria.user() + "@" + maria.host() + ":" + maria.port() + "/" + BenchData.DATABASE;
        String to = "postgresql://" + pg.user() + ":" + pg.password() + "@127.0.0.1:" + pg.port() + "/" + db;
        Path log = Files.createTempFile("pgloader", ".log");
        // only the benchmark table: the database also holds the CDC measurement's events table
        Path command = Files.createTempFile("pgloader", ".load");
        Files.writeString(command, "LOAD DATABASE\n  FROM " + from + "\n  INTO " + to
                + (with.isEmpty() ? "" : "\n  WITH " + with)
                + "\n  INCLUDING ONLY TABLE NAMES MATCHING '" + BenchData.TABLE + "';\n");
        CpuMeter.Run run = meter.start();
        long t0 = System.nanoTime();
        // Debian's pgloader runs SBCL with a 1 GB heap, which a million rows of this table can exhaust ("Heap
        // exhausted, game over", then a debugger prompt that waits forever): give it room, and retry a failed run
        Process p = new ProcessBuilder(binary.toString(), "--dynamic-space-size", Integer.toString(HEAP_MB),
                command.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long limitSeconds = Math.max(120, rows / 2_000);
        if (!p.waitFor(limitSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            boolean timedOut = p.isAlive();
            p.destroyForcibly();
            return "exit " + (timedOut ? "timeout" : p.exitValue()) + ", see " + log;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        CpuMeter.Use cpu = run.stop();
        long loaded = BenchCommand.count(pg, db, BenchData.DATABASE + "\".\"" + BenchData.TABLE);
        if (loaded < rows) {
            loaded = BenchCommand.count(pg, db, BenchData.TABLE);
        }
        if (loaded < rows) {
            return "loaded " + loaded + " of " + rows + " rows, see " + log;
        }
        m.seconds.add(seconds);
        m.cpu.add(cpu);
        return null;
    }
}
