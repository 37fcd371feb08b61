package io.ferry.sink.state;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Where a change event stands in the source's binlog: the server, the binlog file, the position of its
 * transaction's BEGIN (MySQL and MariaDB connectors give every event of a transaction the same {@code source.pos}),
 * and Debezium's {@code transaction.total_order} for the log (it is renumbered when Debezium restarts in the middle of
 * a transaction, so events inside one transaction are told apart by content: {@link EventPrint}). Debezium delivers
 * at least once: after its task dies it reads the binlog again
 * from the last offset it flushed, and sends events the sink already applied under new Kafka offsets. Those are
 * recognised by their position, not by their Kafka offset.
 *
 * @param order Debezium's place of the event in its transaction (for the log), or null
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
        BinlogFile name = lastFile;
        if (name == null || !name.name.equals(f)) {
            name = BinlogFile.of(f);
            if (name == null) {
                return null;
            }
            lastFile = name;
        }
        Struct tx = struct(envelope, "transaction");
        Object order = tx == null ? null : get(tx, "total_order");
        return new SourcePosition(server instanceof Number s ? s.longValue() : 0, name.base, name.number, p.longValue(),
                order instanceof Number o ? o.longValue() : null);
    }

    /** The binlog file of the last event seen: every event but one per file rotation has the same (any thread's). */
    private static volatile BinlogFile lastFile;

    private record BinlogFile(String name, String base, long number) {
        static BinlogFile of(String f) {
            int dot = f.lastIndexOf('.');
            try {
                long number = dot < 0 ? 0 : Long.parseLong(f.substring(dot + 1));
                return new BinlogFile(f, dot < 0 ? f : f.substring(0, dot), number);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** Same server and same binlog series: positions compare. A failover or a renamed binlog does not. */
    public boolean comparableTo(SourcePosition other) {
        return other != null && serverId == other.serverId && fileBase.equals(other.fileBase);
    }

    /** An earlier transaction than the given one's (transactions are contiguous in the binlog, in commit order). */
    public boolean earlierTransactionThan(SourcePosition applied) {
        if (!comparableTo(applied)) {
            return false;
        }
        int c = Long.compare(fileNumber, applied.fileNumber);
        return c != 0 ? c < 0 : pos < applied.pos;
    }

    /** The same transaction (every event of a MySQL transaction carries its BEGIN's position). */
    public boolean sameTransactionAs(SourcePosition applied) {
        return comparableTo(applied) && fileNumber == applied.fileNumber && pos == applied.pos;
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
