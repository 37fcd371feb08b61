package io.ferry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Migrate a real MySQL/MariaDB database into PostgreSQL on an in-process Kafka broker and "
                + "Connect worker: full load, then CDC until Ctrl-C. Started again with the same --state-dir, it "
                + "resumes where it stopped. The connector files are the ones a Connect cluster takes; only hosts "
                + "and credentials are overlaid.")
final class MigrateCommand implements Callable<Integer> {

    @Option(names = "--source", required = true,
            description = "jdbc:mysql://host:3306/db or jdbc:mariadb://host:3306/db (user/password as URL parameters or options).")
    String sourceUrl;

    @Option(names = "--source-user", defaultValue = "${env:FERRY_SOURCE_USER}", description = "Env FERRY_SOURCE_USER.")
    String sourceUser;

    @Option(names = "--source-password", defaultValue = "${env:FERRY_SOURCE_PASSWORD}", description = "Env FERRY_SOURCE_PASSWORD.")
    String sourcePassword;

    @Option(names = "--target", required = true, description = "jdbc:postgresql://host:5432/db")
    String targetUrl;

    @Option(names = "--target-user", defaultValue = "${env:FERRY_TARGET_USER:-postgres}", description = "Default ${DEFAULT-VALUE}.")
    String targetUser;

    @Option(names = "--target-password", defaultValue = "${env:FERRY_TARGET_PASSWORD}", description = "Env FERRY_TARGET_PASSWORD.")
    String targetPassword;

    @Option(names = "--tables", split = ",", description = "Only these source tables (default: all).")
    List<String> tables;

    @Option(names = "--source-config", description = "Source connector JSON (default connectors/mysql-source.json, or mariadb-source.json for jdbc:mariadb:).")
    Path sourceConfig;

    @Option(names = "--sink-config", description = "Sink connector JSON (default connectors/postgres-sink.json).")
    Path sinkConfig;

    @Option(names = "--state-dir", defaultValue = ".ferry", description = "Kafka and Connect state; keep it to resume (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--topic-prefix", defaultValue = "ferry", description = "Debezium topic.prefix (default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Override
    public Integer call() throws Exception {
        SourceEndpoint source = SourceEndpoint.parse(sourceUrl, sourceUser, sourcePassword);
        Path srcFile = sourceConfig != null ? sourceConfig : Paths.connectors().resolve(
                source.kind().equals("mariadb") ? "mariadb-source.json" : "mysql-source.json");
        Path sinkFile = sinkConfig != null ? sinkConfig : Paths.connectors().resolve("postgres-sink.json");
        System.setProperty("ferry.log.dir", stateDir.toAbsolutePath().toString());
        System.out.println("Ferry migrate: " + SourceEndpoint.redact(sourceUrl) + " -> " + SourceEndpoint.redact(targetUrl));
        System.out.println("  state: " + stateDir.toAbsolutePath() + " (run again with it to resume)");
        CountDownLatch stop = StopSignal.install();
        try (LocalPipeline pipeline = LocalPipeline.start(stateDir.resolve("connect"), System.out)) {
            Map<String, String> srcOverlay = new LinkedHashMap<>(Overlays.source(source,
                    pipeline.server.bootstrapServers(), topicPrefix));
            if (tables != null && !tables.isEmpty()) {
                srcOverlay.put("table.include.list", String.join(",",
                        tables.stream().map(t -> source.database() + "." + t).toList()));
            }
            ConnectorFile src = ConnectorFile.read(srcFile).with(srcOverlay);
            ConnectorFile sink = ConnectorFile.read(sinkFile).with(Overlays.sink(targetUrl, targetUser, targetPassword,
                    topicPrefix, source.database()));
            pipeline.deploy(sink, src);
            Map<String, Long> expected;
            try (Connection c = DriverManager.getConnection(source.jdbcUrl(), source.user(), source.password())) {
                expected = SourceTables.estimated(c, source.database(), tables);
            }
            ProgressBoard board = new ProgressBoard(System.out);
            long start = System.nanoTime();
            try (Connection target = DriverManager.getConnection(targetUrl, targetUser, targetPassword)) {
                while (stop.getCount() > 0) {
                    pipeline.checkHealthy(src.name(), sink.name());
                    board.draw(expected, TargetStats.read(target, "ferry", sink.name()), (System.nanoTime() - start) / 1e9);
                    stop.await(2, java.util.concurrent.TimeUnit.SECONDS);
                }
                System.out.print(TargetStats.table(TargetStats.read(target, "ferry", sink.name())));
            }
            System.out.println("Stopping the Connect worker, then the broker; run again with the same --state-dir to resume.");
        }
        return 0;
    }
}
