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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bigint key registry in the state schema: {@code (table_name, natural_key) -> id}, an identity column. Whoever
 * sees a natural key first (the parent's row or a child referencing it, on any task) allocates its id with
 * {@code INSERT ... ON CONFLICT DO NOTHING}; everybody else reads it. Allocation commits on its own, before the rows
 * that use the ids are written: an id that ends up unused costs nothing, and once committed it never changes, which
 * is what lets ids be cached. Keys are inserted in sorted order so that two tasks allocating overlapping sets cannot
 * deadlock.
 */
public final class KeyRegistry implements IdAllocator {

    private static final int CACHE_ENTRIES = 200_000;

    private final String insert;
    private final String select;
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
        this.select = "SELECT natural_key, id FROM " + table + " WHERE table_name = ? AND natural_key = ANY(?::text[])";
    }

    @Override
    public Map<String, Long> ids(Connection conn, String table, Set<String> naturalKeys) throws SQLException {
        Map<String, Long> out = new HashMap<>(naturalKeys.size() * 2);
        TreeSet<String> missing = new TreeSet<>();
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
        Transactions.commit(conn, c -> {
            // the keys this statement inserted come back with their ids; only those another allocation had (before,
            // or concurrently: ON CONFLICT waited for it to commit) are read after, which a full load never has
            List<String> taken = new ArrayList<>();
            try (PreparedStatement ins = c.prepareStatement(insert)) {
                ins.setString(1, table);
                ins.setArray(2, c.createArrayOf("text", missing.toArray()));
                try (ResultSet rs = ins.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            for (String k : missing) {
                if (!out.containsKey(k)) {
                    taken.add(k);
                }
            }
            if (taken.isEmpty()) {
                return;
            }
            try (PreparedStatement sel = c.prepareStatement(select)) {
                sel.setString(1, table);
                sel.setArray(2, c.createArrayOf("text", taken.toArray()));
                try (ResultSet rs = sel.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        });
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
