package io.ferry.verify.mapping;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A connector's {@code transforms} as Connect applies them: in order, each gated by its predicate. Read from the same
 * connector JSON that was deployed, so the verifier follows the redesign the pipeline ran, not a second description
 * of it. A transform or predicate the verifier does not know makes the tables it touches not verifiable.
 */
public final class TransformChain {

    /** One configured transform: its alias, class and own settings (the "transforms.ALIAS." prefix removed). */
    public record Step(String alias, String type, Map<String, String> config) {

        public String get(String key) {
            return config.get(key);
        }

        /** A comma-separated list setting, trimmed, empty entries dropped. */
        public List<String> list(String key) {
            List<String> out = new ArrayList<>();
            String v = config.get(key);
            if (v != null) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
            return out;
        }
    }

    private record Gate(Step step, String predicateType, Map<String, String> predicateConfig, boolean negate) {}

    private final List<Gate> gates;

    private TransformChain(List<Gate> gates) {
        this.gates = gates;
    }

    public static TransformChain of(Map<String, String> connectorConfig) {
        List<Gate> gates = new ArrayList<>();
        String aliases = connectorConfig.getOrDefault("transforms", "");
        for (String alias : aliases.split(",")) {
            alias = alias.trim();
            if (alias.isEmpty()) {
                continue;
            }
            Map<String, String> config = withPrefix(connectorConfig, "transforms." + alias + ".");
            String type = config.remove("type");
            String predicate = config.remove("predicate");
            boolean negate = Boolean.parseBoolean(config.remove("negate"));
            String predicateType = null;
            Map<String, String> predicateConfig = Map.of();
            if (predicate != null && !predicate.isBlank()) {
                predicateConfig = withPrefix(connectorConfig, "predicates." + predicate.trim() + ".");
                predicateType = predicateConfig.remove("type");
                if (predicateType == null) {
                    predicateType = "(predicate " + predicate + " has no type)";
                }
            }
            gates.add(new Gate(new Step(alias, type == null ? "(no type)" : type, config), predicateType, predicateConfig,
                    negate));
        }
        return new TransformChain(gates);
    }

    private static Map<String, String> withPrefix(Map<String, String> config, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /**
     * The steps that apply to the change rows of a topic, in order.
     *
     * @throws NotVerifiable when a predicate cannot be decided for the topic
     */
    public List<Step> stepsFor(String topic) {
        List<Step> out = new ArrayList<>();
        for (Gate g : gates) {
            if (g.predicateType() == null) {
                out.add(g.step());
                continue;
            }
            boolean matches = switch (shortName(g.predicateType())) {
                case "TopicNameMatches" -> topicMatches(g, topic);
                // tombstones carry no row: a transform only for them (or only for rows) is decided by the negation
                case "RecordIsTombstone" -> false;
                default -> throw new NotVerifiable("transform " + g.step().alias() + " is gated by predicate "
                        + g.predicateType() + ", which ferry verify cannot decide");
            };
            if (matches != g.negate()) {
                out.add(g.step());
            }
        }
        return out;
    }

    private static boolean topicMatches(Gate g, String topic) {
        String pattern = g.predicateConfig().get("pattern");
        if (pattern == null) {
            throw new NotVerifiable("predicate of transform " + g.step().alias() + " has no pattern");
        }
        try {
            return Pattern.compile(pattern).matcher(topic).matches();
        } catch (PatternSyntaxException e) {
            throw new NotVerifiable("predicate of transform " + g.step().alias() + " has a bad pattern: " + e.getMessage());
        }
    }

    static String shortName(String className) {
        String s = className.trim();
        int dollar = s.indexOf('$');
        if (dollar > 0) {
            s = s.substring(0, dollar);
        }
        return s.substring(s.lastIndexOf('.') + 1);
    }
}
