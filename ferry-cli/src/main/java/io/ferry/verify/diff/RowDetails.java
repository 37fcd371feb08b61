package io.ferry.verify.diff;

import io.ferry.verify.plan.TablePlan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Reads given rows on both sides, column by column, and says exactly how each differs: missing in the target, extra
 * in the target, or which columns hold other values (with digests, never the values). Rows are looked up by their key
 * columns where the key is plain (an index serves), else by the key's computed text.
 */
public final class RowDetails {

    static final int BATCH = 500;

    private final TablePlan plan;

    public RowDetails(TablePlan plan) {
        this.plan = plan;
    }

    /**
     * What differs in these rows now, each row's source digest (to see whether the source keeps changing), and the
     * keys to read again (including a target row's own key when it was paired with its source row by identity).
     */
    public record Compared(List<Difference> differences, Map<String, String> sourceDigests, java.util.Set<String> keys) {}

    public Compared compare(Connection source, Connection target, Collection<String> keys) throws SQLException {
        List<Difference> out = new ArrayList<>();
        Map<String, String> sourceDigests = new HashMap<>();
        List<String> all = new ArrayList<>(keys);
        int identity = identityIndex();
        // rows found on one side only, kept until all are read: a row and its changed twin may be in different batches
        Map<String, String> missingById = new LinkedHashMap<>();
        Map<String, List<String>> missingRows = new HashMap<>();
        Map<String, List<String>> extras = new LinkedHashMap<>();
        for (int from = 0; from < all.size(); from += BATCH) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + BATCH));
            Map<String, List<String>> src = read(Side.SOURCE, source, batch);
            Map<String, List<String>> dst = read(Side.TARGET, target, batch);
            for (String k : batch) {
                List<String> a = src.get(k);
                List<String> b = dst.get(k);
                sourceDigests.put(k, a == null ? "absent" : Difference.digest(String.join("\u001f", nn(a))));
                if (a == null && b == null) {
                    continue; // gone from both since: nothing differs
                }
                if (b == null) {
                    if (identity >= 0 && a.get(identity) != null) {
                        missingById.put(a.get(identity), k);
                        missingRows.put(k, a);
                    } else {
                        out.add(new Difference(k, Difference.Kind.MISSING_IN_TARGET, null, rowDigest(a), null));
                    }
                } else if (a == null) {
                    extras.put(k, b);
                } else {
                    columns(k, a, b, out);
                }
            }
        }
        // a target row whose natural-key columns were changed is the row its surrogate key says it is
        java.util.Set<String> involved = new java.util.LinkedHashSet<>();
        extras.forEach((k, b) -> {
            String sameRow = identity >= 0 ? missingById.remove(b.get(identity)) : null;
            if (sameRow != null) {
                columns(sameRow, missingRows.get(sameRow), b, out);
                involved.add(k);
            } else {
                out.add(new Difference(k, Difference.Kind.EXTRA_IN_TARGET, null, null, rowDigest(b)));
            }
        });
        missingById.values().forEach(k -> out.add(new Difference(k, Difference.Kind.MISSING_IN_TARGET, null,
                rowDigest(missingRows.get(k)), null)));
        out.forEach(d -> involved.add(d.key()));
        return new Compared(out, sourceDigests, involved);
    }

    private void columns(String key, List<String> a, List<String> b, List<Difference> out) {
        for (int i = 0; i < plan.checks().size(); i++) {
            if (!java.util.Objects.equals(a.get(i), b.get(i))) {
                out.add(new Difference(key, Difference.Kind.VALUE_DIFFERS, plan.checks().get(i).column(),
                        Difference.digest(a.get(i)), Difference.digest(b.get(i))));
            }
        }
    }

    private int identityIndex() {
        for (int i = 0; i < plan.checks().size(); i++) {
            if (plan.checks().get(i).identity()) {
                return i;
            }
        }
        return -1;
    }

    private static String rowDigest(List<String> values) {
        return Difference.digest(String.join("\u001f", nn(values)));
    }

    private static List<String> nn(List<String> values) {
        return values.stream().map(v -> v == null ? "\u001e" : v).toList();
    }

    private Map<String, List<String>> read(Side side, Connection c, List<String> keys) throws SQLException {
        StringJoiner cols = new StringJoiner(", ");
        cols.add(side.key(plan));
        plan.checks().forEach(ch -> cols.add(side.expr(ch)));
        boolean plain = plan.key().stream().allMatch(k -> side.keyColumn(k) != null);
        StringBuilder sql = new StringBuilder("SELECT " + cols + " FROM " + side.table(plan) + " WHERE ");
        if (plain) {
            String tuple = "(" + String.join(", ", plan.key().stream().map(side::keyColumn).toList()) + ")";
            StringJoiner in = new StringJoiner(", ", tuple + " IN (", ")");
            String params = "(" + String.join(", ", plan.key().stream().map(k -> "?").toList()) + ")";
            keys.forEach(k -> in.add(params));
            sql.append(in);
        } else {
            StringJoiner in = new StringJoiner(", ", side.key(plan) + " IN (", ")");
            keys.forEach(k -> in.add("?"));
            sql.append(in);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = FirstPass.prepare(c, sql.toString())) {
            int i = 1;
            for (String k : keys) {
                for (String part : plain ? k.split("\u001f", -1) : new String[] {k}) {
                    if (side == Side.TARGET) {
                        ps.setObject(i++, part, java.sql.Types.OTHER); // typed by the column it is compared with
                    } else {
                        ps.setString(i++, part);
                    }
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> values = new ArrayList<>(plan.checks().size());
                    for (int j = 0; j < plan.checks().size(); j++) {
                        TablePlan.Check ch = plan.checks().get(j);
                        Object v = rs.getObject(j + 2);
                        values.add(ch.hashable() ? (v == null ? null : v.toString()) : FirstPass.canonical(ch, v));
                    }
                    out.put(rs.getString(1), values);
                }
            }
        } finally {
            FirstPass.endRead(c);
        }
        return out;
    }
}
