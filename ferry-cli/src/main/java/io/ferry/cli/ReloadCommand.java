package io.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.reload.Reload;
import io.ferry.reload.ReloadTarget;
import io.ferry.verify.mapping.MappingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Reload tables while every other table keeps streaming (after a mapping change, a drift, or a "
                + "table added later): Debezium's incremental snapshot through its Kafka signal channel, its rows "
                + "upserted into the live table, then the rows the source no longer has swept. Exit code 0 when every "
                + "table ended DONE.")
final class ReloadCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TABLE", split = ",", arity = "1..*",
            description = "Source tables (table or db.table), comma-separated.")
    List<String> tables;

    @Option(names = "--connect", defaultValue = "${env:FERRY_CONNECT_URL:-http://localhost:8083}",
            description = "Kafka Connect REST URL (default ${DEFAULT-VALUE}); the connectors' configs are read from it.")
    URI connect;

    static final String ENDPOINTS = "endpoints.properties";

    @Option(names = "--state-dir", description = "The state directory of a running `ferry migrate`: its Connect "
            + "cluster, broker, connectors and target are used (the target password still comes from "
            + "--target-password or FERRY_TARGET_PASSWORD).")
    java.nio.file.Path stateDir;

    @Option(names = "--connector", description = "The Ferry sink connector's name.")
    String sinkConnector;

    @Option(names = "--source-connector", description = "The Debezium connector's name (default: the cluster's only one).")
    String sourceConnector;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (default: the source connector's "
            + "signal.kafka.bootstrap.servers).")
    String bootstrap;

    @picocli.CommandLine.Mixin
    TargetDatabase target;

    @Option(names = "--where", description = "Reload only the rows matching this SQL condition on the source table "
            + "(Debezium's additional-conditions); no sweep then.")
    String where;

    @Option(names = "--no-sweep", description = "Do not delete the rows the reload did not deliver.")
    boolean noSweep;

    /** Which signal starts the incremental snapshot. */
    enum Signal {
        ferry(io.ferry.reload.Reload.FERRY_SIGNAL), debezium(io.ferry.reload.Reload.DEBEZIUM_SIGNAL);

        final String type;

        Signal(String type) {
            this.type = type;
        }
    }

    @Option(names = "--signal", defaultValue = "ferry", description = "ferry (default): Ferry's signal action, shipped in "
            + "the Debezium plugin directories of connect-plugins, reads every chunk on Debezium's binlog thread; "
            + "debezium: Debezium's own execute-snapshot, for a Connect cluster without Ferry's jar (its first chunk is "
            + "read on Debezium's signal thread, which can race with the binlog thread).")
    Signal signal;

    @Option(names = "--timeout-seconds", defaultValue = "3600", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (stateDir != null) {
            fromStateDir();
        }
        if (sinkConnector == null || target.url == null) {
            throw new UserError("ferry reload needs the sink connector and its database", "pass --connector NAME and "
                    + "--target URL, or --state-dir DIR of a running ferry migrate");
        }
        ConnectClient client = new ConnectClient(connect);
        Map<String, String> sink = new java.util.LinkedHashMap<>(client.config(sinkConnector));
        sink.putIfAbsent("name", sinkConnector);
        String srcName = sourceConnector != null ? sourceConnector : VerifyCommand.onlyDebeziumConnector(client);
        Map<String, String> source = client.config(srcName);
        String channels = source.getOrDefault("signal.enabled.channels", "source");
        if (!List.of(channels.split("\\s*,\\s*")).contains("kafka")) {
            throw new UserError("source connector " + srcName + " does not read signals from Kafka (signal.enabled.channels="
                    + channels + ")", "add kafka to signal.enabled.channels with signal.kafka.topic and "
                    + "signal.kafka.bootstrap.servers, as connectors/*-source.json do, and redeploy it");
        }
        String signalTopic = source.get("signal.kafka.topic");
        String prefix = source.get("topic.prefix");
        String servers = bootstrap != null ? bootstrap : source.get("signal.kafka.bootstrap.servers");
        if (signalTopic == null || servers == null || servers.contains("${")) {
            throw new UserError("cannot tell where to signal " + srcName + " (signal.kafka.topic " + signalTopic
                    + ", signal.kafka.bootstrap.servers " + servers + ")", "pass --bootstrap HOST:PORT");
        }
        MappingReader mapping = new MappingReader(source, sink);
        String defaultDb = source.getOrDefault("database.include.list", "").split(",")[0].trim();
        List<ReloadTarget> targets = new ArrayList<>();
        for (String t : tables) {
            String db = t.contains(".") ? t.substring(0, t.indexOf('.')) : defaultDb;
            String table = t.contains(".") ? t.substring(t.indexOf('.') + 1) : t;
            if (db.isEmpty()) {
                throw new UserError("table " + t + ": which database?", "name it as db.table");
            }
            targets.add(new ReloadTarget(db + "." + table, prefix + "." + db + "." + table, mapping.targetName(db, table),
                    mapping.targetSchema()));
        }
        System.out.println("Ferry reload: " + String.join(", ", tables) + " (source " + srcName + ", sink " + sinkConnector
                + ")" + (where != null ? " where " + where : ""));
        Reload reload = new Reload(new Reload.Settings(servers, signalTopic, prefix, sinkConnector, mapping.stateSchema(),
                !noSweep, where, timeoutSeconds * 1000, signal.type),
                target::open,
                () -> runningTasks(client, sinkConnector), System.out).watching(new Reload.SourceTask() {
                    private boolean unreachableSaid;

                    @Override
                    public String failedTrace() {
                        try {
                            for (JsonNode t : client.status(srcName).path("tasks")) {
                                if ("FAILED".equals(t.path("state").asText())) {
                                    return t.path("trace").asText("FAILED");
                                }
                            }
                        } catch (java.io.IOException e) {
                            // the worker behind --connect may be restarting: the reload itself does not need it
                            if (!unreachableSaid) {
                                unreachableSaid = true;
                                System.out.println("  Connect at " + connect + " is not reachable now (" + e
                                        + "); the source task is watched again once it is");
                            }
                        }
                        return null;
                    }

                    @Override
                    public void restart() {
                        try {
                            client.restartFailed(srcName);
                        } catch (java.io.IOException e) {
                            System.out.println("  could not restart the source task now (" + e + "); trying again");
                        }
                    }
                });
        return reload.run(targets) ? 0 : 1;
    }

    private void fromStateDir() throws java.io.IOException {
        java.nio.file.Path f = stateDir.resolve(ENDPOINTS);
        if (!java.nio.file.Files.exists(f)) {
            throw new UserError("no running ferry migrate found in " + stateDir + " (" + ENDPOINTS + " is missing)",
                    "start ferry migrate with --state-dir " + stateDir + " first");
        }
        java.util.Properties p = new java.util.Properties();
        try (var r = java.nio.file.Files.newBufferedReader(f)) {
            p.load(r);
        }
        connect = URI.create(p.getProperty("connect.url"));
        bootstrap = bootstrap != null ? bootstrap : p.getProperty("bootstrap.servers");
        sinkConnector = sinkConnector != null ? sinkConnector : p.getProperty("sink.connector");
        sourceConnector = sourceConnector != null ? sourceConnector : p.getProperty("source.connector");
        target.url = target.url != null ? target.url : p.getProperty("target.url");
        if (!p.getProperty("target.user", "").isEmpty()) {
            target.user = p.getProperty("target.user");
        }
    }

    private static int runningTasks(ConnectClient client, String name) {
        try {
            JsonNode status = client.status(name);
            int n = 0;
            for (JsonNode t : status.path("tasks")) {
                if ("RUNNING".equals(t.path("state").asText())) {
                    n++;
                }
            }
            return n;
        } catch (java.io.IOException e) {
            throw new UserError("cannot read the status of " + name + ": " + e.getMessage(), "is Connect reachable?");
        }
    }
}
