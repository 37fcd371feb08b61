package io.ferry.sink.flow;

import java.util.HashMap;
import java.util.Map;

/**
 * The order of source transactions by their ids where the ids are GTIDs, as Debezium names MariaDB's
 * ({@code domain-server-sequence}) and MySQL's ({@code uuid:sequence}) transactions: within one domain-server or
 * server uuid, a lower sequence number was committed earlier. Ids of another form are not ordered.
 */
final class GtidOrder {

    private record Gtid(String source, long sequence) {}

    /** The highest sequence number applied, per GTID source. */
    private final Map<String, Long> appliedUpTo = new HashMap<>();

    /** A transaction with this id is in PostgreSQL (applied whole, in pieces, or found applied before). */
    void applied(String id) {
        Gtid g = parse(id);
        if (g != null) {
            appliedUpTo.merge(g.source(), g.sequence(), Math::max);
        }
    }

    /** Whether a transaction with this id was committed at the source no later than one already applied. */
    boolean notAfterApplied(String id) {
        Gtid g = parse(id);
        Long upTo = g == null ? null : appliedUpTo.get(g.source());
        return upTo != null && g.sequence() <= upTo;
    }

    /** Whether transaction {@code a} was committed before {@code b} at the same source (false when unordered). */
    static boolean earlier(String a, String b) {
        Gtid x = parse(a);
        Gtid y = parse(b);
        return x != null && y != null && x.source().equals(y.source()) && x.sequence() < y.sequence();
    }

    private static Gtid parse(String id) {
        if (id == null) {
            return null;
        }
        int colon = id.lastIndexOf(':');
        int dash = id.lastIndexOf('-');
        try {
            if (colon > 0) {
                return new Gtid(id.substring(0, colon), Long.parseLong(id.substring(colon + 1)));
            }
            if (dash > 0 && id.indexOf('-') < dash) {
                Long.parseLong(id.substring(0, id.indexOf('-'))); // domain-server must be numbers
                Long.parseLong(id.substring(id.indexOf('-') + 1, dash));
                return new Gtid(id.substring(0, dash), Long.parseLong(id.substring(dash + 1)));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
