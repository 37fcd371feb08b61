package io.ferry.sink.schema;

import io.ferry.sink.jdbc.Transactions;
import io.ferry.sink.state.StateSchema;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which source columns a designed table (target.ddl) knew of, kept in the state schema ({@code design_columns}).
 * A source column the design lacks is left out on purpose only if it existed when the design met the source, i.e.
 * in the first records the sink saw for the table; a column that appears later was added at the source during CDC
 * and follows column.add.policy. Kept in PostgreSQL, not in memory, so a restart after an ADD COLUMN still knows the
 * new column from the ones the user left out.
 */
public final class DesignColumns {

    private final StateSchema state;
    private final String targetSchema;
    private final Map<String, Set<String>> byTable = new HashMap<>();

    public DesignColumns(StateSchema state, String targetSchema) {
        this.state = state;
        this.targetSchema = targetSchema;
    }

    /**
     * The known source columns of the table; on the table's first records, all of their columns, recorded at once
     * (committed: the baseline must not depend on the batch that first carried it).
     */
    public Set<String> known(Connection conn, String table, Schema rowSchema) throws SQLException {
        Set<String> known = byTable.get(table);
        if (known == null) {
            known = read(conn, table);
            byTable.put(table, known);
        }
        if (known.isEmpty() && rowSchema != null) {
            List<String> columns = rowSchema.fields().stream().map(Field::name).toList();
            record(conn, table, columns);
            known.addAll(columns);
        }
        return known;
    }

    private void record(Connection conn, String table, Collection<String> columns) throws SQLException {
        Transactions.commit(conn, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + state.table("design_columns")
                    + " (target_schema, table_name, column_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (String column : columns) {
                    ps.setString(1, targetSchema);
                    ps.setString(2, table);
                    ps.setString(3, column);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    private Set<String> read(Connection conn, String table) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT column_name FROM " + state.table("design_columns")
                + " WHERE target_schema = ? AND table_name = ? ORDER BY seen_at, column_name")) {
            ps.setString(1, targetSchema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    public void invalidate() {
        byTable.clear();
    }
}
