package io.ferry.sink.write;

import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.Op;
import io.ferry.sink.schema.TableCatalog;
import io.ferry.sink.schema.TargetTable;
import io.ferry.sink.state.StateSchema;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rows that a foreign key refuses for now: a child whose parent has not arrived (its topic is behind), or a parent
 * delete whose children are still there. Per-table topics have no cross-table order, so this is normal in CDC, not
 * an error. The row's final state is kept in ferry.parked, in the same transaction as the offsets, and applied again
 * after every flush until the constraint accepts it. While a key is parked, later events for it are parked too
 * (replacing it), so a retry can never overwrite newer data with older.
 */
public final class ParkedRows {

    public static final String FK_VIOLATION = "23503";
    private static final Logger log = LoggerFactory.getLogger(ParkedRows.class);

    private final StateSchema state;
    private final String connector;
    private final PgText text;
    private final Set<String> parked = new HashSet<>();
    private final Set<String> parkedInTransaction = new HashSet<>();
    private final Set<TopicPartition> assigned = new HashSet<>();

    public ParkedRows(StateSchema state, String connector, PgText text) {
        this.state = state;
        this.connector = connector;
        this.text = text;
    }

    /** Takes over the parked rows of newly assigned partitions. */
    public void assign(Connection conn, Collection<TopicPartition> partitions) throws SQLException {
        assigned.addAll(partitions);
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, row_key FROM " + state.table("parked")
                + " WHERE connector = ? AND topic = ? AND kafka_partition = ?")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, connector);
                ps.setString(2, tp.topic());
                ps.setInt(3, tp.partition());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        parked.add(id(rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
    }

    public void revoke(Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        // forget all: the keys of the remaining partitions are reloaded on their next assignment
        if (assigned.isEmpty()) {
            parked.clear();
        }
    }

    public boolean isEmpty() {
        return parked.isEmpty();
    }

    public boolean isParked(ChangeEvent e) {
        if (e.key() == null || (parked.isEmpty() && parkedInTransaction.isEmpty())) {
            return false;
        }
        String id = id(e.table(), rowKey(e.key()));
        return parked.contains(id) || parkedInTransaction.contains(id);
    }

    public boolean canPark(ChangeEvent e) {
        return e.key() != null;
    }

    /** Parks (or replaces) the event's final state inside the caller's transaction. */
    public void park(Connection conn, TargetTable table, ChangeEvent e, String reason) throws SQLException {
        String key = rowKey(e.key());
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + state.table("parked") + " AS p "
                + "(connector, table_name, row_key, topic, kafka_partition, kafka_offset, op, key_values, row_values, reason) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?) ON CONFLICT (connector, table_name, row_key) DO UPDATE "
                + "SET topic = EXCLUDED.topic, kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset, "
                + "op = EXCLUDED.op, key_values = EXCLUDED.key_values, row_values = EXCLUDED.row_values, "
                + "reason = EXCLUDED.reason")) {
            int i = 1;
            ps.setString(i++, connector);
            ps.setString(i++, e.table());
            ps.setString(i++, key);
            ps.setString(i++, e.record().originalTopic());
            ps.setInt(i++, e.record().originalKafkaPartition());
            ps.setLong(i++, e.record().originalKafkaOffset());
            ps.setString(i++, e.op() == Op.DELETE ? "delete" : "upsert");
            ps.setString(i++, json(e.key(), table));
            ps.setString(i++, e.op() == Op.DELETE || e.row() == null ? null : json(e.row(), table));
            ps.setString(i, reason);
            ps.executeUpdate();
        }
        parkedInTransaction.add(id(e.table(), key));
    }

    public void committed() {
        parked.addAll(parkedInTransaction);
        parkedInTransaction.clear();
    }

    public void rolledBack() {
        parkedInTransaction.clear();
    }

    /**
     * Applies parked rows of this task's partitions again, oldest first, each in a savepoint, in one transaction.
     * @return how many were applied
     */
    public int retry(Connection conn, TableCatalog catalog, SegmentWriter writer) throws SQLException {
        if (parked.isEmpty()) {
            return 0;
        }
        // one read for all parked rows and their values; not a query per row
        List<Parked> rows = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, row_key, op, topic, kafka_partition, "
                + "ARRAY(SELECT k FROM jsonb_each_text(key_values) AS e(k, v) ORDER BY k), "
                + "ARRAY(SELECT v FROM jsonb_each_text(key_values) AS e(k, v) ORDER BY k), "
                + "ARRAY(SELECT k FROM jsonb_each_text(coalesce(row_values, '{}')) AS e(k, v) ORDER BY k), "
                + "ARRAY(SELECT v FROM jsonb_each_text(coalesce(row_values, '{}')) AS e(k, v) ORDER BY k) "
                + "FROM " + state.table("parked") + " WHERE connector = ? ORDER BY parked_at, kafka_offset")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (assigned.contains(new TopicPartition(rs.getString(4), rs.getInt(5)))) {
                        rows.add(new Parked(rs.getString(1), rs.getString(2), rs.getString(3),
                                zip(rs.getArray(6), rs.getArray(7)), zip(rs.getArray(8), rs.getArray(9))));
                    }
                }
            }
        }
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        List<String> applied = new ArrayList<>();
        try {
            // deferrable foreign keys (transactional mode) must refuse a row here, under its savepoint, not at commit
            SegmentWriter.checkConstraintsNow(conn);
            for (Parked r : rows) {
                String table = r.table();
                String key = r.key();
                TargetTable target = catalog.resolve(conn, table, null, null);
                Savepoint sp = conn.setSavepoint();
                try {
                    if ("delete".equals(r.op())) {
                        writer.deleteEncoded(conn, target, r.keyValues());
                    } else {
                        writer.upsertEncoded(conn, target, r.rowValues());
                    }
                    delete(conn, table, key);
                    conn.releaseSavepoint(sp);
                    applied.add(id(table, key));
                } catch (SQLException e) {
                    conn.rollback(sp);
                    if (!FK_VIOLATION.equals(e.getSQLState())) {
                        log.error("Ferry sink '{}': parked row of table \"{}\" (key {}) cannot be applied for another "
                                + "reason and stays parked: {}", connector, table, key, ErrorContext.chain(e));
                    }
                    bumpAttempts(conn, table, key);
                }
            }
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(auto);
        }
        applied.forEach(parked::remove);
        if (!applied.isEmpty()) {
            log.info("Ferry sink '{}': applied {} parked row(s); {} still parked", connector, applied.size(), parked.size());
        }
        return applied.size();
    }

    private record Parked(String table, String key, String op, Map<String, String> keyValues,
                          Map<String, String> rowValues) {}

    private static Map<String, String> zip(java.sql.Array names, java.sql.Array values) throws SQLException {
        String[] n = (String[]) names.getArray();
        String[] v = (String[]) values.getArray();
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < n.length; i++) {
            out.put(n[i], v[i]);
        }
        return out;
    }

    private void delete(Connection conn, String table, String key) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + state.table("parked")
                + " WHERE connector = ? AND table_name = ? AND row_key = ?")) {
            ps.setString(1, connector);
            ps.setString(2, table);
            ps.setString(3, key);
            ps.executeUpdate();
        }
    }

    private void bumpAttempts(Connection conn, String table, String key) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE " + state.table("parked")
                + " SET attempts = attempts + 1 WHERE connector = ? AND table_name = ? AND row_key = ?")) {
            ps.setString(1, connector);
            ps.setString(2, table);
            ps.setString(3, key);
            ps.executeUpdate();
        }
    }

    private String json(Struct struct, TargetTable table) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Field f : struct.schema().fields()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            io.ferry.sink.json.Json.string(sb, f.name());
            sb.append(':');
            var column = table.column(f.name());
            String v = column == null ? null : text.encode(struct.get(f), f.schema(), column);
            if (v == null) {
                sb.append("null");
            } else {
                io.ferry.sink.json.Json.string(sb, v);
            }
        }
        return sb.append('}').toString();
    }

    static String rowKey(Struct key) {
        StringBuilder sb = new StringBuilder();
        for (Field f : key.schema().fields()) {
            if (sb.length() > 0) {
                sb.append('\u001f');
            }
            Object v = key.get(f);
            if (v instanceof byte[] b) {
                v = java.util.HexFormat.of().formatHex(b);
            } else if (v instanceof ByteBuffer b) {
                v = java.util.HexFormat.of().formatHex(b.array());
            }
            sb.append(v);
        }
        return sb.toString();
    }

    private static String id(String table, String key) {
        return table + '\u001e' + key;
    }
}
