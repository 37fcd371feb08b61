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

    /**
     * What pgloader loads: the source database, one table of it or all (null), the suffix of the measurements' names
     * and the rows each table must hold afterwards.
     */
    record Scope(String database, String onlyTable, String suffix, Map<String, Long> rows) {
        long total() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The benchmark table alone (the database also holds the CDC measurement's events table). */
    static List<Measurement> measure(Path binary, MariaDbServer maria, PostgresServer pg, CpuMeter meter, long rows,
                                     long bytes, int runs) throws Exception {
        return measure(binary, maria, pg, meter, new Scope(BenchData.DATABASE, BenchData.TABLE, "",
                Map.of(BenchData.TABLE, rows)), bytes, runs);
    }

    /** One measurement per {@link #SETTINGS} entry, their runs alternating so a slow spell of the machine hits both. */
    static List<Measurement> measure(Path binary, MariaDbServer maria, PostgresServer pg, CpuMeter meter, Scope scope,
                                     long bytes, int runs)
            throws Exception {
        long rows = scope.total();
        List<Measurement> result = new ArrayList<>();
        if (binary == null) {
            result.add(Measurement.skipped("pgloader" + scope.suffix(), "pgloader is not installed here (Debian: apt-get install pgloader)"));
            return result;
        }
        Map<String, Measurement> bySetting = new LinkedHashMap<>();
        Map<String, Integer> failures = new LinkedHashMap<>();
        Set<String> givenUp = new HashSet<>();
        for (Map.Entry<String, String> setting : SETTINGS.entrySet()) {
            String name = setting.getKey() + scope.suffix();
            Measurement m = new Measurement(name, rows, bytes);
            m.note = "pgloader " + binary + " direct MySQL -> PostgreSQL, "
                    + (setting.getValue().isEmpty() ? "default load settings" : "WITH " + setting.getValue())
                    + ", --dynamic-space-size " + HEAP_MB + (scope.onlyTable() != null ? ", the benchmark table only"
                    : ", every table of " + scope.database() + " with its indexes and foreign keys") + ", before Kafka starts";
            bySetting.put(name, m);
            failures.put(name, 0);
        }
        for (int run = 1; run <= runs; run++) {
            for (Map.Entry<String, String> setting : SETTINGS.entrySet()) {
                String name = setting.getKey() + scope.suffix();
                Measurement m = bySetting.get(name);
                if (givenUp.contains(name)) {
                    continue;
                }
                String failed = null;
                for (int attempt = 0; attempt < 3; attempt++) {
                    // a database of its own per attempt: the failed one may hold part of the table
                    failed = once(binary, maria, pg, meter, scope, name + "_" + run + (attempt == 0 ? "" : "_retry" + attempt),
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
    private static String once(Path binary, MariaDbServer maria, PostgresServer pg, CpuMeter meter, Scope scope, String db,
                               String with, Measurement m) throws Exception {
        QuietPostgres.freshDatabase(pg, db);
        String from = "mysql://" + maria.user() + "@" + maria.host() + ":" + maria.port() + "/" + scope.database();
        String to = "postgresql://" + pg.user() + ":" + pg.password() + "@127.0.0.1:" + pg.port() + "/" + db;
        Path log = Files.createTempFile("pgloader", ".log");
        Path command = Files.createTempFile("pgloader", ".load");
        Files.writeString(command, "LOAD DATABASE\n  FROM " + from + "\n  INTO " + to
                + (with.isEmpty() ? "" : "\n  WITH " + with)
                + (scope.onlyTable() == null ? "" : "\n  INCLUDING ONLY TABLE NAMES MATCHING '" + scope.onlyTable() + "'")
                + ";\n");
        CpuMeter.Run run = meter.start();
        long t0 = System.nanoTime();
        // Debian's pgloader runs SBCL with a 1 GB heap, which a million rows of this table can exhaust ("Heap
        // exhausted, game over", then a debugger prompt that waits forever): give it room, and retry a failed run
        Process p = new ProcessBuilder(binary.toString(), "--dynamic-space-size", Integer.toString(HEAP_MB),
                command.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long limitSeconds = Math.max(120, scope.total() / 2_000);
        if (!p.waitFor(limitSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            boolean timedOut = p.isAlive();
            p.destroyForcibly();
            return "exit " + (timedOut ? "timeout" : p.exitValue()) + ", see " + log;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        CpuMeter.Use cpu = run.stop();
        for (Map.Entry<String, Long> table : scope.rows().entrySet()) {
            // pgloader puts the tables in a schema named after the source database
            long loaded = BenchCommand.count(pg, db, scope.database() + "\".\"" + table.getKey());
            if (loaded < table.getValue()) {
                loaded = BenchCommand.count(pg, db, table.getKey());
            }
            if (loaded < table.getValue()) {
                return "loaded " + loaded + " of " + table.getValue() + " rows of " + table.getKey() + ", see " + log;
            }
        }
        m.seconds.add(seconds);
        m.cpu.add(cpu);
        return null;
    }
}
