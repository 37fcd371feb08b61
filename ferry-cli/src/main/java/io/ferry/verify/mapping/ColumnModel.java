package io.ferry.verify.mapping;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of one table's change rows as each transform leaves them: applied step by step in the connector's
 * order, the way the pipeline applied them, with the record key's columns alongside (SurrogateKey's default natural
 * key). Transforms it does not know stop the mapping with the reason.
 */
final class ColumnModel {

    private final List<MappedColumn> columns;
    private List<String> recordKey;
    private final String table;
    private final Map<String, String> leftOut;

    ColumnModel(List<MappedColumn> columns, List<String> recordKey, String table, Map<String, String> leftOut) {
        this.columns = new ArrayList<>(columns);
        this.recordKey = new ArrayList<>(recordKey);
        this.table = table;
        this.leftOut = leftOut;
    }

    List<MappedColumn> columns() {
        return columns;
    }

    /** The current column holding a source column's value unchanged (a rename keeps it, a cast does not). */
    MappedColumn plainOf(String sourceColumn) {
        for (MappedColumn m : columns) {
            if (m.origin() instanceof MappedColumn.Plain p && p.source().name().equals(sourceColumn)) {
                return m;
            }
        }
        return null;
    }

    void apply(TransformChain.Step step) {
        switch (TransformChain.shortName(step.type())) {
            case "RenameColumns" -> rename(step);
            case "DropColumns" -> drop(step);
            case "CastColumns" -> cast(step);
            case "SurrogateKey" -> surrogateKey(step);
            case "ForeignKey" -> foreignKey(step);
            // change no column of a change row
            case "InsertHeader", "DropHeaders", "HeaderFrom" -> { }
            case "Filter" -> throw new NotVerifiable("transform " + step.alias() + " (Filter) drops this table's records");
            case "ExtractNewRecordState" -> {
                String mode = step.config().getOrDefault("delete.tombstone.handling.mode",
                        step.config().getOrDefault("delete.handling.mode", "tombstone"));
                if (mode.toLowerCase(java.util.Locale.ROOT).startsWith("rewrite")
                        || !step.list("add.fields").isEmpty()) {
                    throw new NotVerifiable("transform " + step.alias() + " (ExtractNewRecordState) adds columns or keeps "
                            + "deleted rows (" + mode + "), which ferry verify does not follow");
                }
            }
            default -> throw new NotVerifiable("transform " + step.alias() + " (" + step.type()
                    + ") is not one ferry verify knows how to follow");
        }
    }

    private void rename(TransformChain.Step step) {
        Map<String, String> renames = new LinkedHashMap<>();
        for (String pair : step.list("renames")) {
            String[] p = pair.split(":", 2);
            renames.put(p[0].trim(), p[1].trim());
        }
        columns.replaceAll(m -> renames.containsKey(m.name()) ? m.renamed(renames.get(m.name())) : m);
        recordKey.replaceAll(k -> renames.getOrDefault(k, k));
    }

    private void drop(TransformChain.Step step) {
        List<String> dropped = step.list("columns");
        columns.removeIf(m -> {
            if (dropped.contains(m.name())) {
                leftOut.put(m.name(), "dropped by transform " + step.alias() + " (DropColumns)");
                return true;
            }
            return false;
        });
    }

    private void cast(TransformChain.Step step) {
        for (String pair : step.list("casts")) {
            String[] p = pair.split(":", 2);
            String column = p[0].trim();
            for (int i = 0; i < columns.size(); i++) {
                MappedColumn m = columns.get(i);
                if (m.name().equals(column) && m.origin() instanceof MappedColumn.Plain plain) {
                    columns.set(i, new MappedColumn(m.name(), new MappedColumn.Plain(plain.source(), p[1].trim())));
                }
            }
        }
    }

    private void surrogateKey(TransformChain.Step step) {
        String field = step.config().getOrDefault("field", "id");
        List<String> natural = step.list("natural.key.fields");
        if (natural.isEmpty()) {
            natural = recordKey;
        }
        String namespace = step.config().getOrDefault("table", "");
        MappedColumn id = new MappedColumn(field, new MappedColumn.Uuid(namespace.isEmpty() ? table : namespace,
                plainParts(natural, step), false));
        columns.removeIf(m -> m.name().equals(field));
        columns.add(id);
        recordKey = new ArrayList<>(List.of(field));
    }

    private void foreignKey(TransformChain.Step step) {
        String field = step.get("field");
        String parent = step.get("parent.table");
        if (field == null || parent == null) {
            throw new NotVerifiable("transform " + step.alias() + " (ForeignKey) lacks field or parent.table");
        }
        columns.removeIf(m -> m.name().equals(field));
        columns.add(new MappedColumn(field, new MappedColumn.Uuid(parent, plainParts(step.list("fields"), step), true)));
    }

    /** The sink's bigint.keys: the column holds the registry id of these row columns (and is the key for its table). */
    void registry(MappingReader.RegistryKey k) {
        List<MappedColumn.Plain> parts = plainParts(k.columns(), null);
        columns.removeIf(m -> m.name().equals(k.column()));
        columns.add(new MappedColumn(k.column(), new MappedColumn.Registry(k.owner(), parts)));
        if (k.owner().equals(k.table())) {
            recordKey = new ArrayList<>(List.of(k.column()));
        }
    }

    private List<MappedColumn.Plain> plainParts(List<String> names, TransformChain.Step step) {
        List<MappedColumn.Plain> parts = new ArrayList<>();
        for (String n : names) {
            MappedColumn m = columns.stream().filter(c -> c.name().equals(n)).findFirst().orElse(null);
            if (m == null || !(m.origin() instanceof MappedColumn.Plain p)) {
                throw new NotVerifiable((step == null ? "bigint.keys" : "transform " + step.alias()) + " computes a key "
                        + "from column " + n + ", which " + (m == null ? "the row does not have" : "is itself computed"));
            }
            parts.add(p);
        }
        return parts;
    }
}
