package io.ferry.reload;

/**
 * One table to reload, as both ends name it.
 *
 * @param collection   Debezium's data collection ({@code db.table})
 * @param topic        the table's change topic ({@code <topic.prefix>.db.table})
 * @param table        the sink's name for it (its row in table_stats and reloads)
 * @param targetSchema the target schema the sink writes
 */
public record ReloadTarget(String collection, String topic, String table, String targetSchema) {

    String qualified() {
        return "\"" + targetSchema.replace("\"", "\"\"") + "\".\"" + table.replace("\"", "\"\"") + "\"";
    }
}
