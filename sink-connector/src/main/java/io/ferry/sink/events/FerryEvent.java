package io.ferry.sink.events;

import io.ferry.sink.json.Json;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something an operator must hear about: a stable {@link #type}, a severity, where it happened and the cause in full
 * (the SQLState chain, the DDL to run). Never row values: only keys, counts and names.
 */
public record FerryEvent(String type, Severity severity, Instant at, String connector, Integer task, String table,
                         String summary, Map<String, Object> details) {

    public enum Severity { INFO, WARNING, ERROR }

    public static FerryEvent of(String type, Severity severity, String connector, Integer task, String table,
                                String summary, Map<String, Object> details) {
        return new FerryEvent(type, severity, Instant.now(), connector, task, table, summary,
                details == null ? Map.of() : new LinkedHashMap<>(details));
    }

    /** The generic JSON body (webhook, topic): one object, the details as a nested object. */
    public String toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("severity", severity.name());
        body.put("time", at.toString());
        body.put("connector", connector);
        body.put("task", task);
        body.put("table", table);
        body.put("summary", summary);
        body.put("details", details);
        return Json.write(body);
    }

    /** A Slack incoming-webhook body: one line of text with the summary, then the details. */
    public String toSlackJson() {
        StringBuilder text = new StringBuilder().append(severity == Severity.ERROR ? ":red_circle: "
                : severity == Severity.WARNING ? ":warning: " : ":information_source: ").append('*').append(type)
                .append("* ").append(connector).append(table == null ? "" : " / " + table).append(": ").append(summary);
        details.forEach((k, v) -> text.append("\n• ").append(k).append(": ").append(v));
        return Json.write(Map.of("text", text.toString()));
    }

    /** One log line: the summary and the details, for the channel every deployment has. */
    public String toLogLine() {
        StringBuilder b = new StringBuilder("Ferry event ").append(type).append(' ').append(connector);
        if (task != null) {
            b.append(" task ").append(task);
        }
        if (table != null) {
            b.append(" table ").append(table);
        }
        b.append(": ").append(summary);
        details.forEach((k, v) -> b.append("; ").append(k).append('=').append(v));
        return b.toString();
    }
}
