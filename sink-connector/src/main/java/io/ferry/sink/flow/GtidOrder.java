package io.ferry.sink.flow;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The order of source transactions by their ids where the ids are GTIDs, as Debezium names MariaDB's
 * ({@code domain-server-sequence}) and MySQL's ({@code uuid:sequence}) transactions: within one domain-server or
 * server uuid, a lower sequence number was committed earlier. Ids of another form are not ordered.
 */
final class GtidOrder {

    private record Gtid(String source, long sequence) {}

    private static final Pattern MARIADB_DOMAIN_SERVER = Pattern.compile("\\d+-\\d+");

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
        int cut = colon > 0 ? colon : id.lastIndexOf('-');
        if (cut <= 0) {
            return null;
        }
        String source = id.substring(0, cut);
        if (colon <= 0 && !MARIADB_DOMAIN_SERVER.matcher(source).matches()) {
            return null;
        }
        try {
            return new Gtid(source, Long.parseLong(id.substring(cut + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
