package io.ferry.sink.event;

/** Applies table.name.format: ${table}, ${db}, ${topic}. */
public final class TableNamer {

    private final String format;
    // every record asks, and consecutive records nearly always name the same table: remember the last answer
    private String lastTopic;
    private String lastDb;
    private String lastTable;
    private String lastName;

    public TableNamer(String format) {
        this.format = format;
    }

    public String tableFor(String topic, String db, String sourceTable) {
        if (topic.equals(lastTopic) && java.util.Objects.equals(db, lastDb)
                && java.util.Objects.equals(sourceTable, lastTable)) {
            return lastName;
        }
        String name = name(topic, db, sourceTable);
        lastTopic = topic;
        lastDb = db;
        lastTable = sourceTable;
        lastName = name;
        return name;
    }

    private String name(String topic, String db, String sourceTable) {
        String[] parts = topic.split("\\.");
        String table = sourceTable != null ? sourceTable : parts[parts.length - 1];
        String database = db != null ? db : (parts.length >= 2 ? parts[parts.length - 2] : "");
        return format.replace("${table}", table).replace("${db}", database).replace("${topic}", topic);
    }
}
