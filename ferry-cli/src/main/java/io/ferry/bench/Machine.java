package io.ferry.bench;

import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a run was measured on, written into every report: ratios are compared across days, and the same pgloader binary
 * loaded the bench's table at 57,574 rows/s on 2026-12-07 and about 100,000 on 2026-12-08 on "2 cores" both times. A
 * number that cannot be read says so ("unknown"); a report is never withheld for it.
 */
record Machine(String cpu, int cores, long memoryMb, String kernel, String java, String postgres, String mariadb,
               String pgloader, String commit) {

    private static final String UNKNOWN = "unknown";

    static Machine of(PostgresServer pg, MariaDbServer maria, Path pgloaderPath) {
        // the first "model name" of /proc/cpuinfo: on a cloud machine, the host type a run happened to get
        return new Machine(firstValue(Path.of("/proc/cpuinfo"), "model name"), Runtime.getRuntime().availableProcessors(), totalMemoryMb(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " (transparent huge pages: "
                        + hugePages(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")) + ")",
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
                serverVersion(() -> pg.connect("postgres"), "SHOW server_version"),
                serverVersion(() -> maria.connect("mysql"), "SELECT VERSION()"),
                pgloaderPath == null ? "not used" : pgloaderVersion(pgloaderPath),
                commit(Path.of(System.getProperty("ferry.home", "."))));
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("memory_mb", memoryMb);
        m.put("kernel", kernel);
        m.put("java", java);
        m.put("postgres", postgres);
        m.put("mariadb", mariadb);
        m.put("pgloader", pgloader);
        m.put("commit", commit);
        return m;
    }

    /** One line for the report. */
    String describe() {
        return String.format("Machine: %s, %d cores, %,d MB of memory, %s; %s; PostgreSQL %s, MariaDB %s, pgloader %s. "
                + "Ferry at %s.", cpu, cores, memoryMb, kernel, java, postgres, mariadb, pgloader, commit);
    }

    /**
     * The kernel's transparent huge page mode, the bracketed word of "always [madvise] never": a memory-bound process
     * such as pgloader's Lisp heap pays its page faults by it.
     */
    static String hugePages(Path file) {
        try {
            String line = Files.readString(file, StandardCharsets.UTF_8);
            int open = line.indexOf('['), close = line.indexOf(']');
            return open >= 0 && close > open ? line.substring(open + 1, close) : UNKNOWN;
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    private static long totalMemoryMb() {
        String kb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        try {
            return Long.parseLong(kb.replace("kB", "").trim()) / 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The value after the first "key:" line of a /proc file, or "unknown". */
    static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux, or not readable: the report says unknown
        }
        return UNKNOWN;
    }

    private interface Connect {
        Connection open() throws SQLException;
    }

    private static String serverVersion(Connect connect, String sql) {
        try (Connection c = connect.open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : UNKNOWN;
        } catch (SQLException e) {
            return UNKNOWN;
        }
    }

    /** The commit the runner was built from, marked when the tree had uncommitted changes; "unknown" outside git. */
    private static String commit(Path home) {
        List<String> head = output(home, "git", "rev-parse", "--short", "HEAD");
        if (head == null || head.isEmpty()) {
            return UNKNOWN;
        }
        List<String> changed = output(home, "git", "status", "--porcelain", "--untracked-files=no");
        return changed == null || changed.isEmpty() ? head.get(0) : head.get(0) + " with uncommitted changes";
    }

    /** pgloader's own words: its version and the Lisp it was compiled with ("3.6.7~devel, compiled with SBCL 2.2.9"). */
    private static String pgloaderVersion(Path pgloader) {
        List<String> lines = output(Path.of("."), pgloader.toString(), "--version");
        return lines == null || lines.isEmpty() ? UNKNOWN
                : String.join(", ", lines).replace("\"", "").replaceFirst("^pgloader version ", "");
    }

    /** The non-empty lines a command prints to stdout in dir, or null when it fails or hangs. */
    private static List<String> output(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() != 0 ? null : out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
