package io.ferry.verify.mapping;

import io.ferry.verify.SourceColumn;
import io.ferry.verify.SourceSchema;
import io.ferry.verify.plan.TablePlan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the deployed source and sink connector configs into a {@link TablePlan} per source table: which target table
 * its rows land in (table.name.format), which target column each value ends in after the transforms (RenameColumns,
 * DropColumns, CastColumns, SurrogateKey, ForeignKey on either connector) and the sink's bigint.keys, which source
 * columns are left out on purpose (the design's baseline in the state schema, column.add.policy=ignore, Debezium's
 * column.exclude.list), and how each pair of values reads as the same canonical text on both sides.
 */
public final class MappingReader {

    private final Map<String, String> source;
    private final Map<String, String> sink;
    private final TransformChain sourceChain;
    private final TransformChain sinkChain;
    private final String targetSchema;
    private final String stateSchema;
    private final boolean stripNul;
    private final String addPolicy;
    private final List<RegistryKey> registryKeys;

    /** A bigint.keys declaration: table.column=owner(col+col). */
    record RegistryKey(String table, String column, String owner, List<String> columns) {}

    public MappingReader(Map<String, String> sourceConfig, Map<String, String> sinkConfig) {
        this.source = sourceConfig;
        this.sink = sinkConfig;
        this.sourceChain = TransformChain.of(sourceConfig);
        this.sinkChain = TransformChain.of(sinkConfig);
        this.targetSchema = sinkConfig.getOrDefault("target.schema", "public");
        this.stateSchema = sinkConfig.getOrDefault("state.schema", "ferry");
        this.stripNul = !"fail".equalsIgnoreCase(sinkConfig.getOrDefault("text.nul.policy", "strip"));
        this.addPolicy = sinkConfig.getOrDefault("column.add.policy", "add").toLowerCase(Locale.ROOT);
        this.registryKeys = parseRegistryKeys(sinkConfig.getOrDefault("bigint.keys", ""));
    }

    public String targetSchema() { return targetSchema; }

    public String stateSchema() { return stateSchema; }

