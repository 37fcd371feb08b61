package io.ferry.verify.diff;

import io.ferry.verify.TableComparator;
import io.ferry.verify.plan.TablePlan;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleConsumer;

/**
 * Finds the keys whose rows may differ, reading each database once where it can and never holding a whole table:
 * <ul>
 *   <li>hash mode (every compared column has a canonical text both databases produce): rows are put in segments by
 *   the first hex digits of their key's MD5, each database returns per segment the row count and the sum of the
 *   rows' digests, and only segments that differ are read row by row (key and digest), a few at a time;</li>
 *   <li>stream mode (JSON or floating point to compare in Java): both sides are read ordered by key, once, in
 *   parallel, and merged.</li>
 * </ul>
 * Both sides run at the same time, each on its own connection.
 */
public final class FirstPass {

    /** Segments hold about this many rows; smaller tables are read row by row at once. */
    static final int SEGMENT_ROWS = 4096;
    /** Rows of differing segments read in one go, per side. */
    static final int FETCH_ROWS = 100_000;
    static final int FETCH_SIZE = 5000;

    /** What the first pass found. */
    public record Found(String mode, long sourceRows, long targetRows, Map<String, Difference.Kind> candidates,
                        boolean truncated) {}

    private final TablePlan plan;
    private final Connection source;
    private final Connection target;
    private final int maxCandidates;
    private final DoubleConsumer progress;

    public FirstPass(TablePlan plan, Connection source, Connection target, int maxCandidates, DoubleConsumer progress) {
        this.plan = plan;
        this.source = source;
        this.target = target;
        this.maxCandidates = maxCandidates;
        this.progress = progress;
    }

    public Found run() throws SQLException {
        return plan.allHashable() ? hashed() : streamed();
    }

    // ---- hash mode

    /** How rows are put into segments: by key range when the key is one integer column, else by its MD5. */
    private interface Segments {
        /** SQL giving a row's segment id on a side. */
        String id(Side side);

        /** A WHERE clause selecting the rows of these segments on a side (null: every row). */
        String where(Side side, List<String> segments);

        /** Parameters of {@link #where}, in order. */
        List<String> params(List<String> segments);
    }

    private record Md5Prefix(TablePlan plan, int digits) implements Segments {
        public String id(Side side) {
            return digits == 0 ? "''" : side.prefix(side.md5(side.key(plan)), digits);
        }

        public String where(Side side, List<String> segments) {
            if (digits == 0) {
                return null;
            }
            StringJoiner in = new StringJoiner(", ", side.prefix(side.md5(side.key(plan)), digits) + " IN (", ")");
            segments.forEach(x -> in.add("?"));
            return in.toString();
        }

        public List<String> params(List<String> segments) {
            return digits == 0 ? List.of() : segments;
        }
    }

    /** Segments of an integer key's range: counted and read through the key's index, by BETWEEN. */
    private record KeyRange(TablePlan.KeyPart key, long min, long width) implements Segments {
        public String id(Side side) {
            String k = side.keyColumn(key);
            return side == Side.SOURCE ? "CAST((" + k + " - " + min + ") DIV " + width + " AS CHAR)"
                    : "((" + k + " - " + min + ") / " + width + ")::text";
        }

        public String where(Side side, List<String> segments) {
            StringJoiner or = new StringJoiner(" OR ", "(", ")");
            for (String seg : segments) {
                long lo = min + Long.parseLong(seg) * width;
                or.add(side.keyColumn(key) + " BETWEEN " + lo + " AND " + (lo + width - 1));
            }
            return or.toString();
        }

        public List<String> params(List<String> segments) {
            return List.of();
        }
    }

    private Segments segmentsFor() throws SQLException {
        long rows = plan.estimatedRows();
        int digits = segmentDigits(rows);
        if (digits == 0 || plan.key().size() != 1 || !plan.key().get(0).numeric()) {
            return new Md5Prefix(plan, digits);
        }
        TablePlan.KeyPart k = plan.key().get(0);
        List<long[]> bounds = parallel(() -> bounds(Side.SOURCE, source, k), () -> bounds(Side.TARGET, target, k));
        long min = Math.min(bounds.get(0)[0], bounds.get(1)[0]);
        long max = Math.max(bounds.get(0)[1], bounds.get(1)[1]);
        if (min > max) {
            return new Md5Prefix(plan, 0); // both empty
        }
        long segments = Math.max(1, rows / SEGMENT_ROWS);
        long span = max - min + 1;
        if (span <= 0) {
            return new Md5Prefix(plan, digits); // the range overflows a long: segment by hash
        }
        return new KeyRange(k, min, Math.max(1, (span + segments - 1) / segments));
    }

