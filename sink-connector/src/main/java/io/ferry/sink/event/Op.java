package io.ferry.sink.event;

/** What a change event does to its row, whatever record shape carried it. */
public enum Op {
    /** A snapshot read (Debezium op=r): written with COPY. */
    SNAPSHOT,
    /** An insert (op=c) or a flat record: upserted. */
    INSERT,
    /** An update (op=u): upserted. */
    UPDATE,
    /** A delete (op=d) or a tombstone: deleted by key. */
    DELETE;

    public boolean isChange() { return this != SNAPSHOT; }
}
