// A throwaway check (2026-12-08): with schema.history.internal.store.only.captured.databases.ddl=true, are the tables
// of the captured database that table.include.list leaves out still in the schema history? Run:
//   java -cp "ferry-cli/target/ferry-cli.jar:ferry-cli/target/lib/*" TableListCheck.java
// It migrates 2 of the 4 tables of database "app" (the shipped file with table.include.list added), stops when both
// stream, and prints which tables Debezium added to the history (its "Adding table ... capture schema" lines) and how
// many changes the history held when the command was run again on the same state dir.
import io.ferry.embedded.*;
import java.io.*;
import java.nio.file.*;
import java.sql.*;
import java.util.*;
import java.util.regex.*;

public class TableListCheck {
    public static void main(String[] a) throws Exception {
        Path base = Path.of("/tmp/exp/tablelist-" + System.currentTimeMillis());
        Files.createDirectories(base);
        String shipped = Files.readString(Path.of("/work/main/connectors/mariadb-source.json"));
        Path file = base.resolve("source.json");
        Files.writeString(file, shipped.replace("\"database.include.list\": \"sakila\",",
                "\"database.include.list\": \"sakila\",\n    \"table.include.list\": \"app.customers,app.products\","));
        try (MariaDbServer maria = MariaDbServer.start(base.resolve("maria"));
             PostgresServer pg = PostgresServer.start(base.resolve("pg"))) {
            maria.execute("mysql", "CREATE DATABASE app", "CREATE DATABASE erp");
            try (Connection c = maria.connect("app"); Statement st = c.createStatement()) {
                for (String t : List.of("customers", "products", "orders", "order_lines")) {
                    st.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(40))");
                    st.execute("INSERT INTO " + t + " SELECT seq, CONCAT('name ', seq) FROM seq_1_to_100");
                }
            }
            maria.execute("erp", "CREATE TABLE invoices (id INT PRIMARY KEY)");
            pg.createDatabase("t");
            Path state = base.resolve("state");
            for (int run = 1; run <= 2; run++) {
                ProcessBuilder pb = new ProcessBuilder("bash", "/work/main/ferry", "migrate", "--source", maria.jdbcUrl("app"),
                        "--source-user", "root", "--target", pg.jdbcUrl("t"), "--target-user", pg.user(),
                        "--source-config", file.toString(), "--state-dir", state.toString()).redirectErrorStream(true);
                pb.environment().put("FERRY_NO_BUILD", "1");
                pb.environment().put("FERRY_SOURCE_PASSWORD", maria.password());
                pb.environment().put("FERRY_TARGET_PASSWORD", pg.password());
                Process p = pb.start();
                Set<String> streaming = new HashSet<>();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    String line;
                    while (streaming.size() < 2 && (line = in.readLine()) != null) {
                        System.out.println("  | " + line);
                        Matcher m = Pattern.compile("\\s+(\\w+)\\s+STREAMING.*").matcher(line);
                        if (m.matches()) streaming.add(m.group(1));
                    }
                }
                Thread.sleep(3000);
                p.destroy();
                p.waitFor();
            }
            String log = Files.readString(state.resolve("ferry.log"));
            Matcher added = Pattern.compile("Adding table (\\S+) to the list of capture schema tables").matcher(log);
            Set<String> tables = new TreeSet<>();
            while (added.find()) tables.add(added.group(1));
            Matcher rec = Pattern.compile("Finished database schema history recovery of (\\d+) change").matcher(log);
            String last = "?";
            while (rec.find()) last = rec.group(1);
            System.out.println("tables in the schema history: " + tables + "; changes recovered on the second run: " + last);
        }
    }
}
