package io.ferry.sink.state;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Where a change event stands in the source's binlog: the server, the binlog file, the position of its
 * transaction's BEGIN (MySQL and MariaDB connectors give every event of a transaction the same {@code source.pos}),
 * and, when the source connector provides transaction metadata, the event's place in its transaction
 * ({@code transaction.total_order}). Debezium delivers at least once: after its task dies it reads the binlog again
 * from the last offset it flushed, and sends events the sink already applied under new Kafka offsets. Those are
 * recognised by their position, not by their Kafka offset.
 *
 * @param order the event's 1-based place in its transaction, or null when the source gives none (then two events
 *              of one transaction cannot be told apart and the position alone decides only between transactions)
 */
public record SourcePosition(long serverId, String fileBase, long fileNumber, long pos, Long order) {

    /** The position of a Debezium MySQL/MariaDB envelope, or null when it has none (flat rows, other sources). */
    public static SourcePosition of(Struct envelope) {
        Struct source = struct(envelope, "source");
        if (source == null) {
            return null;
        }
        Object file = get(source, "file");
        Object pos = get(source, "pos");
        Object server = get(source, "server_id");
        if (!(file instanceof String f) || !(pos instanceof Number p) || p.longValue() <= 0) {
            return null;
        }
        int dot = f.lastIndexOf('.');
        long number;
        try {
            number = dot < 0 ? 0 : Long.parseLong(f.substring(dot + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        Struct tx = struct(envelope, "transaction");
        Object order = tx == null ? null : get(tx, "total_order");
        return new SourcePosition(server instanceof Number s ? s.longValue() : 0, dot < 0 ? f : f.substring(0, dot),
                number, p.longValue(), order instanceof Number o ? o.longValue() : null);
    }

    /** Same server and same binlog series: positions compare. A failover or a renamed binlog does not. */
    public boolean comparableTo(SourcePosition other) {
        return other != null && serverId == other.serverId && fileBase.equals(other.fileBase);
    }

    /**
     * True when this event was applied already, given the latest position applied on its partition: an earlier
     * transaction, or the same transaction at or before the applied event's place in it.
     */
    public boolean notAfter(SourcePosition applied) {
        if (!comparableTo(applied)) {
            return false;
        }
        int c = Long.compare(fileNumber, applied.fileNumber);
        if (c == 0) {
            c = Long.compare(pos, applied.pos);
        }
        if (c != 0) {
            return c < 0;
        }
        return order != null && applied.order != null && order <= applied.order;
    }

    @Override
    public String toString() {
        return fileBase + "." + String.format("%06d", fileNumber) + ":" + pos + (order == null ? "" : "#" + order)
                + " (server " + serverId + ")";
    }

    private static Struct struct(Struct s, String name) {
        Object v = get(s, name);
        return v instanceof Struct struct ? struct : null;
    }

    private static Object get(Struct s, String name) {
        Field f = s.schema().field(name);
        return f == null ? null : s.get(f);
    }
}
