package io.ferry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Migrate a real MySQL/MariaDB database into PostgreSQL on an in-process Kafka broker and "
                + "Connect worker: full load, then CDC until Ctrl-C. Started again with the same --state-dir, it "
                + "resumes where it stopped. The connector files are the ones a Connect cluster takes; only hosts, "
                + "credentials and names are overlaid.")
final class MigrateCommand implements Callable<Integer> {

    @Mixin
    Databases db;

    @Option(names = "--tables", split = ",", description = "Only these source tables (default: all).")
    List<String> tables;

    @Option(names = "--source-config", description = "Source connector JSON (default connectors/mysql-source.json, or mariadb-source.json for jdbc:mariadb:).")
    Path sourceConfig;

    @Option(names = "--sink-config", description = "Sink connector JSON (default connectors/postgres-sink.json).")
    Path sinkConfig;

    @Option(names = "--state-dir", defaultValue = ".ferry", description = "Kafka and Connect state; keep it to resume (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--topic-format", paramLabel = "binary|json", description = "How records are kept on this "
            + "runner's own topics: binary (Ferry's converter, the fast path; default for a new state dir) or json "
            + "(Connect's JSON with schemas, as connectors/json/ sets, for other consumers of the topics). A resumed state dir keeps "
            + "the format its topics were written in.")
    String topicFormat;

    @Option(names = "--transactional", description = "Apply CDC as whole source transactions in commit order "
            + "(the sink's cdc.apply.mode=transactional; one sink task). Also on when --sink-config says so.")
    boolean transactional;

    @Option(names = "--topic-prefix", defaultValue = "ferry", description = "Debezium topic.prefix (default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--name", description = "Connector names NAME-source and NAME-sink (default ferry-<database>, or a "
            + "file's own name for a file of yours).")
    String name;

