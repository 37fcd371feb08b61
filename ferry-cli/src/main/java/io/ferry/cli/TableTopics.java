package io.ferry.cli;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * The source's table topics, made in one call before the connectors start, on a runner's own broker.
 *
 * <p>Left to Connect, the source task creates each table's topic when it first sends to it: a synchronous admin
 * round trip on the task thread per table (62-69 ms on average here, more than 2,000 small rows take), and the sink,
 * subscribed by pattern, only finds the topic at its next metadata refresh and rebalances for it. Made up front, the
 * sink is assigned every table once and the source only checks that each exists. The topics get exactly what
 * Connect would give them: the source file's {@code topic.creation.default.*} settings.
 *
 * <p>Only where the names are certain: a source file that routes topics (transforms, a naming strategy, creation
 * groups) keeps Connect's own creation, and so does a table whose name Debezium would have to sanitize.
 */
final class TableTopics {
    private TableTopics() {}

    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final String DEFAULT_GROUP = "topic.creation.default.";
    /** Settings of Connect's default group that are not topic configs. */
    private static final Set<String> NOT_TOPIC_CONFIGS = Set.of("partitions", "replication.factor", "include", "exclude");

    /**
     * The topics Debezium will write the tables to, with Connect's default creation settings from the file; empty
     * when the file names its topics in a way this cannot predict.
     */
    static List<NewTopic> plan(ConnectorFile source, String database, Collection<String> tables) {
        try {
            return planned(source.config(), database, tables);
        } catch (RuntimeException e) { // a filter or number Connect's validation will name; nothing made up front
            return List.of();
        }
    }

    private static List<NewTopic> planned(Map<String, String> c, String database, Collection<String> tables) {
        if (!c.getOrDefault("transforms", "").isBlank() || c.containsKey("topic.naming.strategy")
                || !c.getOrDefault("topic.creation.groups", "").isBlank() || !c.containsKey("topic.prefix")
                || !PLAIN_NAME.matcher(database).matches()) {
            return List.of();
        }
        String delimiter = c.getOrDefault("topic.delimiter", ".");
        List<Pattern> include = patterns(c.get("table.include.list"));
        List<Pattern> exclude = patterns(c.get("table.exclude.list"));
        Optional<Integer> partitions = positive(c.get(DEFAULT_GROUP + "partitions"));
        Optional<Short> replication = positive(c.get(DEFAULT_GROUP + "replication.factor")).map(Integer::shortValue);
        Map<String, String> configs = new LinkedHashMap<>();
        c.forEach((k, v) -> {
            if (k.startsWith(DEFAULT_GROUP)) {
                String key = k.substring(DEFAULT_GROUP.length());
                if (!NOT_TOPIC_CONFIGS.contains(key)) {
                    configs.put(key, v);
                }
            }
        });
        List<NewTopic> out = new ArrayList<>();
        for (String table : tables) {
            String qualified = database + "." + table;
            if (!PLAIN_NAME.matcher(table).matches()
                    || (!include.isEmpty() && include.stream().noneMatch(p -> p.matcher(qualified).matches()))
                    || exclude.stream().anyMatch(p -> p.matcher(qualified).matches())) {
                continue;
            }
            out.add(new NewTopic(c.get("topic.prefix") + delimiter + database + delimiter + table, partitions,
                    replication).configs(configs));
        }
        return out;
    }

    /**
     * Creates the topics that do not exist yet (a resumed runner's exist already). Returns how many it made; a failure
     * is reported and left to Connect, which creates a missing topic itself.
     */
    static int create(String bootstrap, List<NewTopic> topics) {
        if (topics.isEmpty()) {
            return 0;
        }
        int made = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "ferry-table-topics"))) {
            for (var e : admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get();
                    made++;
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        System.err.println("  note: topic " + e.getKey() + " not made up front ("
                                + ex.getCause().getMessage() + "); the source connector will create it");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return made;
    }

    /** Debezium's filter lists: comma-separated regular expressions matched against the whole name, any case. */
    private static List<Pattern> patterns(String list) {
        List<Pattern> out = new ArrayList<>();
        if (list != null) {
            for (String p : list.split(",")) {
                if (!p.isBlank()) {
                    out.add(Pattern.compile(p.trim(), Pattern.CASE_INSENSITIVE));
                }
            }
        }
        return out;
    }

    private static Optional<Integer> positive(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        int n = Integer.parseInt(value.trim());
        return n > 0 ? Optional.of(n) : Optional.empty();
    }
}
