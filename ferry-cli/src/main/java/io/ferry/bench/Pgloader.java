package io.ferry.bench;

import io.ferry.embedded.DebianPackage;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    static Measurement measure(Path binary, MariaDbServer maria, PostgresServer pg, long rows, long bytes, int runs) throws Exception {
        if (binary == null) {
            return Measurement.skipped("pgloader", "pgloader is not installed here (Debian: apt-get install pgloader)");
        }
        Measurement m = new Measurement("pgloader", rows, bytes);
        m.note = "pgloader " + binary + " direct MySQL -> PostgreSQL, default load settings, --dynamic-space-size "
                + HEAP_MB + ", the benchmark table only";
        int failures = 0;
        for (int run = 1; run <= runs; run++) {
            String db = "pgl_" + run;
            QuietPostgres.freshDatabase(pg, db);
            String from = "mysql://" + maria.user() + "@" + maria.host() + ":" + maria.port() + "/" + BenchData.DATABASE;
            String to = "postgresql://" + pg.user() + ":" + pg.password() + "@127.0.0.1:" + pg.port() + "/" + db;
            Path log = Files.createTempFile("pgloader", ".log");
            // only the benchmark table: the database also holds the CDC measurement's events table
            Path command = Files.createTempFile("pgloader", ".load");
            Files.writeString(command, "LOAD DATABASE\n  FROM " + from + "\n  INTO " + to
                    + "\n  INCLUDING ONLY TABLE NAMES MATCHING '" + BenchData.TABLE + "';\n");
            long t0 = System.nanoTime();
            // Debian's pgloader runs SBCL with a 1 GB heap, which a million rows of this table can exhaust ("Heap
            // exhausted, game over", then a debugger prompt that waits forever): give it room, and retry a failed run
            Process p = new ProcessBuilder(binary.toString(), "--dynamic-space-size", Integer.toString(HEAP_MB),
                    command.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long limitSeconds = Math.max(120, rows / 2_000);
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                String why = "exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ", see " + log;
                if (++failures <= 2) {
                    System.out.printf("  pgloader run %d failed (%s); trying it again%n", run, why);
                    run--;
                    continue;
                }
                return Measurement.skipped("pgloader", "pgloader failed 3 times (" + why + ")");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long loaded = BenchCommand.count(pg, db, BenchData.DATABASE + "\".\"" + BenchData.TABLE);
            if (loaded < rows) {
                loaded = BenchCommand.count(pg, db, BenchData.TABLE);
            }
            if (loaded < rows) {
                return Measurement.skipped("pgloader", "pgloader loaded " + loaded + " of " + rows + " rows, see " + log);
            }
            m.seconds.add(seconds);
        }
        if (failures > 0) {
            m.note += "; " + failures + " failed run(s) repeated";
        }
        return m;
    }
}