    private long[] bounds(Side side, Connection c, TablePlan.KeyPart k) throws SQLException {
        String col = side.keyColumn(k);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MIN(" + col + "), MAX(" + col
                + ") FROM " + side.table(plan))) {
            rs.next();
            long min = rs.getLong(1);
            if (rs.wasNull()) {
                return new long[] {Long.MAX_VALUE, Long.MIN_VALUE};
            }
            return new long[] {min, rs.getLong(2)};
        }
    }

    private Found hashed() throws SQLException {
        Segments segments = segmentsFor();
        boolean single = segments instanceof Md5Prefix m && m.digits() == 0;
        Map<String, String[]> src;
        Map<String, String[]> dst;
        if (single) {
            src = Map.of("", new String[] {"?", "?"});
            dst = Map.of("", new String[] {"!", "!"}); // one segment, read row by row
        } else {
            List<Map<String, String[]>> both = parallel(() -> segments(Side.SOURCE, source, segments),
                    () -> segments(Side.TARGET, target, segments));
            src = both.get(0);
            dst = both.get(1);
        }
        progress.accept(0.5);
        long srcRows = single ? -1 : src.values().stream().mapToLong(v -> Long.parseLong(v[0])).sum();
        long dstRows = single ? -1 : dst.values().stream().mapToLong(v -> Long.parseLong(v[0])).sum();
        List<String> differing = new ArrayList<>();
        java.util.Set<String> all = new java.util.TreeSet<>(src.keySet());
        all.addAll(dst.keySet());
        for (String s : all) {
            String[] a = src.get(s);
            String[] b = dst.get(s);
            if (a == null || b == null || !a[0].equals(b[0]) || !a[1].equals(b[1])) {
                differing.add(s);
            }
        }
        Map<String, Difference.Kind> candidates = new LinkedHashMap<>();
        long readSrc = 0;
        long readDst = 0;
        boolean truncated = false;
        int done = 0;
        for (List<String> batch : batches(differing, src, dst)) {
            List<Map<String, String>> rows = parallel(() -> rows(Side.SOURCE, source, segments, batch),
                    () -> rows(Side.TARGET, target, segments, batch));
            readSrc += rows.get(0).size();
            readDst += rows.get(1).size();
            truncated |= compare(rows.get(0), rows.get(1), candidates);
            done += batch.size();
            progress.accept(0.5 + 0.5 * done / Math.max(1, differing.size()));
            if (truncated) {
                break;
            }
        }
        return new Found(segments instanceof KeyRange ? "range" : "hash", single ? readSrc : srcRows,
                single ? readDst : dstRows, candidates, truncated);
    }

    /** Hex digits of the segment id: about SEGMENT_ROWS rows per segment, none for a small table. */
    static int segmentDigits(long rows) {
        int digits = 0;
        while (rows > SEGMENT_ROWS * Math.pow(16, digits)) {
            digits++;
        }
        return Math.min(digits, 5);
    }

    private Map<String, String[]> segments(Side side, Connection c, Segments segments) throws SQLException {
        String sql = "SELECT " + segments.id(side) + ", COUNT(*), SUM(" + side.number(side.md5(side.rowText(plan)))
                + ") FROM " + side.table(plan) + " GROUP BY 1";
        Map<String, String[]> out = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), new String[] {rs.getString(2), new java.math.BigDecimal(rs.getString(3)).toPlainString()});
            }
        }
        return out;
    }

    private static List<List<String>> batches(List<String> differing, Map<String, String[]> src, Map<String, String[]> dst) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long rows = 0;
        for (String s : differing) {
            long n = Math.max(count(src.get(s)), count(dst.get(s)));
            if (!current.isEmpty() && (rows + n > FETCH_ROWS || current.size() >= 1000)) {
                out.add(current);
                current = new ArrayList<>();
                rows = 0;
            }
            current.add(s);
            rows += n;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static long count(String[] segment) {
        return segment == null || segment[0].equals("?") || segment[0].equals("!") ? 0 : Long.parseLong(segment[0]);
    }

    /** Key -> row digest for the rows of the given segments. */
    private Map<String, String> rows(Side side, Connection c, Segments segments, List<String> batch) throws SQLException {
        String key = side.key(plan);
        StringBuilder sql = new StringBuilder("SELECT " + key + ", " + side.md5(side.rowText(plan)) + " FROM " + side.table(plan));
        String where = segments.where(side, batch);
        if (where != null) {
            sql.append(" WHERE ").append(where);
        }
        List<String> params = segments.params(batch);
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = prepare(c, sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                ps.setString(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } finally {
            endRead(c);
        }
        return out;
    }

    /** @return whether the candidates reached the cap */
    private boolean compare(Map<String, String> src, Map<String, String> dst, Map<String, Difference.Kind> candidates) {
        for (Map.Entry<String, String> e : src.entrySet()) {
            String other = dst.get(e.getKey());
            if (other == null) {
                candidates.put(e.getKey(), Difference.Kind.MISSING_IN_TARGET);
            } else if (!other.equals(e.getValue())) {
                candidates.put(e.getKey(), Difference.Kind.VALUE_DIFFERS);
            }
            if (candidates.size() >= maxCandidates) {
                return true;
            }
        }
        for (String k : dst.keySet()) {
            if (!src.containsKey(k)) {
                candidates.put(k, Difference.Kind.EXTRA_IN_TARGET);
                if (candidates.size() >= maxCandidates) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- stream mode

    private Found streamed() throws SQLException {
        List<TablePlan.Check> java = plan.checks().stream().filter(c -> !c.hashable()).toList();
        Cursor src = new Cursor(Side.SOURCE, source, java);
        Cursor dst = new Cursor(Side.TARGET, target, java);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Map<String, Difference.Kind> candidates = new LinkedHashMap<>();
        boolean truncated = false;
        try {
            Future<?> a = pool.submit(src::open);
            Future<?> b = pool.submit(dst::open);
            await(a);
            await(b);
            src.next();
            dst.next();
            long expected = Math.max(1, plan.estimatedRows());
            while (src.row != null || dst.row != null) {
                int cmp = src.row == null ? 1 : dst.row == null ? -1 : compareOrder(src.row.order, dst.row.order);
                if (cmp < 0) {
                    candidates.put(src.row.key, Difference.Kind.MISSING_IN_TARGET);
                    src.next();
                } else if (cmp > 0) {
                    candidates.put(dst.row.key, Difference.Kind.EXTRA_IN_TARGET);
                    dst.next();
                } else {
                    if (!src.row.key.equals(dst.row.key) || !src.row.digest.equals(dst.row.digest)
                            || !src.row.values.equals(dst.row.values)) {
                        candidates.put(src.row.key, Difference.Kind.VALUE_DIFFERS);
                    }
                    src.next();
                    dst.next();
                }
                if (candidates.size() >= maxCandidates) {
                    truncated = true;
                    break;
                }
                if ((src.count & 0x3fff) == 0) {
                    progress.accept(Math.min(0.99, (double) src.count / expected));
                }
            }
        } finally {
            pool.shutdownNow();
            src.close();
            dst.close();
        }
        return new Found("stream", src.count, dst.count, candidates, truncated);
    }

    private int compareOrder(List<String> a, List<String> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = plan.key().get(i).numeric() ? new BigInteger(a.get(i)).compareTo(new BigInteger(b.get(i)))
                    : a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private record Row(List<String> order, String key, String digest, List<String> values) {}

    /** One side's rows in key order, read as they come. */
    private final class Cursor {
        final Side side;
        final Connection conn;
        final List<TablePlan.Check> java;
        Statement st;
        ResultSet rs;
        Row row;
        long count;

        Cursor(Side side, Connection conn, List<TablePlan.Check> java) {
            this.side = side;
            this.conn = conn;
            this.java = java;
        }

        Void open() throws SQLException {
            List<String> order = side.orderBy(plan);
            StringJoiner cols = new StringJoiner(", ");
            for (int i = 0; i < order.size(); i++) {
                cols.add(plan.key().get(i).numeric() ? "CAST(" + order.get(i) + " AS " + (side == Side.SOURCE ? "CHAR" : "text")
                        + ")" : order.get(i));
            }
            cols.add(side.key(plan)).add(side.md5(side.rowText(plan)));
            java.forEach(c -> cols.add(side.expr(c)));
            String sql = "SELECT " + cols + " FROM " + side.table(plan) + " ORDER BY " + String.join(", ", order);
            if (side == Side.TARGET) {
                conn.setAutoCommit(false); // PostgreSQL streams a result only inside a transaction
            }
            st = conn.createStatement();
            st.setFetchSize(FETCH_SIZE);
            rs = st.executeQuery(sql);
            return null;
        }

        void next() throws SQLException {
            if (!rs.next()) {
                row = null;
                return;
            }
            int n = plan.key().size();
            List<String> order = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                order.add(rs.getString(i));
            }
            List<String> values = new ArrayList<>(java.size());
            for (int i = 0; i < java.size(); i++) {
                values.add(canonical(java.get(i), rs.getObject(n + 3 + i)));
            }
            row = new Row(order, rs.getString(n + 1), rs.getString(n + 2), values);
            count++;
        }

        void close() {
            try {
                if (st != null) {
                    st.close();
                }
                endRead(conn);
            } catch (SQLException ignored) {
                // the comparison is over
            }
        }
    }

    /** A Java-compared value's canonical text: JSON with sorted keys, numbers without trailing zeros. */
    static String canonical(TablePlan.Check check, Object value) {
        String v = TableComparator.canonicalValue(value);
        return check.json() ? TableComparator.canonicalJson(v) : v;
    }

    static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        if (c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            c.setAutoCommit(false);
        }
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setFetchSize(FETCH_SIZE);
        return ps;
    }

    static void endRead(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @SafeVarargs
    private static <T> List<T> parallel(Callable<T>... tasks) throws SQLException {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.length);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> t : tasks) {
                futures.add(pool.submit(t));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(await(f));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T await(Future<T> f) throws SQLException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Sorted view, for tests. */
    static Map<String, Difference.Kind> sorted(Map<String, Difference.Kind> m) {
        return new TreeMap<>(m);
    }
}
