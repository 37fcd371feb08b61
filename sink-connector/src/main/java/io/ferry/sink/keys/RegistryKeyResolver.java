package io.ferry.sink.keys;

import io.ferry.sink.config.RegistryKeyDeclaration;
import io.ferry.sink.errors.BadRecordHandler;
import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.event.ChangeEvent;
import io.ferry.sink.event.Op;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Applies the bigint key declarations to a batch of change events before they are written: a declared key column
 * replaces the record key (so the table's primary key is that one column) and is added to the row, reference columns
 * are added to the row. All natural keys of the batch are resolved together, one registry round trip per owner
 * table. An update that changes a row's natural key becomes a delete of the old id and an insert of the new one,
 * so the old row does not linger under its old id.
 */
public final class RegistryKeyResolver {

    private final Map<String, TableKeys> byTable = new HashMap<>();
    private final IdAllocator allocator;

    public RegistryKeyResolver(List<RegistryKeyDeclaration> declarations, IdAllocator allocator) {
        this.allocator = allocator;
        for (RegistryKeyDeclaration d : declarations) {
            TableKeys t = byTable.computeIfAbsent(d.table(), x -> new TableKeys());
            if (d.isPrimaryKey()) {
                t.key = d;
            } else {
                t.references.add(d);
            }
        }
    }

    public boolean isEmpty() {
        return byTable.isEmpty();
    }

    /** The events with ids in place; events that cannot get them go to {@code bad} and are left out. */
    public List<ChangeEvent> resolve(Connection conn, List<ChangeEvent> events, BadRecordHandler bad) throws SQLException {
        if (byTable.isEmpty()) {
            return events;
        }
        List<Pending> pending = new ArrayList<>(events.size());
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        for (ChangeEvent e : events) {
            TableKeys t = byTable.get(e.table());
            if (t == null) {
                pending.add(new Pending(e, null, null, null, null, null));
                continue;
            }
            try {
                pending.add(plan(e, t, wanted));
            } catch (BadRecordException ex) {
                bad.handle(e.record(), e.table(), ex);
            }
        }
        Map<String, Map<String, Long>> ids = new HashMap<>();
        for (Map.Entry<String, Set<String>> w : wanted.entrySet()) {
            ids.put(w.getKey(), allocator.ids(conn, w.getKey(), w.getValue()));
        }
        List<ChangeEvent> out = new ArrayList<>(events.size());
        for (Pending p : pending) {
            if (p.refs == null) {
                out.add(p.event); // a table without declarations
                continue;
            }
            TableKeys t = byTable.get(p.event.table());
            ChangeEvent e = p.event;
            if (p.oldKey != null) {
                // the natural key changed: the row under the old id goes, the row under the new id comes
                Long oldId = ids.get(t.key.owner()).get(p.oldKey);
                out.add(new ChangeEvent(e.record(), Op.DELETE, e.table(), t.keyStruct(e.key(), oldId),
                        t.rowWith(p.before, oldId, p.beforeRefs, ids), null, e.sourceTsMs()));
                e = new ChangeEvent(e.record(), Op.INSERT, e.table(), e.key(), e.row(), e.snapshot(), e.sourceTsMs());
            }
            Long id = t.key == null ? null : ids.get(t.key.owner()).get(p.key);
            Struct key = t.key == null ? e.key() : t.keyStruct(e.key(), id);
            Struct row = e.row() == null ? null : t.rowWith(e.row(), id, p.refs, ids);
            out.add(new ChangeEvent(e.record(), e.op(), e.table(), key, row, e.snapshot(), e.sourceTsMs()));
        }
        return out;
    }

    private static Pending plan(ChangeEvent e, TableKeys t, Map<String, Set<String>> wanted) {
        if (e.row() != null) {
            t.rowSchemas.get(e.row().schema()); // a row this declaration cannot extend is a bad record here
        }
        String key = null;
        if (t.key != null) {
            Struct identifying = e.row() != null ? e.row() : e.key();
            key = naturalKey(identifying, e.row() != null ? e.key() : null, t.key, e, false);
            wanted.computeIfAbsent(t.key.owner(), x -> new LinkedHashSet<>()).add(key);
        }
        List<String> refs = references(e.row(), t, e, wanted);
        Struct before = t.key != null && e.op() == Op.UPDATE ? before(e) : null;
        if (before != null) {
            String old = naturalKey(before, null, t.key, e, false);
            if (!old.equals(key)) {
                wanted.get(t.key.owner()).add(old);
                return new Pending(e, key, refs, old, before, references(before, t, e, wanted));
            }
        }
        return new Pending(e, key, refs, null, null, null);
    }

    /** The natural keys of the reference columns of {@code image} (nulls where a column is NULL), marked wanted. */
    private static List<String> references(Struct image, TableKeys t, ChangeEvent e, Map<String, Set<String>> wanted) {
        List<String> out = new ArrayList<>(t.references.size());
        for (RegistryKeyDeclaration r : t.references) {
            String k = image == null ? null : naturalKey(image, null, r, e, true);
            out.add(k);
            if (k != null) {
                wanted.computeIfAbsent(r.owner(), x -> new LinkedHashSet<>()).add(k);
            }
        }
        return out;
    }

    /** The natural-key text from {@code image}, falling back to {@code fallback} for columns the image lacks. */
    private static String naturalKey(Struct image, Struct fallback, RegistryKeyDeclaration d, ChangeEvent e,
                                     boolean nullable) {
        List<Object> values = new ArrayList<>(d.sourceColumns().size());
        for (String c : d.sourceColumns()) {
            Struct from = image != null && image.schema().field(c) != null ? image
                    : fallback != null && fallback.schema().field(c) != null ? fallback : null;
            if (from == null) {
                throw new BadRecordException("bigint.keys: " + d.table() + "." + d.column() + " is computed from column \""
                        + c + "\", which the record for table " + e.table() + " does not have (columns: "
                        + (image == null ? "none" : image.schema().fields().stream().map(Field::name).toList()) + ")");
            }
            Object v = from.get(c);
            if (v == null) {
                if (nullable) {
                    return null;
                }
                throw new BadRecordException("bigint.keys: natural-key column \"" + c + "\" of table " + e.table()
                        + " is NULL, so " + d.table() + "." + d.column() + " has no id to take");
            }
            values.add(v);
        }
        try {
            return io.ferry.keys.NaturalKeyUuid.name(values, null);
        } catch (IllegalArgumentException ex) {
            throw new BadRecordException("bigint.keys: " + d.table() + "." + d.column() + ": " + ex.getMessage());
        }
    }

    private static Struct before(ChangeEvent e) {
        Object v = e.record().value();
        if (v instanceof Struct env && env.schema().field("before") != null) {
            return env.getStruct("before");
        }
        return null;
    }

    /**
     * An event and the natural keys it needs ids for: its own key (null without a key declaration) and its
     * references; with oldKey, the natural key changed in this update and before/beforeRefs describe the old row.
     * refs is null for a table without declarations.
     */
    private record Pending(ChangeEvent event, String key, List<String> refs, String oldKey, Struct before,
                           List<String> beforeRefs) {
    }

    /** One table's declarations, with the rewritten schemas cached per source schema. */
    private static final class TableKeys {
        private static final Schema NO_KEY = SchemaBuilder.struct().build();

        RegistryKeyDeclaration key;
        final List<RegistryKeyDeclaration> references = new ArrayList<>();
        private final SchemaCache rowSchemas = new SchemaCache(this::rowSchema);
        private final SchemaCache keySchemas = new SchemaCache(
                s -> SchemaBuilder.struct().name(s.name()).field(key.column(), Schema.INT64_SCHEMA).build());

        Struct keyStruct(Struct original, Long id) {
            Schema schema = keySchemas.get(original == null ? NO_KEY : original.schema());
            return new Struct(schema).put(schema.fields().get(0), id);
        }

        /** The row's fields, then the key's, then the references' (rowSchema's order), set by field, not by name. */
        Struct rowWith(Struct row, Long id, List<String> refKeys, Map<String, Map<String, Long>> ids) {
            Schema schema = rowSchemas.get(row.schema());
            Struct out = new Struct(schema);
            List<Field> in = row.schema().fields();
            List<Field> fields = schema.fields();
            int i = 0;
            for (; i < in.size(); i++) {
                out.put(fields.get(i), row.get(in.get(i)));
            }
            if (key != null) {
                out.put(fields.get(i++), id);
            }
            for (int r = 0; r < references.size(); r++) {
                String k = refKeys.get(r);
                out.put(fields.get(i++), k == null ? null : ids.get(references.get(r).owner()).get(k));
            }
            return out;
        }

        private Schema rowSchema(Schema row) {
            SchemaBuilder b = SchemaBuilder.struct().name(row.name()).version(row.version()).doc(row.doc());
            if (row.isOptional()) {
                b.optional();
            }
            for (Field f : row.fields()) {
                b.field(f.name(), f.schema());
            }
            if (key != null) {
                requireNew(row, key);
                b.field(key.column(), Schema.INT64_SCHEMA);
            }
            for (RegistryKeyDeclaration r : references) {
                requireNew(row, r);
                b.field(r.column(), Schema.OPTIONAL_INT64_SCHEMA);
            }
            return b.build();
        }

        private static void requireNew(Schema row, RegistryKeyDeclaration d) {
            if (row.field(d.column()) != null) {
                throw new BadRecordException("bigint.keys: " + d.table() + "." + d.column() + " is already a column "
                        + "of the source rows; name the id column differently");
            }
        }
    }

    /**
     * Schemas derived per source schema. A converter hands every record of one schema the same instance, so the last
     * one is checked by identity before the map, whose lookup hashes the schema's every field, once per record.
     */
    private static final class SchemaCache {
        private final Map<Schema, Schema> bySource = new HashMap<>();
        private final Function<Schema, Schema> derive;
        private Schema lastSource;
        private Schema lastDerived;

        SchemaCache(Function<Schema, Schema> derive) {
            this.derive = derive;
        }

        Schema get(Schema source) {
            if (source != lastSource) {
                lastDerived = bySource.computeIfAbsent(source, derive);
                lastSource = source;
            }
            return lastDerived;
        }
    }
}
