package io.ferry.transforms;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Leaves columns out of every row image; refuses to drop a key column, which would merge distinct rows. */
public class DropColumns<R extends ConnectRecord<R>> extends ColumnTransform<R> {

    public static final String OVERVIEW_DOC = "Leaves columns out of both row images of a Debezium envelope (or the "
            + "flat row). Key columns cannot be dropped.";

    public interface ConfigName {
        String COLUMNS = "columns";
    }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ConfigName.COLUMNS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "Comma-separated columns to leave out, e.g. password,legacy_blob.");

    private Set<String> columns;

    @Override
    public void configure(Map<String, ?> props) {
        columns = new HashSet<>(new SimpleConfig(CONFIG_DEF, props).getList(ConfigName.COLUMNS));
        if (columns.isEmpty() || columns.stream().anyMatch(String::isBlank)) {
            throw new ConfigException(ConfigName.COLUMNS, columns, "name at least one column, none blank");
        }
    }

    @Override
    protected String newName(String column) {
        return columns.contains(column) ? null : column;
    }

    @Override
    protected String purpose() {
        return "Ferry DropColumns";
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }
}
