package io.ferry.sink.events;

import io.ferry.sink.events.FerryEvent.Severity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Ferry sink's event catalogue (see the README): one method per type, so every event of a type carries the same
 * fields. Bad records are summed per table and reported at most once per interval.
 */
public final class SinkEvents {

    public static final String TABLE_LOADED = "TABLE_LOADED";
    public static final String CONSTRAINT_BUILT = "CONSTRAINT_BUILT";
    public static final String CONSTRAINT_WAITING = "CONSTRAINT_WAITING";
    public static final String CONSTRAINT_FAILED = "CONSTRAINT_FAILED";
    public static final String TABLE_STOPPED = "TABLE_STOPPED";
    public static final String TABLE_RESUMED = "TABLE_RESUMED";
    public static final String BAD_RECORDS = "BAD_RECORDS";
    public static final String SINK_TASK_FAILED = "SINK_TASK_FAILED";
    public static final String RELOAD_STARTED = "RELOAD_STARTED";
    public static final String PARKED_BACKLOG = "PARKED_BACKLOG";
    public static final String PARKED_CLEARED = "PARKED_CLEARED";
    public static final String LAG_HIGH = "LAG_HIGH";
    public static final String LAG_OK = "LAG_OK";
    public static final String VERIFY_MISMATCHED = "VERIFY_MISMATCHED";
    public static final String RELOAD_COMPLETED = "RELOAD_COMPLETED";
    public static final String RELOAD_ABORTED = "RELOAD_ABORTED";

    private final Events out;
    private final String connector;
    private final Integer task;
    private final long badRecordIntervalMs;
    private final Map<String, BadRecords> bad = new LinkedHashMap<>();

    private static final class BadRecords {
        long lastEventAt;
        long pending;
        long total;
        String lastWhere;
        String lastCause;
    }

    public SinkEvents(Events out, String connector, Integer task, long badRecordIntervalMs) {
        this.out = out;
        this.connector = connector;
        this.task = task;
        this.badRecordIntervalMs = badRecordIntervalMs;
    }

    public static SinkEvents none() {
        return new SinkEvents(Events.NONE, "", null, 0);
    }

    public void tableLoaded(String table, long rows, long badRecords, String completedAt) {
        out.emit(FerryEvent.of(TABLE_LOADED, Severity.INFO, connector, task, table, "full load of " + table
                + " complete: " + rows + " rows" + (badRecords > 0 ? ", " + badRecords + " bad records in the dead-letter queue" : ""),
                details("rows", rows, "bad_records", badRecords, "completed_at", completedAt)));
    }

    public void constraintBuilt(String table, String name, String definition) {
        out.emit(FerryEvent.of(CONSTRAINT_BUILT, Severity.INFO, connector, task, table, name + " built and valid",
                details("constraint", name, "definition", definition)));
    }

    public void constraintWaiting(String table, String name, String definition, String cause) {
        out.emit(FerryEvent.of(CONSTRAINT_WAITING, Severity.WARNING, connector, task, table, name
                + " cannot be built yet: rows break it; retried", details("constraint", name, "definition", definition,
                "cause", cause)));
    }

    public void constraintFailed(String table, String name, String definition, String cause) {
        out.emit(FerryEvent.of(CONSTRAINT_FAILED, Severity.ERROR, connector, task, table, name + " failed: " + cause,
                details("constraint", name, "definition", definition, "cause", cause)));
    }

    public void tableStopped(String table, String reason, String ddl, Object partitions) {
        out.emit(FerryEvent.of(TABLE_STOPPED, Severity.ERROR, connector, task, table, "table " + table + " STOPPED: "
                + reason + "; other tables keep flowing", details("reason", reason, "ddl_to_run", ddl,
                "partitions", String.valueOf(partitions))));
    }

    public void parkedBacklog(String table, long rows, long oldestSeconds, boolean over) {
        out.emit(FerryEvent.of(over ? PARKED_BACKLOG : PARKED_CLEARED, over ? Severity.WARNING : Severity.INFO, connector,
                task, table, over ? rows + " rows of " + table + " are parked (the oldest for " + oldestSeconds + " s): "
                        + "their parent has not arrived; see the state table parked" : "the parked rows of " + table
                        + " are down to " + rows, details("parked_rows", rows, "oldest_seconds", oldestSeconds)));
    }

    public void lag(String table, long p99Ms, boolean high) {
        out.emit(FerryEvent.of(high ? LAG_HIGH : LAG_OK, high ? Severity.WARNING : Severity.INFO, connector, task, table,
                "p99 lag of " + table + " over the last minute is " + p99Ms + " ms" + (high ? ", above the threshold"
                        : ", below the threshold again"), details("lag_p99_ms", p99Ms)));
    }

    public void verifyMismatched(String table, long rows, String state) {
        out.emit(FerryEvent.of(VERIFY_MISMATCHED, Severity.ERROR, connector, task, table, "ferry verify found " + rows
                + " rows of " + table + " different from the source (" + state + "); see the state table "
                + "validation_failures", details("mismatched", rows)));
    }

    public void reloadStarted(String table, String reloadId) {
        out.emit(FerryEvent.of(RELOAD_STARTED, Severity.INFO, connector, task, table, "reload " + reloadId + " of "
                + table + " started: the sink records the key of every row written to it", details("reload", reloadId)));
    }

    /** @param state DONE or ABORTED, as `ferry reload` left it */
    public void reloadEnded(String table, String reloadId, String state, Long swept, Long kept, String detail) {
        boolean done = "DONE".equals(state);
        out.emit(FerryEvent.of(done ? RELOAD_COMPLETED : RELOAD_ABORTED, done ? Severity.INFO : Severity.WARNING,
                connector, task, table, "reload " + reloadId + " of " + table + (done ? " completed" : " aborted")
                        + (detail == null ? "" : ": " + detail),
                details("reload", reloadId, "rows_swept", swept, "rows_kept", kept)));
    }

    public void tableResumed(String table) {
        out.emit(FerryEvent.of(TABLE_RESUMED, Severity.INFO, connector, task, table, "table " + table
                + " resumed: the target changed", Map.of()));
    }

    /** One bad record; an event now if the table had none for an interval, else added to the next one. */
    public synchronized void badRecord(String table, String where, String cause) {
        String key = table == null ? "(undecodable)" : table;
        BadRecords b = bad.computeIfAbsent(key, k -> new BadRecords());
        b.pending++;
        b.total++;
        b.lastWhere = where;
        b.lastCause = cause;
        flushBadRecords(key, b, System.currentTimeMillis());
    }

    /** Reports bad records held back by the interval (called when the task is idle too). */
    public synchronized void flushBadRecords() {
        long now = System.currentTimeMillis();
        bad.forEach((table, b) -> flushBadRecords(table, b, now));
    }

    private void flushBadRecords(String table, BadRecords b, long now) {
        if (b.pending == 0 || now - b.lastEventAt < badRecordIntervalMs) {
            return;
        }
        out.emit(FerryEvent.of(BAD_RECORDS, Severity.WARNING, connector, task, table, b.pending + " bad record(s) of "
                + table + " sent to the dead-letter queue (" + b.total + " since this task started); last at "
                + b.lastWhere, details("count", b.pending, "total", b.total, "last_record", b.lastWhere,
                "last_cause", b.lastCause)));
        b.pending = 0;
        b.lastEventAt = now;
    }

    public void taskFailed(String cause) {
        out.emit(FerryEvent.of(SINK_TASK_FAILED, Severity.ERROR, connector, task, null, "sink task failed: " + cause,
                details("cause", cause)));
    }

    private static Map<String, Object> details(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }
}
