package io.ferry.sink.batch;

import io.ferry.sink.event.ChangeEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run of a table's events that can be written in one statement family, in arrival order.
 * A snapshot segment keeps every row (COPY). A change segment keeps only the last event per primary key:
 * within one transaction only the final state of a row matters, and a delete followed by an insert of the same
 * key becomes one upsert.
 */
public final class Segment {

    public enum Kind { SNAPSHOT, CHANGES }

    private final Kind kind;
    private final List<ChangeEvent> rows = new ArrayList<>();
    private final Map<RowKey, ChangeEvent> lastByKey = new LinkedHashMap<>();
    private final List<ChangeEvent> all = new ArrayList<>();

    Segment(Kind kind) {
        this.kind = kind;
    }

    void add(ChangeEvent event) {
        all.add(event);
        if (kind == Kind.SNAPSHOT || event.key() == null) {
            rows.add(event);
        } else {
            RowKey key = RowKey.of(event.key());
            lastByKey.remove(key);
            lastByKey.put(key, event);
        }
    }

    public Kind kind() { return kind; }

    /** The events to write: every snapshot row, or the last event per key (then keyless rows) for changes. */
    public Collection<ChangeEvent> reduced() {
        if (kind == Kind.SNAPSHOT) {
            return rows;
        }
        List<ChangeEvent> out = new ArrayList<>(lastByKey.values());
        out.addAll(rows);
        return out;
    }

    /** Every event that arrived, reduced or not, for statistics. */
    public List<ChangeEvent> all() { return all; }
}
