package io.ferry.sink.event;

/** Applies table.name.format: ${table}, ${db}, ${topic}. */
public final class TableNamer {

    private final String format;

    public TableNamer(String format) {
        this.format = format;
    }

    public String tableFor(String topic, String db, String sourceTable) {
        String[] parts = topic.split("\\.");
        String table = sourceTable != null ? sourceTable : parts[parts.length - 1];
        String database = db != null ? db : (parts.length >= 2 ? parts[parts.length - 2] : "");
        return format.replace("${table}", table).replace("${db}", database).replace("${topic}", topic);
    }
}
