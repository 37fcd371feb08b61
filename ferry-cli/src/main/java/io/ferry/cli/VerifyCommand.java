package io.ferry.cli;

import io.ferry.verify.TableResult;
import io.ferry.verify.TableVerifier;
import io.ferry.verify.VerifyReport;
import io.ferry.verify.VerifyRun;
import io.ferry.verify.VerifyStore;
import io.ferry.verify.mapping.MappingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Prove that PostgreSQL equals the redesigned MySQL source, row by row, through the mapping the "
                + "deployed connector JSON declares (table naming, Rename/Drop/CastColumns, SurrogateKey and ForeignKey "
                + "uuids, bigint.keys, columns the target design leaves out, value policies). Runs while CDC flows: a row "
                + "that differs is checked again once the sink has caught up. Exit code 0 only when every table is "
                + "VALIDATED.")
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    Databases db;

    @Option(names = "--source-config", description = "Source connector JSON (default connectors/mysql-source.json, or mariadb-source.json for jdbc:mariadb:).")
    Path sourceConfig;

    @Option(names = "--sink-config", description = "Sink connector JSON (default connectors/postgres-sink.json).")
    Path sinkConfig;

    @Option(names = "--connect", description = "Read the connector configs from this Connect cluster instead of files.")
    java.net.URI connect;

    @Option(names = "--connector", description = "With --connect: the sink connector's name.")
    String connector;

    @Option(names = "--source-connector", description = "With --connect: the source connector's name (default: the cluster's only Debezium connector).")
    String sourceConnector;

    @Option(names = "--topic-prefix", defaultValue = "ferry", description = "With config files: Debezium's topic.prefix as deployed (default ${DEFAULT-VALUE}, as ferry migrate uses).")
    String topicPrefix;

    @Option(names = "--tables", split = ",", description = "Only these source tables (default: all the pipeline carries).")
    List<String> tables;

    @Option(names = "--report", description = "Write DIR/verify.json.")
    Path reportDir;

    @Option(names = "--parallel", defaultValue = "2", description = "Tables verified at a time (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--rechecks", defaultValue = "4", description = "How often a differing row is checked again after the sink caught up before it counts (default ${DEFAULT-VALUE}; 0 for databases nobody writes to).")
    int rechecks;

    @Option(names = "--recheck-wait-ms", defaultValue = "2000", description = "Least wait before a recheck (default ${DEFAULT-VALUE}).")
    long recheckWaitMs;

    @Option(names = "--max-failures", defaultValue = "10000", description = "Stop collecting differing rows of a table after this many (default ${DEFAULT-VALUE}).")
    int maxFailures;

    @Option(names = "--no-store", description = "Do not record the result in the state schema (validation, validation_failures).")
    boolean noStore;

    @Override
    public Integer call() throws Exception {
        SourceEndpoint source = db.source();
        Map<String, String>[] configs = configs(source);
        MappingReader mapping = new MappingReader(configs[0], configs[1]);
        String sinkName = configs[1].get("name");
        TableVerifier verifier = new TableVerifier(new TableVerifier.Options(rechecks, recheckWaitMs, maxFailures,
                mapping.stateSchema(), sinkName));
        VerifyRun run = new VerifyRun(mapping, new VerifyRun.Connections() {
            @Override public Connection source() throws java.sql.SQLException { return db.openSource(); }
            @Override public Connection target() throws java.sql.SQLException { return db.openTarget(); }
        }, verifier, parallel);
        System.out.println("Ferry verify: " + SourceEndpoint.redact(db.sourceUrl) + " -> " + SourceEndpoint.redact(db.target.url));
        List<TableResult> results = run.run(source.database(), tables, System.out);
        System.out.println();
        System.out.print(VerifyReport.table(results));
        String runId = UUID.randomUUID().toString();
        if (!noStore) {
            try (Connection t = db.openTarget()) {
                VerifyStore store = new VerifyStore(mapping.stateSchema());
                store.create(t);
                store.record(t, runId, results);
            }
        }
        if (reportDir != null) {
            VerifyReport.write(reportDir, runId, SourceEndpoint.redact(db.sourceUrl), SourceEndpoint.redact(db.target.url),
                    results);
            System.out.println("report: " + reportDir.resolve("verify.json"));
        }
        return VerifyReport.allValidated(results) ? 0 : 1;
    }

    /** {source config, sink config}: from the cluster as deployed, or from the files overlaid as migrate deploys them. */
    @SuppressWarnings("unchecked")
    private Map<String, String>[] configs(SourceEndpoint source) throws Exception {
        if (connect != null) {
            if (connector == null) {
                throw new IllegalArgumentException("--connect needs --connector NAME (the sink connector)");
            }
            ConnectClient client = new ConnectClient(connect);
            Map<String, String> sink = new java.util.LinkedHashMap<>(client.config(connector));
            sink.putIfAbsent("name", connector);
            String srcName = sourceConnector != null ? sourceConnector : onlyDebeziumConnector(client);
            return new Map[] {client.config(srcName), sink};
        }
        Path srcFile = sourceConfig != null ? sourceConfig : Paths.connectors().resolve(
                source.kind().equals("mariadb") ? "mariadb-source.json" : "mysql-source.json");
        Path sinkFile = sinkConfig != null ? sinkConfig : Paths.connectors().resolve("postgres-sink.json");
        ConnectorFile src = ConnectorFile.read(srcFile).with(Overlays.source(source, "", topicPrefix));
        ConnectorFile sink = ConnectorFile.read(sinkFile).with(Overlays.sink(db.target.url, db.target.user, db.target.password,
                topicPrefix, source.database()));
        Map<String, String> sinkConfig = new java.util.LinkedHashMap<>(sink.config());
        sinkConfig.put("name", sink.name());
        return new Map[] {src.config(), sinkConfig};
    }

    /** The cluster's only Debezium connector (the source), else an error asking for its name. */
    static String onlyDebeziumConnector(ConnectClient client) throws Exception {
        List<String> found = new java.util.ArrayList<>();
        for (String name : client.connectors()) {
            if (client.config(name).getOrDefault("connector.class", "").startsWith("io.debezium.connector.")) {
                found.add(name);
            }
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException("name the source connector with --source-connector (found " + found + ")");
        }
        return found.get(0);
    }
}