    /** The topics' format: what a resumed state dir was written in (json before this option), else the option. */
    private String topicFormat(boolean resumed) throws java.io.IOException {
        if (topicFormat != null && !topicFormat.equals("binary") && !topicFormat.equals("json")) {
            throw new UserError("--topic-format " + topicFormat + ": not binary or json", "use --topic-format binary");
        }
        Path file = stateDir.resolve("topic-format");
        if (!resumed) {
            return topicFormat == null ? "binary" : topicFormat;
        }
        String stored = Files.exists(file) ? Files.readString(file).trim() : "json";
        if (topicFormat != null && !topicFormat.equals(stored)) {
            throw new UserError("--topic-format " + topicFormat + ", but the topics in " + stateDir + " are " + stored,
                    "resume with --topic-format " + stored + ", or start a new --state-dir");
        }
        return stored;
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("ferry.log.dir", stateDir.toAbsolutePath().toString()); // before anything logs
        SourceEndpoint source = db.source();
        Path srcFile = sourceConfig != null ? sourceConfig : Paths.connectors().resolve(
                source.kind().equals("mariadb") ? "mariadb-source.json" : "mysql-source.json");
        Path sinkFile = sinkConfig != null ? sinkConfig : Paths.connectors().resolve("postgres-sink.json");
        ConnectorFile srcBase = ConnectorFile.read(srcFile);
        ConnectorFile sinkBase = ConnectorFile.read(sinkFile);
        preflight(source);
        System.out.println("Ferry migrate: " + SourceEndpoint.redact(db.sourceUrl) + " -> " + SourceEndpoint.redact(db.target.url));
        System.out.println("  state: " + stateDir.toAbsolutePath() + " (run again with it to resume)");
        boolean resumed = Files.isDirectory(stateDir.resolve("connect"));
        String format = topicFormat(resumed);
        CountDownLatch stop = StopSignal.install();
        try (LocalPipeline pipeline = LocalPipeline.start(stateDir.resolve("connect"), System.out)) {
            ConnectorNames names = names(pipeline, resumed, source, srcBase, sinkBase, srcFile, sinkFile);
            Map<String, String> srcOverlay = new LinkedHashMap<>(Overlays.source(source,
                    pipeline.server.bootstrapServers(), topicPrefix));
            if (tables != null && !tables.isEmpty()) {
                srcOverlay.put("table.include.list", String.join(",",
                        tables.stream().map(t -> source.database() + "." + t).toList()));
            }
            ConnectorFile src = srcBase.with(srcOverlay).with(Overlays.topicFormat(srcBase, true, format))
                    .renamed(names.source());
            ConnectorFile sink = sinkBase.with(Overlays.sink(db.target.url, db.target.user, db.target.password,
                    topicPrefix, source.database())).with(Overlays.topicFormat(sinkBase, false, format))
                    .with(EventTail.sinkOverlay(pipeline.server.bootstrapServers())).renamed(names.sink());
            sink = sink.with(Overlays.transactional(sink, transactional, topicPrefix, source.database()));
            Files.writeString(stateDir.resolve("topic-format"), format + "\n");
            // where `ferry reload --state-dir` finds this running pipeline (no password: it takes its own)
            Properties endpoints = new Properties();
            endpoints.setProperty("connect.url", pipeline.server.restUrl().toString());
            endpoints.setProperty("bootstrap.servers", pipeline.server.bootstrapServers());
            endpoints.setProperty("target.url", db.target.url);
            endpoints.setProperty("target.user", db.target.user == null ? "" : db.target.user);
            endpoints.setProperty("source.connector", names.source());
            endpoints.setProperty("sink.connector", names.sink());
            try (var w = Files.newBufferedWriter(stateDir.resolve(ReloadCommand.ENDPOINTS))) {
                endpoints.store(w, "the pipeline ferry migrate runs from this state directory, while it runs");
            }
            String converter = sink.config().getOrDefault("value.converter", Overlays.JSON_CONVERTER);
            System.out.println("  topics: " + (converter.equals(Overlays.BINARY_CONVERTER) ? "Ferry's binary converter"
                    : converter.equals(Overlays.JSON_CONVERTER) ? "JSON with schemas" : converter) + " (--topic-format)");
            Map<String, Long> expected;
            try (Connection c = db.openSource()) {
                expected = SourceTables.estimated(c, source.database(), tables);
            }
            pipeline.createTableTopics(src, source.database(), expected.keySet());
            pipeline.deploy(sink, src);
            ProgressBoard board = new ProgressBoard(System.out);
            long start = System.nanoTime();
            try (Connection target = db.openTarget();
                 EventTail events = new EventTail(pipeline.server.bootstrapServers())) {
                while (stop.getCount() > 0) {
                    pipeline.checkHealthy(src.name(), sink.name());
                    board.events(events.drain());
                    board.draw(expected, TargetStats.read(target, "ferry", sink.name()), (System.nanoTime() - start) / 1e9);
                    stop.await(2, java.util.concurrent.TimeUnit.SECONDS);
                }
                System.out.print(TargetStats.table(TargetStats.read(target, "ferry", sink.name())));
            }
            System.out.println("Stopping the Connect worker, then the broker; run again with the same --state-dir to resume.");
        }
        return 0;
    }

    /** Both databases answer before anything starts or is deployed; a failure names which one and why. */
    private void preflight(SourceEndpoint source) {
        try (Connection c = db.openSource()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new UserError("cannot connect to the source " + source.host() + ":" + source.port() + "/"
                    + source.database() + " as '" + source.user() + "': " + firstLine(e), Errors.classify(e) == null
                    ? null : Errors.classify(e).hint(), e);
        }
        try (Connection c = db.openTarget()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new UserError("cannot connect to the target " + SourceEndpoint.redact(db.target.url) + " as '"
                    + db.target.user + "': " + firstLine(e), Errors.classify(e) == null ? null : Errors.classify(e).hint(), e);
        }
    }

    private static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    private ConnectorNames names(LocalPipeline pipeline, boolean resumed, SourceEndpoint source, ConnectorFile src,
                                 ConnectorFile sink, Path srcFile, Path sinkFile) throws Exception {
        ConnectorNames names = ConnectorNames.stored(stateDir);
        // a state directory from before names were kept: go on with what its worker runs (read from its config topic)
        for (int i = 0; names == null && resumed && i < 20; i++) {
            names = ConnectorNames.running(pipeline.client);
            if (names == null) {
                Thread.sleep(500);
            }
        }
        if (names == null) {
            names = ConnectorNames.derive(name, source.database(), src, sink, shipped(srcFile), shipped(sinkFile));
        }
        names.store(stateDir);
        System.out.println("  connectors: " + names.source() + ", " + names.sink());
        return names;
    }

    private static boolean shipped(Path file) {
        return file.toAbsolutePath().normalize().startsWith(Paths.connectors());
    }
}
