import java.sql.*;
import java.util.*;
import java.nio.file.*;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import java.io.*;

public class RegBench {
    static double cpu(int pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        int n = 1_000_000, batch = 5000;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:55432/postgres?user=postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS reg");
                s.execute("CREATE TABLE reg (table_name text COLLATE \"C\" NOT NULL, natural_key text COLLATE \"C\" NOT NULL, "
                    + "id bigint GENERATED ALWAYS AS IDENTITY UNIQUE, allocated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (table_name, natural_key))");
                s.execute("CHECKPOINT");
            }
            int pid;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) { rs.next(); pid = rs.getInt(1); }
            c.setAutoCommit(false);
            String seq;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_get_serial_sequence('reg','id')")) { rs.next(); seq = rs.getString(1); }
            c.commit();
            double cpu0 = cpu(pid);
            long t0 = System.nanoTime();
            long got = 0;
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            for (int b = 0; b < n / batch; b++) {
                List<String> keys = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) keys.add(Integer.toString(b * batch + i + 1));
                Map<String, Long> out = new HashMap<>(batch * 2);
                if (mode.equals("insert")) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO reg (table_name, natural_key) SELECT ?, k FROM unnest(?::text[]) AS k ORDER BY k COLLATE \"C\" RETURNING natural_key, id")) {
                        ps.setString(1, "items"); ps.setArray(2, c.createArrayOf("text", keys.toArray()));
                        try (ResultSet rs = ps.executeQuery()) { while (rs.next()) out.put(rs.getString(1), rs.getLong(2)); }
                    }
                } else {
                    long[] ids = new long[batch];
                    try (PreparedStatement ps = c.prepareStatement("SELECT nextval(?::regclass) FROM generate_series(1, ?)")) {
                        ps.setString(1, seq); ps.setInt(2, batch);
                        try (ResultSet rs = ps.executeQuery()) { int i = 0; while (rs.next()) ids[i++] = rs.getLong(1); }
                    }
                    Collections.sort(keys);
                    StringBuilder sb = new StringBuilder(batch * 24);
                    for (int i = 0; i < batch; i++) { sb.append("items\t").append(keys.get(i)).append('\t').append(ids[i]).append('\n'); out.put(keys.get(i), ids[i]); }
                    cm.copyIn("COPY reg (table_name, natural_key, id) FROM STDIN", new StringReader(sb.toString()));
                }
                c.commit();
                got += out.size();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: %d keys in %.2f s, backend CPU %.2f s%n", mode, got, secs, cpu(pid) - cpu0);
        }
    }
}