    /** The source tables of {@code database} the pipeline carries (include/exclude lists, the sink's topics), in order. */
    public List<String> tables(Connection src, String database, List<String> only) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String t : SourceSchema.tables(src, database)) {
            if ((only == null || only.isEmpty() || only.contains(t)) && carried(database, t)) {
                out.add(t);
            }
        }
        return out;
    }

    private boolean carried(String db, String table) {
        String id = db + "." + table;
        if (!matchesAny(source.get("table.include.list"), id, true) || matchesAny(source.get("table.exclude.list"), id, false)) {
            return false;
        }
        String topic = topic(db, table);
        String regex = sink.get("topics.regex");
        if (regex != null && !regex.isBlank()) {
            return Pattern.compile(regex).matcher(topic).matches();
        }
        String topics = sink.get("topics");
        return topics == null || topics.isBlank() || List.of(topics.split("\\s*,\\s*")).contains(topic);
    }

    /** Debezium's regex lists: comma-separated, each matched against the whole identifier. */
    private static boolean matchesAny(String list, String id, boolean whenUnset) {
        if (list == null || list.isBlank()) {
            return whenUnset;
        }
        for (String p : list.split(",")) {
            if (!p.isBlank() && Pattern.compile(p.trim(), Pattern.CASE_INSENSITIVE).matcher(id).matches()) {
                return true;
            }
        }
        return false;
    }

    String topic(String db, String table) {
        return source.getOrDefault("topic.prefix", "ferry") + "." + db + "." + table;
    }

    /** The target table a source table's rows land in. */
    public String targetName(String db, String table) {
        return sink.getOrDefault("table.name.format", "${table}").replace("${table}", table).replace("${db}", db)
                .replace("${topic}", topic(db, table));
    }

    /** The plan for one source table, or a not-verifiable plan naming why. */
    public TablePlan plan(Connection src, Connection dst, String db, String table) throws SQLException {
        String sourceName = "`" + db.replace("`", "``") + "`.`" + table.replace("`", "``") + "`";
        String target = targetName(db, table);
        // aliased: the registry lookups are correlated subqueries that name the row's own columns as t."column"
        String targetQualified = quote(targetSchema) + "." + quote(target) + " AS t";
        try {
            return plan(src, dst, db, table, sourceName, target, targetQualified);
        } catch (NotVerifiable e) {
            return TablePlan.notVerifiable(table, sourceName, target, e.getMessage());
        }
    }

    private TablePlan plan(Connection src, Connection dst, String db, String table, String sourceName, String target,
                           String targetQualified) throws SQLException {
        List<SourceColumn> sourceColumns = SourceSchema.columns(src, db, table);
        List<String> sourceKey = SourceSchema.primaryKey(src, db, table);
        Map<String, String> targetTypes = targetTypes(dst, target);
        if (targetTypes.isEmpty()) {
            throw new NotVerifiable("no table " + targetSchema + "." + target + " in the target");
        }
        Map<String, String> leftOut = new LinkedHashMap<>();
        List<MappedColumn> row = new ArrayList<>();
        for (SourceColumn c : sourceColumns) {
            if (excludedAtSource(db, table, c.name())) {
                leftOut.put(c.name(), "excluded by the source connector (column.exclude.list)");
            } else {
                row.add(new MappedColumn(c.name(), new MappedColumn.Plain(c, null)));
            }
        }
        refuseValueRewrites(db, table, row);
        List<String> recordKey = new ArrayList<>(sourceKey);
        String topic = topic(db, table);
        ColumnModel model = new ColumnModel(row, recordKey, table, leftOut);
        for (TransformChain.Step step : sourceChain.stepsFor(topic)) {
            model.apply(step);
        }
        for (TransformChain.Step step : sinkChain.stepsFor(topic)) {
            model.apply(step);
        }
        for (RegistryKey k : registryKeys) {
            if (k.table().equals(target)) {
                model.registry(k);
            }
        }
        Set<String> baseline = designBaseline(dst, target);
        boolean designed = !sink.getOrDefault("target.ddl", "").isBlank() && !baseline.isEmpty();
        List<TablePlan.Check> checks = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (MappedColumn m : model.columns()) {
            String type = targetTypes.get(m.name());
            if (type == null) {
                if (designed && baseline.contains(m.name())) {
                    leftOut.put(m.name(), "left out by the target design");
                } else if (addPolicy.equals("ignore")) {
                    leftOut.put(m.name(), "not written: column.add.policy=ignore");
                } else {
                    missing.add(m.name());
                }
                continue;
            }
            checks.add(check(m, type, target));
        }
        List<TablePlan.KeyPart> key = key(model, sourceKey, targetTypes, sourceColumns);
        return new TablePlan(table, sourceName, target, targetQualified, key, checks, leftOut, missing, null,
                estimatedRows(src, db, table));
    }

    private TablePlan.Check check(MappedColumn m, String targetType, String table) {
        String col = quote(m.name());
        if (m.origin() instanceof MappedColumn.Plain p) {
            SourceColumn s = p.source();
            SourceColumn asTarget = new SourceColumn(m.name(), s.dataType(), s.columnType(), s.nullable());
            boolean hashable = s.hashable(targetType);
            return new TablePlan.Check(m.name(),
                    hashable ? s.sourceText(targetType, stripNul) : s.sourceExpression(targetType),
                    hashable ? asTarget.targetText(targetType) : asTarget.targetExpression(targetType),
                    hashable, !hashable && isJson(s, targetType), false,
                    s.name() + " " + s.columnType() + " -> " + m.name() + " " + targetType);
        }
        if (m.origin() instanceof MappedColumn.Uuid u) {
            return new TablePlan.Check(m.name(), NaturalKeySql.uuidText(u.namespaceTable(), u.parts(), u.nullable()),
                    NaturalKeySql.targetUuidText(col), true, false, !u.nullable(),
                    "uuid of " + u.namespaceTable() + "(" + partNames(u.parts()) + ") -> " + m.name() + " " + targetType);
        }
        MappedColumn.Registry r = (MappedColumn.Registry) m.origin();
        return new TablePlan.Check(m.name(),
                "IF(" + NaturalKeySql.anyNull(r.parts()) + ", NULL, " + NaturalKeySql.name(r.parts()) + ")",
                "(SELECT r.natural_key FROM " + quote(stateSchema) + ".\"key_registry\" r WHERE r.table_name = "
                        + literal(r.owner()) + " AND r.id = t." + col + ")",
                true, false, r.owner().equals(table), "key registry id of " + r.owner() + "(" + partNames(r.parts())
                        + ") -> " + m.name());
    }

    private static boolean isJson(SourceColumn s, String targetType) {
        String t = targetType.toLowerCase(Locale.ROOT);
        return t.equals("json") || t.equals("jsonb") || s.dataType().equalsIgnoreCase("json");
    }

    private static String partNames(List<MappedColumn.Plain> parts) {
        return String.join(", ", parts.stream().map(p -> p.source().name()).toList());
    }

    /**
     * The match key: the source primary key's columns where the target has them, else the target's uuid or
     * registry key computed from them.
     */
    private List<TablePlan.KeyPart> key(ColumnModel model, List<String> sourceKey, Map<String, String> targetTypes,
                                        List<SourceColumn> sourceColumns) {
        if (sourceKey.isEmpty()) {
            return List.of();
        }
        List<TablePlan.KeyPart> parts = new ArrayList<>();
        for (String k : sourceKey) {
            MappedColumn m = model.plainOf(k);
            if (m == null || targetTypes.get(m.name()) == null) {
                parts = null;
                break;
            }
            MappedColumn.Plain p = (MappedColumn.Plain) m.origin();
            String type = targetTypes.get(m.name());
            SourceColumn asTarget = new SourceColumn(m.name(), p.source().dataType(), p.source().columnType(), false);
            boolean direct = isDirectKey(p.source().dataType(), type) && p.castTo() == null;
            parts.add(new TablePlan.KeyPart(m.name(), p.source().sourceText(type, stripNul), asTarget.targetText(type),
                    direct && isInteger(p.source().dataType()) && isIntegerTarget(type),
                    direct ? NaturalKeySql.column(p.source()) : null, direct ? quote(m.name()) : null));
        }
        if (parts != null) {
            return parts;
        }
        for (MappedColumn m : model.columns()) {
            if (targetTypes.get(m.name()) == null) {
                continue;
            }
            if (m.origin() instanceof MappedColumn.Uuid u && !u.nullable() && covers(u.parts(), sourceKey)) {
                return List.of(new TablePlan.KeyPart(m.name(), NaturalKeySql.uuidText(u.namespaceTable(), u.parts(), false),
                        NaturalKeySql.targetUuidText(quote(m.name())), false, null, null));
            }
            if (m.origin() instanceof MappedColumn.Registry r && covers(r.parts(), sourceKey)) {
                return List.of(new TablePlan.KeyPart(m.name(), NaturalKeySql.name(r.parts()), "(SELECT r.natural_key FROM "
                        + quote(stateSchema) + ".\"key_registry\" r WHERE r.table_name = " + literal(r.owner())
                        + " AND r.id = t." + quote(m.name()) + ")", false, null, null));
            }
        }
        throw new NotVerifiable("the target has neither the source's key columns " + sourceKey
                + " nor a key computed from them, so its rows cannot be matched");
    }

    private static boolean covers(List<MappedColumn.Plain> parts, List<String> sourceKey) {
        return parts.stream().map(p -> p.source().name()).toList().containsAll(sourceKey);
    }

    private static boolean isInteger(String dataType) {
        return switch (dataType.toLowerCase(Locale.ROOT)) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint" -> true;
            default -> false;
        };
    }

    /** Key columns whose canonical text is the value itself on both sides, so they can be looked up as they are. */
    private static boolean isDirectKey(String dataType, String targetType) {
        String d = dataType.toLowerCase(Locale.ROOT);
        String t = targetType.toLowerCase(Locale.ROOT);
        boolean text = d.equals("char") || d.equals("varchar");
        return (isInteger(d) && isIntegerTarget(t))
                || (text && (t.equals("text") || t.startsWith("character varying") || t.startsWith("character(")));
    }

    private static boolean isIntegerTarget(String type) {
        return type.equals("smallint") || type.equals("integer") || type.equals("bigint");
    }

    /** Debezium options that change values on the way (masking, truncation, hashing): not comparable. */
    private void refuseValueRewrites(String db, String table, List<MappedColumn> row) {
        for (Map.Entry<String, String> e : source.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("column.mask.") || k.startsWith("column.truncate.to.")) {
                for (MappedColumn m : row) {
                    if (matchesAny(e.getValue(), db + "." + table + "." + m.name(), false)) {
                        throw new NotVerifiable("column " + m.name() + " is rewritten at the source by " + k);
                    }
                }
            }
        }
    }

    private boolean excludedAtSource(String db, String table, String column) {
        String id = db + "." + table + "." + column;
        String include = source.get("column.include.list");
        if (include != null && !include.isBlank()) {
            return !matchesAny(include, id, true);
        }
        return matchesAny(source.get("column.exclude.list"), id, false);
    }

    private Set<String> designBaseline(Connection dst, String target) throws SQLException {
        Set<String> out = new java.util.LinkedHashSet<>();
        try (PreparedStatement ps = dst.prepareStatement("SELECT column_name FROM " + quote(stateSchema)
                + ".\"design_columns\" WHERE target_schema = ? AND table_name = ?")) {
            ps.setString(1, targetSchema);
            ps.setString(2, target);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) { // no state table: no designed table has met its source yet
                throw e;
            }
            if (!dst.getAutoCommit()) {
                dst.rollback();
            }
        }
        return out;
    }

    private static List<RegistryKey> parseRegistryKeys(String text) {
        List<RegistryKey> out = new ArrayList<>();
        java.util.regex.Pattern syntax = java.util.regex.Pattern.compile(
                "\\s*(.+)\\.([^.=\\s]+)\\s*=\\s*([^()\\s]+)\\s*\\(([^()]*)\\)\\s*");
        for (String entry : text.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            java.util.regex.Matcher m = syntax.matcher(entry);
            if (!m.matches()) {
                throw new IllegalArgumentException("bigint.keys entry '" + entry.trim() + "' is not table.column=owner(col+col)");
            }
            out.add(new RegistryKey(m.group(1).trim(), m.group(2), m.group(3),
                    java.util.Arrays.stream(m.group(4).split("\\+")).map(String::trim).toList()));
        }
        return out;
    }

    private static long estimatedRows(Connection c, String db, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT table_rows FROM information_schema.tables "
                + "WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, db);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private Map<String, String> targetTypes(Connection c, String table) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod) "
                + "FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped "
                + "ORDER BY a.attnum")) {
            ps.setString(1, quote(targetSchema) + "." + quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
