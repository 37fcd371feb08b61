// A throwaway harness (2026-12-07), kept to reproduce docs/bench/table-topics-2026-12-07/:
//   java -cp "ferry-cli/target/ferry-cli.jar:ferry-cli/target/lib/*" ManyTables.java TABLES ROWS ROUNDS VARIANTS
// starts an embedded MariaDB and PostgreSQL, makes TABLES tables of ROWS rows, and times `ferry migrate` (the shipped
// files) until every table is STREAMING, variants alternating per round; then prints the command's CPU by thread name.
//   nopre     -Dferry.no.table.topics=true (topics left to Connect, as before 2026-12-07)
//   pre       the default of its day (topics made up front)
//   pret2     the default, and a source file with snapshot.max.threads=2 (/tmp/exp/src-t2.json)
//   track     -Dferry.topic.tracking=true (Connect's topic tracking on, as before it was turned off)
//   untracked the default since then
//   fetch     a sink file with consumer.override.fetch.min.bytes=1048576, fetch.max.wait.ms=100 (/tmp/exp/sink-fetch.json)
//   coop / eager (before table topics existed): the shipped sink file with / without
//          consumer.override.partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor
//          (/tmp/exp/sink-coop.json, /tmp/exp/sink-eager.json)
// mech.py reads the mechanism (topic creation on the source thread, the lag after the snapshot) from the state dirs.
import io.ferry.embedded.*;
import java.nio.file.*;
import java.sql.*;
import java.util.*;
import java.io.*;

public class ManyTables {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]); int rows = Integer.parseInt(a[1]); int rounds = Integer.parseInt(a[2]);
        List<String> variants = List.of(a[3].split(","));
        Path base = Path.of("/tmp/exp/run-" + System.currentTimeMillis());
        Files.createDirectories(base);
        try (MariaDbServer maria = MariaDbServer.start(base.resolve("maria"));
             PostgresServer pg = PostgresServer.start(base.resolve("pg"))) {
            maria.execute("mysql", "CREATE DATABASE many");
            try (Connection c = maria.connect("many"); Statement st = c.createStatement()) {
                for (int i = 1; i <= n; i++) {
                    String t = String.format("t%03d", i);
                    st.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2), created DATETIME)");
                    st.execute("INSERT INTO " + t + " SELECT seq, CONCAT('name ', seq), seq / 7, '2024-01-01' + INTERVAL seq MINUTE FROM seq_1_to_" + rows);
                }
            }
            System.out.println("source ready: " + n + " tables x " + rows);
            for (int r = 1; r <= rounds; r++) {
                for (String v : variants) {
                    String db = "m_" + v + "_" + r;
                    pg.createDatabase(db);
                    Path state = base.resolve("state-" + v + "-" + r);
                    List<String> cmd = new ArrayList<>(List.of("bash", "/work/main/ferry", "migrate", "--source", maria.jdbcUrl("many"),
                        "--source-user", "root", "--target", pg.jdbcUrl(db), "--target-user", pg.user(),
                        "--sink-config", "/tmp/exp/sink-" + (v.startsWith("coop") ? "coop" : v.startsWith("fetch") ? "fetch" : "eager") + ".json", "--state-dir", state.toString()));
                    if (v.endsWith("t2")) { cmd.add("--source-config"); cmd.add("/tmp/exp/src-t2.json"); }
                    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                    pb.environment().put("FERRY_NO_BUILD", "1");
                    if (v.endsWith("nopre")) pb.environment().put("FERRY_JAVA_OPTS", "-Xmx3g -Dferry.no.table.topics=true");
                    if (v.endsWith("track")) pb.environment().put("FERRY_JAVA_OPTS", "-Xmx3g -Dferry.topic.tracking=true");
                    pb.environment().put("FERRY_SOURCE_PASSWORD", maria.password());
                    pb.environment().put("FERRY_TARGET_PASSWORD", pg.password());
                    long t0 = System.nanoTime();
                    Process p = pb.start();
                    int streaming = 0; double deployed = -1;
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
                         PrintWriter log = new PrintWriter(Files.newBufferedWriter(base.resolve("out-" + v + "-" + r + ".log")))) {
                        String line;
                        while (streaming < n && (line = in.readLine()) != null) {
                            log.println(line);
                            if (line.contains("deployed ") && deployed < 0) deployed = (System.nanoTime() - t0) / 1e9;
                            if (line.matches("\\s+t\\d{3}\\s+STREAMING.*")) streaming++;
                        }
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    Map<String, Double> byName = new TreeMap<>();
                    try (var tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
                        for (Path t : tasks.toList()) {
                            try {
                                String comm = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                                String[] st = Files.readString(t.resolve("stat")).replaceAll(".*\\) ", "").split(" ");
                                double cpu = (Long.parseLong(st[11]) + Long.parseLong(st[12])) / 100.0;
                                byName.merge(comm, cpu, Double::sum);
                                if (comm.startsWith("KafkaBasedLog") || comm.startsWith("data-plane")) System.out.printf("    tid %s %s %.2f%n", t.getFileName(), comm, cpu);
                            } catch (Exception e) { }
                        }
                    }
                    byName.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(25)
                        .forEach(e -> System.out.printf("    %-20s %6.2f%n", e.getKey(), e.getValue()));
                    Process j = new ProcessBuilder("jcmd", Long.toString(p.pid()), "Thread.print").redirectErrorStream(true).start();
                    try (BufferedReader jr = new BufferedReader(new InputStreamReader(j.getInputStream()))) {
                        jr.lines().filter(l -> l.startsWith("\"KafkaBasedLog") || l.startsWith("\"data-plane")).forEach(l -> System.out.println("    " + l.replaceAll(" cpu=.*nid=", " nid=")));
                    }
                    p.destroy(); p.waitFor();
                    long revokes;
                    try (var lines = Files.lines(state.resolve("ferry.log"))) {
                        revokes = lines.filter(l -> l.contains("connector-consumer") && l.contains("Revoke previously assigned")).count();
                    }
                    long count;
                    try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
                        long sum = 0;
                        for (int i = 1; i <= n; i++) {
                            ResultSet rs = st.executeQuery(String.format("SELECT count(*) FROM t%03d", i)); rs.next(); sum += rs.getLong(1);
                        }
                        count = sum;
                    }
                    System.out.printf("%s round %d: %d tables streaming after %.1f s (deployed %.1f s), sink revokes %d, rows %d%n", v, r, streaming, s, deployed, revokes, count);
                }
            }
        }
    }
}
