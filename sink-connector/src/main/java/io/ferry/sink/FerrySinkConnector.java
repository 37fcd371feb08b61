package io.ferry.sink;

import io.ferry.sink.config.FerrySinkConfig;
import io.ferry.sink.design.DeclarationCheck;
import io.ferry.sink.design.TargetDesign;
import io.ferry.sink.schema.GeometryFormat;
import io.ferry.sink.errors.ErrorContext;
import io.ferry.sink.write.PgConnections;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ferry's PostgreSQL sink. Partitions are spread over tasks by Connect; every task writes its own partitions and
 * keeps their offsets in the target database.
 */
public class FerrySinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new FerrySinkConfig(props);
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return FerrySinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> task = new HashMap<>(props);
            task.put(FerrySinkTask.TASK_ID, Integer.toString(i));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return FerrySinkConfig.CONFIG_DEF;
    }

    /** Besides the per-option checks, tries to log in, so a wrong URL or password fails at validate, not later. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        boolean valid = config.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (!valid) {
            return config;
        }
        String transactional = FerrySinkConfig.transactionalProblem(connectorConfigs);
        if (transactional != null) {
            error(config, FerrySinkConfig.APPLY_MODE_CONFIG, transactional);
            return config;
        }
        FerrySinkConfig sink = new FerrySinkConfig(connectorConfigs);
        try (Connection conn = PgConnections.open(sink, "ferry-validate")) {
            try {
                TargetDesign design = TargetDesign.read(conn, sink.targetDdl(), sink.targetSchema());
                DeclarationCheck.problems(design, sink.foreignKeys(), sink.bigintKeys())
                        .forEach((property, problems) -> problems.forEach(p -> error(config, property, p)));
            } catch (SQLException e) {
                error(config, FerrySinkConfig.TARGET_DDL_CONFIG, ErrorContext.chain(e));
            }
            try {
                GeometryFormat.columnType(conn, sink.geometryFormat());
            } catch (IllegalStateException e) {
                error(config, FerrySinkConfig.GEOMETRY_FORMAT_CONFIG, e.getMessage());
            }
            return config;
        } catch (SQLException | RuntimeException e) {
            for (ConfigValue v : config.configValues()) {
                if (v.name().equals(FerrySinkConfig.CONNECTION_URL_CONFIG)) {
                    v.addErrorMessage("cannot connect to PostgreSQL: " + ErrorContext.chain(e));
                }
            }
            return config;
        }
    }

    private static void error(Config config, String name, String message) {
        for (ConfigValue v : config.configValues()) {
            if (v.name().equals(name)) {
                v.addErrorMessage(message);
            }
        }
    }

    @Override
    public String version() {
        return Version.get();
    }
}
