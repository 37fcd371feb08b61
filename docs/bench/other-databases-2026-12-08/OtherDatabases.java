// A throwaway harness (2026-12-08), kept to reproduce docs/bench/other-databases-2026-12-08/:
//   java -cp "ferry-cli/target/ferry-cli.jar:ferry-cli/target/lib/*" OtherDatabases.java OTHER_TABLES ROUNDS SOURCE_FILE...
// starts an embedded MariaDB and PostgreSQL; the database migrated ("app") has 4 tables of 2,000 rows, another
// database on the same server ("erp") has OTHER_TABLES empty tables of 8 columns and 2 indexes, as a server that
// hosts more than the one application does. For each source file (alternating per round) it times `ferry migrate`
// until the 4 tables are STREAMING, stops it, then runs it again on the same state dir (a resume, as after any
// restart) and reads from the log how long Debezium took to read the table structures (snapshot steps 5 and 6) and
// to recover its schema history on the resume, and how many DDL changes that history holds.
import io.ferry.embedded.*;
import java.io.*;
import java.nio.file.*;
import java.sql.*;
import java.time.*;
import java.util.*;
import java.util.regex.*;

public class OtherDatabases {
    static final List<String> TABLES = List.of("customers", "products", "orders", "order_lines");

    public static void main(String[] a) throws Exception {
        int other = Integer.parseInt(a[0]);
        int rounds = Integer.parseInt(a[1]);
        List<String> files = List.of(a).subList(2, a.length);
        Path base = Path.of("/tmp/exp/otherdb-" + System.currentTimeMillis());
        Files.createDirectories(base);
        try (MariaDbServer maria = MariaDbServer.start(base.resolve("maria"));
             PostgresServer pg = PostgresServer.start(base.resolve("pg"))) {
            maria.execute("mysql", "CREATE DATABASE app", "CREATE DATABASE erp");
            try (Connection c = maria.connect("app"); Statement st = c.createStatement()) {
                for (String t : TABLES) {
                    st.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2), created DATETIME)");
                    st.execute("INSERT INTO " + t + " SELECT seq, CONCAT('name ', seq), seq / 7, '2024-01-01' + INTERVAL seq MINUTE FROM seq_1_to_2000");
                }
            }
            try (Connection c = maria.connect("erp"); Statement st = c.createStatement()) {
                for (int i = 1; i <= other; i++) {
                    st.execute(String.format("CREATE TABLE e%05d (id BIGINT PRIMARY KEY AUTO_INCREMENT, code VARCHAR(32) NOT NULL, "
                            + "name VARCHAR(200), qty INT, price DECIMAL(12,2), created DATETIME(6), note TEXT, flag TINYINT(1), "
                            + "UNIQUE KEY (code), KEY (created))", i));
                }
            }
            System.out.println("source ready: app 4 x 2000 rows, erp " + other + " tables");
            for (int r = 1; r <= rounds; r++) {
                for (int f = 0; f < files.size(); f++) {
                    String v = "f" + f;
                    String db = "t_" + v + "_" + r;
                    pg.createDatabase(db);
                    Path state = base.resolve("state-" + v + "-" + r);
                    double first = run(maria, pg, db, state, files.get(f), base.resolve("out-" + v + "-" + r + ".log"));
                    double resumed = run(maria, pg, db, state, files.get(f), base.resolve("out-" + v + "-" + r + "-resume.log"));
                    String log = Files.readString(state.resolve("ferry.log"));
                    System.out.printf("%s (%s) round %d: streaming after %.1f s; resumed, streaming again after %.1f s;"
                            + " structure read in %s; history recovered: %s%n", v, Path.of(files.get(f)).getFileName(), r,
                            first, resumed, structure(log), recovery(log));
                }
            }
        }
    }

    /** Starts ferry migrate and waits until the four tables print STREAMING, then stops it; the seconds that took. */
    static double run(MariaDbServer maria, PostgresServer pg, String db, Path state, String sourceFile, Path out)
            throws Exception {
        List<String> cmd = List.of("bash", "/work/main/ferry", "migrate", "--source", maria.jdbcUrl("app"),
                "--source-user", "root", "--target", pg.jdbcUrl(db), "--target-user", pg.user(),
                "--source-config", sourceFile, "--state-dir", state.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FERRY_NO_BUILD", "1");
        pb.environment().put("FERRY_SOURCE_PASSWORD", maria.password());
        pb.environment().put("FERRY_TARGET_PASSWORD", pg.password());
        long t0 = System.nanoTime();
        Process p = pb.start();
        Set<String> streaming = new HashSet<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(out))) {
            String line;
            while (streaming.size() < TABLES.size() && (line = in.readLine()) != null) {
                log.println(line);
                Matcher m = Pattern.compile("\\s+(\\w+)\\s+STREAMING.*").matcher(line);
                if (m.matches()) streaming.add(m.group(1));
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        p.destroy();
        p.waitFor();
        return s;
    }

    /** Snapshot step 5 (reading the structure) to step 7 (the data), from the first run's log. */
    static String structure(String log) {
        Matcher s5 = Pattern.compile("T(\\d\\d:\\d\\d:\\d\\d,\\d+) .*Snapshot step 5").matcher(log);
        Matcher s7 = Pattern.compile("T(\\d\\d:\\d\\d:\\d\\d,\\d+) .*Snapshot step 7").matcher(log);
        if (!s5.find() || !s7.find()) return "?";
        return String.format("%.2f s", (LocalTime.parse(s7.group(1).replace(',', '.')).toNanoOfDay()
                - LocalTime.parse(s5.group(1).replace(',', '.')).toNanoOfDay()) / 1e9);
    }

    static String recovery(String log) {
        Matcher m = Pattern.compile("Finished database schema history recovery of (\\d+) change\\(s\\) in (\\d+) ms").matcher(log);
        String last = "?";
        while (m.find()) last = m.group(1) + " changes in " + m.group(2) + " ms";
        return last;
    }
}
