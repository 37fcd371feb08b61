package io.ferry.sink.keys;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

/** Gives each natural key of a table its bigint id, allocating the ones never seen; the same key, the same id, forever. */
public interface IdAllocator {

    /** The ids of these natural keys of {@code table}, every one of them present in the result. */
    Map<String, Long> ids(Connection conn, String table, Set<String> naturalKeys) throws SQLException;
}
