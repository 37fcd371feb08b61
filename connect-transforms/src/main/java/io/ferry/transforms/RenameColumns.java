package io.ferry.transforms;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Renames columns in the key and in every row image (before/after or the flat row) at once. */
public class RenameColumns<R extends ConnectRecord<R>> extends ColumnTransform<R> {

    public static final String OVERVIEW_DOC = "Renames columns in the record key and in both row images of a Debezium "
            + "envelope (or the flat row), so key, before and after stay consistent.";

    public interface ConfigName {
        String RENAMES = "renames";
    }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ConfigName.RENAMES, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "Comma-separated old:new pairs, e.g. cust_nm:customer_name,ts:last_update.");

    private Map<String, String> renames;

    @Override
    public void configure(Map<String, ?> props) {
        List<String> pairs = new SimpleConfig(CONFIG_DEF, props).getList(ConfigName.RENAMES);
        renames = new HashMap<>();
        for (String pair : pairs) {
            String[] p = pair.split(":", -1);
            if (p.length != 2 || p[0].isBlank() || p[1].isBlank()) {
                throw new ConfigException(ConfigName.RENAMES, pair, "expected old:new");
            }
            if (renames.put(p[0].trim(), p[1].trim()) != null) {
                throw new ConfigException(ConfigName.RENAMES, pair, "column " + p[0].trim() + " is renamed twice");
            }
        }
        if (renames.isEmpty()) {
            throw new ConfigException(ConfigName.RENAMES, pairs, "name at least one old:new pair");
        }
    }

    @Override
    protected String newName(String column) {
        return renames.getOrDefault(column, column);
    }

    @Override
    protected String purpose() {
        return "Ferry RenameColumns";
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }
}
