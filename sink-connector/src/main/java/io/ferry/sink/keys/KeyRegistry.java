package io.ferry.sink.keys;

import io.ferry.sink.jdbc.Transactions;
import io.ferry.sink.state.StateSchema;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bigint key registry in the state schema: {@code (table_name, natural_key) -> id}, an identity column. Whoever
 * sees a natural key first (the parent's row or a child referencing it, on any task) allocates its id with
 * {@code INSERT ... ON CONFLICT DO NOTHING}; everybody else reads it. A table whose allocations have met no taken key
 * yet (a full load) inserts without ON CONFLICT, and takes the path above from the first statement that meets one.
 * Allocation commits on its own, before the rows that use the ids are written: an id that ends up unused costs
 * nothing, and once committed it never changes, which is what lets ids be cached. Keys are inserted in sorted order
 * so that two tasks allocating overlapping sets cannot deadlock.
 */
public final class KeyRegistry implements IdAllocator {

    private static final int CACHE_ENTRIES = 200_000;
    private static final String UNIQUE_VIOLATION = "23505";

    private final String insert;
    private final String insertNew;
    private final String select;
    /** Tables whose allocations met keys allocated before: their keys are inserted with ON CONFLICT from then on. */
    private final Set<String> seenTaken = new java.util.HashSet<>();
    private final Map<String, Long> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    public KeyRegistry(StateSchema state) {
        String table = state.table("key_registry");
        this.insert = "INSERT INTO " + table + " (table_name, natural_key) SELECT ?, k FROM unnest(?::text[]) AS k "
                + "ORDER BY k COLLATE \"C\" ON CONFLICT DO NOTHING RETURNING natural_key, id";
        // a plain insert, for tables that have met no allocated key yet (a full load's): ON CONFLICT's speculative
        // insertion (a probe of the key index before each row, a confirming write after it) costs PostgreSQL about
        // 60% more per key on the key index alone
        this.insertNew = "INSERT INTO " + table + " (table_name, natural_key) SELECT ?, k FROM unnest(?::text[]) AS k "
                + "ORDER BY k COLLATE \"C\" RETURNING natural_key, id";
        this.select = "SELECT natural_key, id FROM " + table + " WHERE table_name = ? AND natural_key = ANY(?::text[])";
    }

    @Override
    public Map<String, Long> ids(Connection conn, String table, Set<String> naturalKeys) throws SQLException {
        Map<String, Long> out = new HashMap<>(naturalKeys.size() * 2);
        // in no particular order: the statements sort them (the order that keeps two tasks from deadlocking)
        Set<String> missing = new LinkedHashSet<>();
        for (String k : naturalKeys) {
            Long id = cache.get(table + '\u0000' + k);
            if (id != null) {
                out.put(k, id);
            } else {
                missing.add(k);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        if (!seenTaken.contains(table)) {
            try {
                Transactions.commit(conn, c -> idsOf(c, insertNew, table, missing, out));
                return cached(table, missing, out);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // rolled back whole: some key was allocated before (a re-delivered load, a child's reference, another
                // task), so this table takes the path that expects them from now on
                out.keySet().removeAll(missing);
                seenTaken.add(table);
            }
        }
        Transactions.commit(conn, c -> {
            // the keys this statement inserted come back with their ids; only those another allocation had (before,
            // or concurrently: ON CONFLICT waited for it to commit) are read after, which a full load never has
            List<String> taken = new ArrayList<>();
            idsOf(c, insert, table, missing, out);
            for (String k : missing) {
                if (!out.containsKey(k)) {
                    taken.add(k);
                }
            }
            if (taken.isEmpty()) {
                return;
            }
            idsOf(c, select, table, taken, out);
        });
        return cached(table, missing, out);
    }

    /** Runs an insert or select of (table, keys[]) returning (natural_key, id) rows, into {@code out}. */
    private static void idsOf(Connection c, String sql, String table, java.util.Collection<String> keys,
                              Map<String, Long> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            ps.setArray(2, c.createArrayOf("text", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
    }

    /** The allocated ids into the cache; every wanted key must have one. */
    private Map<String, Long> cached(String table, Set<String> missing, Map<String, Long> out) throws SQLException {
        List<String> absent = new ArrayList<>();
        for (String k : missing) {
            Long id = out.get(k);
            if (id == null) {
                absent.add(k);
            } else {
                cache.put(table + '\u0000' + k, id);
            }
        }
        if (!absent.isEmpty()) {
            throw new SQLException("key registry returned no id for " + absent.size() + " natural key(s) of " + table);
        }
        return out;
    }
}
