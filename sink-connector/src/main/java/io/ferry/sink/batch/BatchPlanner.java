package io.ferry.sink.batch;

import io.ferry.sink.event.ChangeEvent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups a put()'s events by table. Tables are written in the order they first appear in the batch, never in hash
 * order, so a run is repeatable and a parent seen first is written first.
 */
public final class BatchPlanner {

    public List<TableBatch> plan(List<ChangeEvent> events) {
        Map<String, TableBatch> byTable = new LinkedHashMap<>();
        for (ChangeEvent e : events) {
            byTable.computeIfAbsent(e.table(), TableBatch::new).add(e);
        }
        return new ArrayList<>(byTable.values());
    }
}
