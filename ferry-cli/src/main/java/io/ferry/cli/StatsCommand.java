package io.ferry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.Callable;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Per-table statistics of a Ferry sink, read from the target database (phase, snapshot rows, "
                + "inserts, updates, deletes, bad records).")
final class StatsCommand implements Callable<Integer> {

    @Option(names = "--target", required = true, description = "PostgreSQL JDBC URL of the target.")
    String target;

    @Option(names = "--target-user", defaultValue = "${env:FERRY_TARGET_USER:-postgres}", description = "Default ${DEFAULT-VALUE}.")
    String user;

    @Option(names = "--target-password", defaultValue = "${env:FERRY_TARGET_PASSWORD}", description = "Env FERRY_TARGET_PASSWORD.")
    String password;

    @Option(names = "--state-schema", defaultValue = "ferry", description = "The sink's state.schema (default ${DEFAULT-VALUE}).")
    String stateSchema;

    @Option(names = "--connector", description = "Only this sink connector's tables.")
    String connector;

    @Override
    public Integer call() throws Exception {
        try (Connection c = DriverManager.getConnection(target, user, password)) {
            System.out.print(TargetStats.table(TargetStats.read(c, stateSchema, connector)));
        }
        return 0;
    }
}
