package io.ferry.sink.batch;

import io.ferry.sink.event.ChangeEvent;
import org.apache.kafka.connect.data.Schema;

import java.util.ArrayList;
import java.util.List;

/** One table's events from one put(), as ordered segments. */
public final class TableBatch {

    private final String table;
    private final List<Segment> segments = new ArrayList<>();

    TableBatch(String table) {
        this.table = table;
    }

    void add(ChangeEvent event) {
        Segment.Kind kind = event.op().isChange() || event.isIncrementalSnapshot() ? Segment.Kind.CHANGES
                : Segment.Kind.SNAPSHOT;
        Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (last == null || last.kind() != kind) {
            last = new Segment(kind);
            segments.add(last);
        }
        last.add(event);
    }

    public String table() { return table; }

    public List<Segment> segments() { return segments; }

    /** The first row schema and key schema seen, for creating or evolving the table. */
    public List<Schema> rowSchemas() {
        List<Schema> schemas = new ArrayList<>();
        for (Segment s : segments) {
            for (ChangeEvent e : s.all()) {
                if (e.row() != null && !containsIdentity(schemas, e.row().schema())) {
                    schemas.add(e.row().schema());
                }
            }
        }
        return schemas;
    }

    public Schema keySchema() {
        for (Segment s : segments) {
            for (ChangeEvent e : s.all()) {
                if (e.key() != null) {
                    return e.key().schema();
                }
            }
        }
        return null;
    }

    private static boolean containsIdentity(List<Schema> schemas, Schema schema) {
        for (Schema s : schemas) {
            if (s == schema) {
                return true;
            }
        }
        return false;
    }
}
