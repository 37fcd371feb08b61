package io.ferry.transforms.util;

import io.ferry.keys.NaturalKeyUuid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The schemaless (Map) side of the uuid columns, e.g. for JSON without embedded schemas. */
public final class Schemaless {
    private Schemaless() {}

    public static boolean isEnvelope(Map<?, ?> value) {
        return value.containsKey("op") && value.containsKey("after") && value.containsKey("before");
    }

    public static String idOf(Map<?, ?> row, List<String> fields, UUID namespace, boolean optional, String purpose) {
        List<Object> values = new ArrayList<>();
        List<org.apache.kafka.connect.data.Schema> schemas = new ArrayList<>();
        for (String f : fields) {
            if (!row.containsKey(f)) {
                throw new org.apache.kafka.connect.errors.DataException(purpose + ": the row has no column \"" + f + "\"");
            }
            Object v = row.get(f);
            if (v == null) {
                if (optional) {
                    return null;
                }
                throw new org.apache.kafka.connect.errors.DataException(purpose + ": natural-key column \"" + f + "\" is null");
            }
            values.add(v);
            schemas.add(null);
        }
        return NaturalKeyUuid.of(namespace, values, schemas).toString();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> with(Map<?, ?> row, String field, Object value) {
        if (row == null) {
            return null;
        }
        Map<String, Object> out = new HashMap<>((Map<String, Object>) row);
        out.put(field, value);
        return out;
    }
}
