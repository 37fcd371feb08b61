package io.ferry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.cli.ConnectClient;
import io.ferry.cli.ConnectorFile;
import io.ferry.cli.Overlays;
import io.ferry.cli.SourceEndpoint;
import io.ferry.embedded.KafkaConnectServer;
import io.ferry.embedded.MariaDbServer;
import io.ferry.embedded.PostgresServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Full-load speed, side by side in one run on the same rows and machine: raw COPY (the ceiling), Debezium's snapshot
 * into Kafka, the Ferry sink draining the finished topic alone, Debezium's JDBC sink draining the same topic, the
 * whole Ferry pipeline end to end, and pgloader when it is installed.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the full load against raw COPY, Debezium's JDBC sink and pgloader; writes result.json "
                + "and report.md.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows in the source table (default ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs per system (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--out", defaultValue = "bench-out", description = "Report folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--state-dir", description = "Server files (default: a new temp dir).")
    Path stateDir;

    @Option(names = "--cdc-rates", split = ",", defaultValue = "1000,5000,0",
            description = "CDC insert rates in rows/s; 0 = as fast as one source connection can (default ${DEFAULT-VALUE}).")
    List<Integer> cdcRates;

    @Option(names = "--cdc-seconds", defaultValue = "20", description = "Seconds per CDC rate (default ${DEFAULT-VALUE}).")
    int cdcSeconds;

    @Option(names = "--soak", paramLabel = "DURATION",
            description = "Instead of the benchmark: the full load of --rows rows, then mixed CDC at the highest rate "
                    + "this machine sustains for DURATION (30m, 2h, 90s), with the sink on a worker in its own JVM; "
                    + "reports the sink's heap after GC over the load and per minute, the lag per minute and rows "
                    + "lost/doubled at the end; writes soak.json and soak.md. Exit code 1 if any row was lost, "
                    + "doubled or different.")
    String soak;

    @Option(names = "--skip", split = ",", paramLabel = "COMPARATOR",
            description = "Comparators this run may leave out (pgloader). Without it, a comparator that cannot be "
                    + "measured makes the run exit 1, so a report never silently lacks its headline ratio; pgloader "
                    + "is installed with apt-get when missing and running as root.")
    List<String> skip = new ArrayList<>();

    @Option(names = "--only", paramLabel = "PART",
            description = "Measure only this part, in a few minutes instead of the whole bench's 40: end-to-end (raw "
                    + "COPY, pgloader and the end-to-end load as shipped) or sink (raw COPY, Debezium's snapshot into "
                    + "Kafka, then Ferry's sink and Debezium's JDBC sink draining it, as shipped), or migrate (a new "
                    + "user's migration: ./ferry migrate started as a command of its own, on a four-table schema of "
                    + "--rows rows with foreign keys and on a hundred small tables holding a quarter as many, timed to "
                    + "every table loaded with its keys, each beside pgloader migrating the same database). Default: "
                    + "everything.")
    String only;

    @Option(names = "--timeout-seconds", defaultValue = "1800", description = "Per measured run (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    private static final String TOPIC_PREFIX = "bench";
    /** What --only accepts. */
    private static final String END_TO_END = "end-to-end";
    private static final String SINK = "sink";
    private static final String MIGRATE = "migrate";
    /** How the shipped (binary) setup is named in notes, and where its Debezium server ids start above the JSON one's. */
    private static final String SHIPPED = "FerryBinaryConverter (as shipped)";
    /** The bench table keyed by a registry id for its source key: ferry_sink_binary_registry_keys. */
    private static final String REGISTRY_KEY = "items.row_id=items(id)";
    private static final int SHIPPED_SERVER_OFFSET = 100;
    /** What --skip accepts: the comparators that come from outside this build. */
    static final List<String> COMPARATORS = List.of("pgloader");
    /** What the shipped connectors/*.json set on the source and the sink. */
    static final Map<String, String> BINARY_CONVERTERS = Map.of(
            "key.converter", Overlays.BINARY_CONVERTER, "value.converter", Overlays.BINARY_CONVERTER);
    private final List<CdcLatency.Result> cdc = new ArrayList<>();
    private String verifySmallHeap;
    /** What this run is measured on, for the report: read once the servers are up, before anything is written. */
    private Machine machine;
    /** Reads where each timed run's CPU went; set once the servers run. */
    private CpuMeter meter = new CpuMeter(Map.of());

    @Override
    public Integer call() throws Exception {
        // a mistyped option fails before any folder or server is made
        if (only != null && !only.equals(END_TO_END) && !only.equals(SINK) && !only.equals(MIGRATE)) {
            System.err.println("ferry bench: --only " + only + ": not a part (" + END_TO_END + ", " + SINK + ", "
                    + MIGRATE + ")");
            return 2;
        }
        for (String s : skip) {
            if (!COMPARATORS.contains(s)) {
                System.err.println("ferry bench: --skip " + s + ": not a comparator (one of " + COMPARATORS + ")");
                return 2;
            }
        }
        Duration soakFor = null;
        if (soak != null) {
            if (only != null) {
                System.err.println("ferry bench: --only and --soak are two different runs: give one of them");
                return 2;
            }
            soakFor = SoakRun.parse(soak);
            if (soakFor == null) {
                System.err.println("ferry bench: --soak " + soak + ": not a duration (90s, 30m, 2h)");
                return 2;
            }
        }
        Path dir = stateDir != null ? stateDir : Files.createTempDirectory("ferry-bench");
        System.setProperty("ferry.log.dir", dir.toString());
        Files.createDirectories(out);
        if (soakFor != null) {
            return new SoakRun(soakFor, rows, dir, out).run();
        }
        // before the long part: a run that is going to lack its comparator says so at once
        Path pgloader = null;
        // the sink's comparators are raw COPY and Debezium's JDBC sink, both measured in this build
        boolean withPgloader = !skip.contains("pgloader") && !SINK.equals(only);
        if (withPgloader) {
            pgloader = Pgloader.locateOrInstall(dir);
            if (pgloader == null) {
                System.err.println("ferry bench: pgloader, the end-to-end comparator, cannot be measured here; "
                        + "install it or pass --skip pgloader");
                return 1;
            }
        }
        List<Measurement> results = new ArrayList<>();
        cdc.clear();
        postLoad = null;
        try (MariaDbServer maria = MariaDbServer.start(dir.resolve("mariadb"));
             PostgresServer pg = PostgresServer.start(dir.resolve("postgres"))) {
            // a server's processes are found by the data directory on their command line
            meter = new CpuMeter(Map.of("postgres", dir.resolve("postgres").toString(),
                    "mariadb", dir.resolve("mariadb").toString()));
            machine = Machine.of(pg, maria, pgloader);
            if (MIGRATE.equals(only)) {
                keep(results, new MigrateRun(maria, pg, meter, dir, pgloader, rows, runs).measure());
                write(results);
                return missing(results);
            }
            say("generating %,d rows in MariaDB %s.%s", rows, BenchData.DATABASE, BenchData.TABLE);
            BenchData.generate(maria, rows);
            byte[] copyData = RawCopy.extract(maria, BenchData.DATABASE, BenchData.TABLE);
            long bytes = copyData.length;
            say("%,d rows, %.1f MB in PostgreSQL's text format", rows, bytes / 1e6);
            keep(results, List.of(RawCopy.measure(pg, meter, copyData, rows, runs)));
            keep(results, List.of(RawCopy.measureBinary(pg, meter, rows, runs)));
            // pgloader needs no Kafka: measured while the machine holds only the two databases, as a user runs it
            if (withPgloader) {
                keep(results, Pgloader.measure(pgloader, maria, pg, meter, rows, bytes, runs));
            } else if (skip.contains("pgloader")) {
                keep(results, List.of(Measurement.skipped("pgloader", "skipped on request (--skip pgloader)")));
            }
            if (only == null) {
                // the migration a new user runs, its own command with its own broker, before this JVM starts one
                keep(results, new MigrateRun(maria, pg, meter, dir, pgloader, rows, runs).measure());
            }

            try (KafkaConnectServer kc = KafkaConnectServer.start(dir.resolve("connect"),
                    Path.of(System.getProperty("ferry.plugin.path")))) {
                ConnectClient connect = new ConnectClient(kc.restUrl());
                SourceEndpoint source = new SourceEndpoint("mariadb", maria.host(), maria.port(), BenchData.DATABASE,
                        maria.user(), maria.password());
                Path connectors = Path.of(System.getProperty("ferry.home", ".")).resolve("connectors");
                ConnectorFile shippedSource = ConnectorFile.read(connectors.resolve("mariadb-source.json"));
                ConnectorFile shippedSink = ConnectorFile.read(connectors.resolve("postgres-sink.json"));
                Path pluginPath = Path.of(System.getProperty("ferry.plugin.path"));
                if (SINK.equals(only)) {
                    // the sink's ratios alone: Ferry's sink and Debezium's JDBC sink on the same finished topic, as shipped
                    String prefix = TOPIC_PREFIX + "binary";
                    String topic = prefix + "." + BenchData.DATABASE + "." + BenchData.TABLE;
                    Measurement snapshot = snapshotToKafka(connect, kc, source, shippedSource, BINARY_CONVERTERS,
                            "_binary", prefix, topic, SHIPPED_SERVER_OFFSET, bytes);
                    keep(results, List.of(snapshot));
                    keep(results, sinkDrains(connect, pg, shippedSink, BINARY_CONVERTERS, "_binary", prefix,
                            topic, bytes));
                } else if (only != null) {
                    // the headline alone: the end-to-end load as shipped, beside raw COPY and pgloader above
                    EndToEnd e2e = endToEnd(connect, kc, pg, source, shippedSource, shippedSink, BINARY_CONVERTERS,
                            "_binary", SHIPPED, SHIPPED_SERVER_OFFSET, bytes);
                    keep(results, List.of(e2e.measurement()));
                } else {
                    // the same source and sinks twice: with Connect's JSON with schemas (connectors/json/, for topics
                    // other consumers read) and as shipped (connectors/*.json, Ferry's binary converter)
                    for (String variant : List.of("", "_binary")) {
                        Map<String, String> converters = variant.isEmpty() ? Map.of() : BINARY_CONVERTERS;
                        ConnectorFile sourceFile = variant.isEmpty()
                                ? ConnectorFile.read(connectors.resolve("json/mariadb-source.json")) : shippedSource;
                        ConnectorFile sinkFile = variant.isEmpty()
                                ? ConnectorFile.read(connectors.resolve("json/postgres-sink.json")) : shippedSink;
                        String prefix = TOPIC_PREFIX + variant.replace("_", "");
                        String topic = prefix + "." + BenchData.DATABASE + "." + BenchData.TABLE;
                        int serverOffset = variant.isEmpty() ? 0 : SHIPPED_SERVER_OFFSET;
                        String how = how(variant);

                        Measurement snapshot = snapshotToKafka(connect, kc, source, sourceFile, converters, variant,
                                prefix, topic, serverOffset, bytes);
                        keep(results, List.of(snapshot));

                        Measurement decode = ConverterDecode.measure("converter_decode" + (variant.isEmpty() ? "_json" : variant),
                                kc.bootstrapServers(), topic, rows, bytes,
                                variant.isEmpty() ? ConverterDecode.json() : ConverterDecode.binary(pluginPath), runs);
                        keep(results, List.of(decode));

                        keep(results, sinkDrains(connect, pg, sinkFile, converters, variant, prefix, topic, bytes));
                        if (!variant.isEmpty()) {
                            keep(results, operationsOverhead(connect, pg, sinkFile.with(converters), prefix, bytes));
                        }

                        EndToEnd e2eRun = endToEnd(connect, kc, pg, source, sourceFile, sinkFile, converters, variant, how,
                                serverOffset, bytes);
                        Measurement e2e = e2eRun.measurement();
                        keep(results, List.of(e2e));
                        if (!variant.isEmpty()) {
                            for (int threads : List.of(2, 4)) {
                                Measurement m = parallelSnapshot(connect, kc, pg, source, sourceFile, sinkFile, converters,
                                        threads, bytes);
                                keep(results, List.of(m));
                            }
                        }
                        if (variant.isEmpty()) {
                            // ferry verify of the loaded table through its mapping, beside reading it
                            VerifyBench.Result v = VerifyBench.measure(maria, pg, e2eRun.lastDb(), e2eRun.lastSource(),
                                    e2eRun.lastSink(), e2eRun.lastPrefix(), rows, bytes, runs);
                            keep(results, v.measurements());
                            verifySmallHeap = v.smallHeap();
                            say("  ferry verify in a small heap: %s", verifySmallHeap);
                            connect.delete("bench-source" + variant); // CDC is measured as shipped, through the binary one
                        }
                        if (!variant.isEmpty()) {
                            postLoad = postLoadBuild(connect, pg, sinkFile.with(converters), prefix, bytes);
                            say("  post-load build: %s", postLoad);
                            keep(results, scaleOut(kc, connect, pg, source, sourceFile, sinkFile, pluginPath, bytes));
                        }
                    }

                    measureCdc(connect, maria, pg, shippedSink);
                }
            }
        }
        write(results);
        return missing(results);
    }

    /** 0, or 1 with what a comparator-less run lacks: a report never silently misses its headline ratio. */
    private int missing(List<Measurement> results) {
        List<String> missing = new ArrayList<>();
        for (Measurement m : results) {
            if (!m.measured() && !skip.contains(m.system)) {
                missing.add(m.system + " (" + m.note + ")");
            }
        }
        if (!missing.isEmpty()) {
            System.err.println("ferry bench: not measured: " + String.join("; ", missing)
                    + " - the report is written but incomplete; pass --skip to accept that");
            return 1;
        }
        return 0;
    }

    /**
     * CDC latency, through the still-running shipped (binary) bench source, which streams the new table: Ferry's sink
     * in its three apply modes, then Debezium's JDBC sink, each alone on the same topic and the same mixed workload.
     */
    private void measureCdc(ConnectClient connect, MariaDbServer maria, PostgresServer pg, ConnectorFile shippedSink)
            throws Exception {
        CdcLatency.prepareSource(maria);
        String cdcPrefix = TOPIC_PREFIX + "binary";
        String events = cdcPrefix + "." + BenchData.DATABASE + ".events";
        // ferry_copy: Ferry's sink with cdc.upsert.mode=copy (staging COPY + one INSERT ... SELECT per table)
        // ferry_transactional: cdc.apply.mode=transactional (whole source transactions, in commit order)
        for (String kind : List.of("ferry", "ferry_copy", "ferry_transactional", "debezium_jdbc")) {
            String db = "cdc_" + kind;
            CdcLatency.prepareTarget(pg, db);
            String name = "bench-sink-cdc-" + kind.replace('_', '-');
            Map<String, String> config;
            if (kind.startsWith("ferry")) {
                ConnectorFile cdcSink = CdcLatency.sink(shippedSink, name, pg.jdbcUrl(db), pg, events)
                        .with(Map.of("cdc.upsert.mode", kind.equals("ferry_copy") ? "copy" : "statements"));
                if (kind.equals("ferry_transactional")) {
                    String transactions = cdcPrefix + ".transaction";
                    cdcSink = cdcSink.with(Map.of("cdc.apply.mode", "transactional", "transaction.topic",
                            transactions, "topics.regex", "(" + events.replace(".", "\\.") + "|"
                                    + transactions.replace(".", "\\.") + ")"));
                }
                config = cdcSink.config();
            } else {
                config = new LinkedHashMap<>(debeziumJdbcSink(pg.jdbcUrl(db), pg, events));
                config.put("table.name.format", "events");
                config.putAll(BINARY_CONVERTERS);
            }
            connect.put(name, config);
            CdcLatency.awaitInSync(maria, pg, db); // a new sink first replays what the topic holds
            CdcLatency.run(kind, maria, pg, db, 200, 3); // warm-up: topic creation, consumer assignment
            for (int rate : cdcRates) {
                CdcLatency.Result r = CdcLatency.run(kind, maria, pg, db, rate, cdcSeconds);
                cdc.add(r);
                say("  cdc %-13s %-5s achieved %,7.0f changes/s: latency p50 %.3f s, p95 %.3f s, p99 %.3f s, "
                                + "max %.3f s (%,d changes, %,d timed, in sync %.1f s after the last)", kind,
                        rate == 0 ? "max" : Integer.toString(rate), r.achievedRate(), r.p50(), r.p95(), r.p99(),
                        r.max(), r.changes(), r.samples(), r.drainSeconds());
            }
            connect.delete(name);
        }
    }

    /**
     * Debezium's snapshot of the bench table into a fresh topic, the source alone: from the connector's creation to
     * the last row in the topic (1 run; the source keeps running, later parts stream through it).
     */
    private Measurement snapshotToKafka(ConnectClient connect, KafkaConnectServer kc, SourceEndpoint source,
                                        ConnectorFile sourceFile, Map<String, String> converters, String variant,
                                        String prefix, String topic, int serverOffset, long bytes) throws Exception {
        Measurement snapshot = new Measurement("debezium_snapshot_to_kafka" + variant, rows, bytes);
        CpuMeter.Run cpu = meter.start();
        long t0 = System.nanoTime();
        connect.put("bench-source" + variant, sourceFile.with(Overlays.source(source, kc.bootstrapServers(), prefix))
                .with(converters).with(Map.of("database.server.id", Integer.toString(184054 + serverOffset))).config());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kc.bootstrapServers()))) {
            await(() -> {
                cpu.sample();
                return topicEnd(admin, topic, 1) >= rows;
            }, "the snapshot to reach Kafka");
        }
        snapshot.seconds.add(seconds(t0));
        snapshot.cpu.add(cpu.stop());
        snapshot.note = "source alone: from connector creation to the last row in the topic (1 run)";
        return snapshot;
    }

    /**
     * Ferry's sink and Debezium's JDBC sink each draining the finished snapshot topic into a fresh database, runs
     * interleaved; for the binary setup also Ferry's sink without the write overlap and with text COPY.
     */
    private List<Measurement> sinkDrains(ConnectClient connect, PostgresServer pg, ConnectorFile sinkFile,
                                         Map<String, String> converters, String variant, String prefix, String topic,
                                         long bytes) throws Exception {
        Measurement ferry = new Measurement("ferry_sink" + variant, rows, bytes);
        Measurement dbz = new Measurement("debezium_jdbc_sink" + variant, rows, bytes);
        // the shipped sink with every put() committed before it returns, interleaved with the runs above
        Measurement serial = new Measurement("ferry_sink" + variant + "_no_overlap", rows, bytes);
        // and with its snapshot rows COPYed as text instead of binary
        Measurement textCopy = new Measurement("ferry_sink" + variant + "_text_copy", rows, bytes);
        // and with one COPY per batch, as before snapshot.copy.span.bytes
        Measurement perBatch = new Measurement("ferry_sink" + variant + "_copy_per_batch", rows, bytes);
        // and text COPY one per batch: what a table whose columns lack a binary form got before text spans
        Measurement textPerBatch = new Measurement("ferry_sink" + variant + "_text_copy_per_batch", rows, bytes);
        // and the table keyed by ids from the key registry (bigint.keys), with the COPY spanning batches and without
        Measurement registry = new Measurement("ferry_sink" + variant + "_registry_keys", rows, bytes);
        Measurement registryPerBatch = new Measurement("ferry_sink" + variant + "_registry_keys_per_batch", rows, bytes);
        // and in cdc.apply.mode=transactional, whose full load went one COPY per put() before it overlapped and spanned
        Measurement transactional = new Measurement("ferry_sink" + variant + "_transactional", rows, bytes);
        Map<String, String> transactionalMode = Overlays.transactional(sinkFile, true, prefix, BenchData.DATABASE);
        for (int run = 1; run <= runs; run++) {
            timeShippedSinkWith(ferry, connect, pg, sinkFile.with(converters), prefix, "ferry" + variant + "_" + run,
                    Map.of());
            if (run == 1) {
                RawCopy.checkSameTypes(pg, "ferry" + variant + "_" + run);
            }

            String dbzDb = "dbz" + variant + "_" + run;
            QuietPostgres.freshDatabase(pg, dbzDb);
            Map<String, String> dbzConfig = new LinkedHashMap<>(debeziumJdbcSink(pg.jdbcUrl(dbzDb), pg, topic));
            dbzConfig.putAll(converters);
            // the last key first (an index lookup; it comes last, in order, on one task), then the
            // count once: a count at every poll scanned the growing table, slowing what it timed
            try (PgProbe probe = new PgProbe(pg, dbzDb)) {
                timeSink(dbz, connect, "bench-sink-dbz" + variant + "-" + run, dbzConfig,
                        () -> probe.hasKey("items", "id", rows) && probe.count("items") >= rows);
            }
            connect.delete("bench-sink-dbz" + variant + "-" + run);

            if (!variant.isEmpty()) {
                timeShippedSinkWith(serial, connect, pg, sinkFile.with(converters), prefix,
                        "serial" + variant + "_" + run, Map.of("snapshot.write.overlap", "false"));
                timeShippedSinkWith(textCopy, connect, pg, sinkFile.with(converters), prefix,
                        "textcopy" + variant + "_" + run, Map.of("snapshot.copy.format", "text"));
                timeShippedSinkWith(perBatch, connect, pg, sinkFile.with(converters), prefix,
                        "perbatch" + variant + "_" + run, Map.of("snapshot.copy.span.bytes", "0"));
                timeShippedSinkWith(textPerBatch, connect, pg, sinkFile.with(converters), prefix,
                        "textperbatch" + variant + "_" + run,
                        Map.of("snapshot.copy.format", "text", "snapshot.copy.span.bytes", "0"));
                timeShippedSinkWith(registry, connect, pg, sinkFile.with(converters), prefix,
                        "registry" + variant + "_" + run, Map.of("bigint.keys", REGISTRY_KEY));
                timeShippedSinkWith(registryPerBatch, connect, pg, sinkFile.with(converters), prefix,
                        "registryperbatch" + variant + "_" + run,
                        Map.of("bigint.keys", REGISTRY_KEY, "snapshot.copy.span.bytes", "0"));
                timeShippedSinkWith(transactional, connect, pg, sinkFile.with(converters), prefix,
                        "transactional" + variant + "_" + run, transactionalMode);
            }
        }
        String how = how(variant);
        ferry.note = how + "; drains the finished snapshot topic; from connector creation to the last row committed";
        dbz.note = how + "; Debezium JDBC sink 3.5.0: insert.mode=upsert, batch.size=5000, max.poll.records=5000";
        List<Measurement> out = new ArrayList<>(List.of(ferry, dbz));
        if (!variant.isEmpty()) {
            serial.note = how + "; as ferry_sink_binary with snapshot.write.overlap=false: every put() "
                    + "committed before it returns";
            out.add(serial);
            textCopy.note = how + "; as ferry_sink_binary with snapshot.copy.format=text";
            out.add(textCopy);
            perBatch.note = how + "; as ferry_sink_binary with snapshot.copy.span.bytes=0: one COPY per batch, each "
                    + "committed with its offsets (the shipped sink's COPY spans batches up to 128 MB or 5 s)";
            out.add(perBatch);
            textPerBatch.note = how + "; as ferry_sink_binary_text_copy with snapshot.copy.span.bytes=0: text COPY, one "
                    + "per batch (the shipped sink's text COPY spans batches too, for tables without binary forms)";
            out.add(textPerBatch);
            registry.note = how + "; as ferry_sink_binary with bigint.keys=" + REGISTRY_KEY + ": every row's key a "
                    + "new id from the key registry (allocated and committed per batch, then the rows)";
            out.add(registry);
            registryPerBatch.note = how + "; as ferry_sink_binary_registry_keys with snapshot.copy.span.bytes=0";
            out.add(registryPerBatch);
            transactional.note = how + "; as ferry_sink_binary with cdc.apply.mode=transactional (transaction.topic "
                    + transactionalMode.get("transaction.topic") + ")";
            out.add(transactional);
        }
        return out;
    }

    /** How a variant's converters are named in notes. */
    private static String how(String variant) {
        return variant.isEmpty() ? "JSON converter with schemas (connectors/json/)" : SHIPPED;
    }

    /** The end-to-end runs of one setup, with the last run's connectors and database for ferry verify to read. */
    record EndToEnd(Measurement measurement, Map<String, String> lastSource, Map<String, String> lastSink,
                    String lastPrefix, String lastDb) {}

    /**
     * MariaDB -> Debezium -> Kafka -> Ferry -> PostgreSQL, {@link #runs} times on fresh topics and a fresh database:
     * the sink is created first, and the clock runs from the source's creation to the sink's count of every row.
     */
    private EndToEnd endToEnd(ConnectClient connect, KafkaConnectServer kc, PostgresServer pg, SourceEndpoint source,
                              ConnectorFile sourceFile, ConnectorFile sinkFile, Map<String, String> converters,
                              String variant, String how, int serverOffset, long bytes) throws Exception {
        Measurement e2e = new Measurement("ferry_end_to_end" + variant, rows, bytes);
        EndToEnd last = new EndToEnd(e2e, null, null, null, null);
        for (int run = 1; run <= runs; run++) {
            String e2ePrefix = "e2e" + variant.replace("_", "") + run;
            String db = "e2e" + variant + "_" + run;
            ConnectorFile sink = startSink(connect, pg, sinkFile, "bench-e2e-sink" + variant + "-" + run, db, e2ePrefix,
                    converters);
            ConnectorFile sourceRun = sourceFile.with(Overlays.source(source, kc.bootstrapServers(), e2ePrefix));
            try (PgProbe probe = new PgProbe(pg, db)) {
                CpuMeter.Run cpu = meter.start();
                long start = System.nanoTime();
                connect.put("bench-e2e-source" + variant + "-" + run, sourceRun.with(converters)
                        .with(Map.of("database.server.id", Integer.toString(185000 + serverOffset + run)))
                        .config());
                await(() -> {
                    cpu.sample();
                    return probe.ferryRows() >= rows;
                }, "the end-to-end load");
                e2e.seconds.add(seconds(start));
                e2e.cpu.add(cpu.stop());
            }
            Map<String, String> sinkConfig = new LinkedHashMap<>(sink.config());
            sinkConfig.put("name", sink.name());
            last = new EndToEnd(e2e, sourceRun.config(), sinkConfig, e2ePrefix, db);
            connect.delete("bench-e2e-source" + variant + "-" + run);
            connect.delete(sink.name());
        }
        e2e.note = how + "; MariaDB -> Debezium -> Kafka -> Ferry -> PostgreSQL, from source creation to the last row";
        return last;
    }

    /** A fresh database, then the sink file renamed, pointed at it and at the topics under prefix, created. */
    private static ConnectorFile startSink(ConnectClient connect, PostgresServer pg, ConnectorFile sinkFile, String name,
                                           String db, String prefix, Map<String, String> converters) throws Exception {
        QuietPostgres.freshDatabase(pg, db);
        ConnectorFile sink = sinkFile.renamed(name)
                .with(Overlays.sink(pg.jdbcUrl(db), pg.user(), pg.password(), prefix, BenchData.DATABASE))
                .with(converters);
        connect.put(sink.name(), sink.config());
        return sink;
    }

    /**
     * The load into a designed target (BenchData.TARGET_DDL), then, reported separately, what the sink builds after
     * it: three indexes and the foreign key's validation, until PostgreSQL's catalog shows them all valid.
     */
    /**
     * Scale-out: the same rows in a topic of 3 partitions, drained by a Ferry sink with tasks.max=3, first on this one
     * worker, then with two more workers in the group (distributed mode spreads the tasks). All workers share this
     * machine's cores, so this shows how the work divides, not what more machines would add.
     */
    private List<Measurement> scaleOut(KafkaConnectServer kc, ConnectClient connect, PostgresServer pg,
                                       SourceEndpoint source, ConnectorFile sourceFile, ConnectorFile sinkFile,
                                       Path pluginPath, long bytes) throws Exception {
        String prefix = "benchp";
        String topic = prefix + "." + BenchData.DATABASE + "." + BenchData.TABLE;
        connect.put("bench-source-partitioned", sourceFile.with(Overlays.source(source, kc.bootstrapServers(), prefix))
                .with(Map.of("database.server.id", "184300", "topic.creation.default.partitions", "3")).config());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kc.bootstrapServers()))) {
            await(() -> topicEnd(admin, topic, 3) >= rows, "the 3-partition snapshot to reach Kafka");
        }
        List<Measurement> out = new ArrayList<>();
        for (int workers : List.of(1, 3)) {
            if (workers == 3) {
                kc.addWorker(pluginPath);
                kc.addWorker(pluginPath);
            }
            Measurement m = new Measurement("ferry_sink_binary_3_tasks_" + workers + "_worker" + (workers > 1 ? "s" : ""),
                    rows, bytes);
            for (int run = 1; run <= runs; run++) {
                String db = "scale" + workers + "_" + run;
                QuietPostgres.freshDatabase(pg, db);
                ConnectorFile sink = sinkFile.renamed("bench-sink-scale" + workers + "-" + run)
                        .with(Overlays.sink(pg.jdbcUrl(db), pg.user(), pg.password(), prefix, BenchData.DATABASE))
                        .with(Map.of("tasks.max", "3"));
                connect.put(sink.name(), sink.config());
                // timed from the moment all three tasks run: the group's rebalance is not the sink's speed
                await(() -> runningTasks(connect, sink.name()) == 3, "3 running tasks of " + sink.name());
                try (PgProbe probe = new PgProbe(pg, db)) {
                    long t0 = System.nanoTime();
                    await(() -> probe.ferryRows() >= rows, "the 3-task load");
                    m.seconds.add(seconds(t0));
                }
                connect.delete(sink.name());
            }
            m.note = "FerryBinaryConverter; topic of 3 partitions, tasks.max=3, " + workers + " Connect worker(s) in the "
                    + "group, all on this machine's " + Runtime.getRuntime().availableProcessors() + " cores; timed from "
                    + "all tasks running";
            out.add(m);
        }
        kc.removeExtraWorkers();
        connect.delete("bench-source-partitioned");
        return out;
    }

    /** The post-load measurement: seconds for the rows, then seconds for indexes and foreign key, and the settings. */
    record PostLoad(double loadSeconds, double buildSeconds, String settings) {
        @Override
        public String toString() {
            return String.format("rows into the bare designed table %.1f s, then 3 indexes (1 unique) and 1 foreign key "
                    + "validated %.1f s (%s)", loadSeconds, buildSeconds, settings);
        }
    }

    private PostLoad postLoad;

    private PostLoad postLoadBuild(ConnectClient connect, PostgresServer pg, ConnectorFile sinkFile, String prefix,
                                      long bytes) throws Exception {
        String db = "designed";
        QuietPostgres.freshDatabase(pg, db);
        ConnectorFile sink = sinkFile.renamed("bench-sink-designed")
                .with(Overlays.sink(pg.jdbcUrl(db), pg.user(), pg.password(), prefix, BenchData.DATABASE))
                .with(Map.of("target.ddl", BenchData.TARGET_DDL));
        Measurement load = new Measurement("ferry_sink_designed_load", rows, bytes);
        double build;
        try (PgProbe probe = new PgProbe(pg, db)) {
            // the sink's own count while timing (the bare table has no index yet for a cheap outside check), then
            // the table counted once
            timeSink(load, connect, sink.name(), sink.config(), () -> probe.ferryRows() >= rows);
            long t0 = System.nanoTime();
            await(() -> probe.longValue(BUILT_OBJECTS, 0) == 4, "indexes and the foreign key after the load");
            build = seconds(t0);
            long inTable = probe.count("items");
            if (inTable != rows) {
                throw new IllegalStateException("the designed load has " + inTable + " rows of " + rows);
            }
        }
        connect.delete(sink.name());
        String settings;
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('maintenance_work_mem'), "
                     + "current_setting('max_parallel_maintenance_workers')")) {
            rs.next();
            settings = "maintenance_work_mem=" + rs.getString(1) + ", max_parallel_maintenance_workers=" + rs.getString(2);
        }
        return new PostLoad(load.seconds.get(0), build, settings);
    }

    private static int runningTasks(ConnectClient connect, String name) {
        try {
            int running = 0;
            for (var t : connect.status(name).path("tasks")) {
                if ("RUNNING".equals(t.path("state").asText())) {
                    running++;
                }
                if ("FAILED".equals(t.path("state").asText())) {
                    // a failed task will not run by itself: say why now, not after the run's timeout
                    throw new IllegalStateException(name + " task " + t.path("id").asText() + " FAILED: "
                            + t.path("trace").asText().lines().findFirst().orElse(""));
                }
            }
            return running;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** Valid secondary indexes on items plus validated foreign keys on it. */
    private static final String BUILT_OBJECTS = "SELECT (SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass "
            + "AND NOT indisprimary AND indisvalid) + (SELECT count(*) FROM pg_constraint WHERE conrelid = "
            + "'items'::regclass AND contype = 'f' AND convalidated)";

    /**
     * The end-to-end load with Debezium's chunked parallel snapshot of the one table ({@code snapshot.max.threads}):
     * primary-key ranges read by several threads, interleaved in the topic. Timed until the table is LOADED, and the
     * row count must come out exact (no chunk lost or read twice, loaded not declared early).
     */
    private Measurement parallelSnapshot(ConnectClient connect, KafkaConnectServer kc, PostgresServer pg,
                                         SourceEndpoint source, ConnectorFile sourceFile, ConnectorFile sinkFile,
                                         Map<String, String> converters, int threads, long bytes) throws Exception {
        Measurement m = new Measurement("ferry_end_to_end_binary_snapshot_threads_" + threads, rows, bytes);
        for (int run = 1; run <= runs; run++) {
            String prefix = "par" + threads + "r" + run;
            String db = "par" + threads + "_" + run;
            ConnectorFile sink = startSink(connect, pg, sinkFile, "bench-par-sink-" + threads + "-" + run, db, prefix,
                    converters);
            String sourceName = "bench-par-source-" + threads + "-" + run;
            long loaded;
            try (PgProbe probe = new PgProbe(pg, db)) {
                long start = System.nanoTime();
                connect.put(sourceName, sourceFile.with(Overlays.source(source, kc.bootstrapServers(), prefix))
                        .with(converters).with(Map.of("database.server.id", Integer.toString(186000 + threads * 10 + run),
                                "snapshot.max.threads", Integer.toString(threads))).config());
                await(() -> probe.loaded(rows), "the load with snapshot.max.threads=" + threads);
                m.seconds.add(seconds(start));
                loaded = probe.count("items");
            }
            connect.delete(sourceName);
            connect.delete(sink.name());
            if (loaded != rows) {
                throw new IllegalStateException("snapshot.max.threads=" + threads + " loaded " + loaded + " rows of "
                        + rows);
            }
        }
        m.note = "as ferry_end_to_end_binary, Debezium's snapshot.max.threads=" + threads + " (chunked by primary-key "
                + "range), timed until LOADED; row count checked exact";
        return m;
    }

    /**
     * What operating the sink costs, on the same drain as ferry_sink_binary: a webhook for its events that never
     * answers (delivery must stay off the data path), then the Prometheus JMX exporter agent scraped every second.
     * The three are interleaved round by round (baseline, webhook, exporter, then again), so a drift of the machine
     * over the bench falls on all three alike instead of on whichever ran last.
     */
    private List<Measurement> operationsOverhead(ConnectClient connect, PostgresServer pg, ConnectorFile sinkFile,
                                                 String prefix, long bytes) throws Exception {
        // Timed to LOADED (not just the last row) so the table's events are sent while the clock runs; the baseline
        // for these two is measured to the same point.
        Measurement baseline = new Measurement("ferry_sink_binary_to_loaded", rows, bytes);
        Measurement hanging = new Measurement("ferry_sink_binary_hanging_webhook", rows, bytes);
        Measurement exported = new Measurement("ferry_sink_binary_exporter", rows, bytes);
        // Attached before the first round: between its own runs the agent stays in the JVM, idle (nothing scrapes it).
        ExporterAgent agent = ExporterAgent.attach(Path.of(System.getProperty("ferry.home", ".")));
        try (HangingWebhook hook = new HangingWebhook()) {
            for (int run = 1; run <= runs; run++) {
                timeToLoaded(baseline, connect, pg, sinkFile, prefix, "loaded_" + run, Map.of());
                timeToLoaded(hanging, connect, pg, sinkFile, prefix, "hook_" + run,
                        Map.of("events.webhook.url", hook.url()));
                if (agent != null) {
                    agent.startScraping();
                    try {
                        timeToLoaded(exported, connect, pg, sinkFile, prefix, "exporter_" + run, Map.of());
                    } finally {
                        agent.stopScraping();
                    }
                }
            }
            hanging.note = "as ferry_sink_binary_to_loaded, with events.webhook.url on a server that accepts and never "
                    + "answers (" + hook.connections() + " deliveries held open); runs interleaved with the baseline's";
        }
        baseline.note = "as ferry_sink_binary, timed until every table is LOADED (its TABLE_LOADED event sent)";
        exported.note = agent == null ? "the exporter agent is not built"
                : "as ferry_sink_binary_to_loaded, with jmx_prometheus_javaagent 1.0.1 and monitoring/jmx-exporter/"
                + "kafka-connect.yml attached, scraped every second: " + agent.summary()
                + "; runs interleaved with the baseline's";
        return List.of(baseline, hanging, agent == null ? Measurement.skipped(exported.system, exported.note) : exported);
    }

    /** As {@link #timeShippedSinkWith}, timed until every table is LOADED rather than to the last row. */
    private void timeToLoaded(Measurement m, ConnectClient connect, PostgresServer pg, ConnectorFile sinkFile,
                              String prefix, String db, Map<String, String> option) throws Exception {
        timeShippedSink(m, connect, pg, sinkFile, prefix, db, option, probe -> probe.loaded(rows));
    }

    /** The shipped sink with one option changed, into a database of its own, timed like the shipped runs. */
    private void timeShippedSinkWith(Measurement m, ConnectClient connect, PostgresServer pg, ConnectorFile sinkFile,
                                     String prefix, String db, Map<String, String> option) throws Exception {
        timeShippedSink(m, connect, pg, sinkFile, prefix, db, option, probe -> probe.ferryRows() >= rows);
    }

    private void timeShippedSink(Measurement m, ConnectClient connect, PostgresServer pg, ConnectorFile sinkFile,
                                 String prefix, String db, Map<String, String> option, Predicate<PgProbe> done)
            throws Exception {
        QuietPostgres.freshDatabase(pg, db);
        ConnectorFile sink = sinkFile.renamed("bench-sink-" + db.replace('_', '-'))
                .with(Overlays.sink(pg.jdbcUrl(db), pg.user(), pg.password(), prefix, BenchData.DATABASE))
                .with(option);
        try (PgProbe probe = new PgProbe(pg, db)) {
            timeSink(m, connect, sink.name(), sink.config(), () -> done.test(probe));
        }
        connect.delete(sink.name());
    }

    private void timeSink(Measurement m, ConnectClient connect, String name, Map<String, String> config,
                          BooleanSupplier done) throws Exception {
        CpuMeter.Run cpu = meter.start();
        long t0 = System.nanoTime();
        connect.put(name, config);
        long peak = 0;
        long deadline = t0 + timeoutSeconds * 1_000_000_000L;
        for (int poll = 1; !done.getAsBoolean(); poll++) {
            cpu.sample();
            peak = Math.max(peak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not finish within " + timeoutSeconds + " s");
            }
            // once a second is soon enough to stop on a failure, and the REST call runs in the worker being timed
            if (poll % 10 == 0) {
                String status;
                try {
                    status = connect.status(name).toString();
                } catch (java.io.IOException e) {
                    status = ""; // just created: no status yet
                }
                if (status.contains("\"FAILED\"")) {
                    throw new IllegalStateException(name + " failed: " + status);
                }
            }
            Thread.sleep(100);
        }
        m.seconds.add(seconds(t0));
        m.cpu.add(cpu.stop());
        m.peakHeapBytes = Math.max(m.peakHeapBytes, peak);
    }

    static Map<String, String> debeziumJdbcSink(String url, PostgresServer pg, String topic) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        c.put("tasks.max", "1");
        c.put("topics", topic);
        c.put("connection.url", url);
        c.put("connection.username", pg.user());
        c.put("connection.password", pg.password());
        c.put("insert.mode", "upsert");
        c.put("delete.enabled", "true");
        c.put("primary.key.mode", "record_key");
        c.put("schema.evolution", "basic");
        c.put("batch.size", "5000");
        c.put("table.name.format", "items");
        c.put("consumer.override.max.poll.records", "5000");
        // the same as Ferry's shipped sink: neither reads record headers
        c.put("header.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("consumer.override.fetch.max.bytes", "52428800");
        c.put("consumer.override.max.partition.fetch.bytes", "10485760");
        return c;
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Records in the topic's first {@code partitions} partitions, through the caller's one admin client for the whole
     * wait: a client per poll started its threads and connections inside the JVM being timed.
     */
    private static long topicEnd(Admin admin, String topic, int partitions) {
        try {
            Map<TopicPartition, OffsetSpec> specs = new LinkedHashMap<>();
            for (int p = 0; p < partitions; p++) {
                specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var result = admin.listOffsets(specs);
            long sum = 0;
            for (TopicPartition tp : specs.keySet()) {
                sum += result.partitionResult(tp).get().offset();
            }
            return sum;
        } catch (Exception e) {
            return 0;
        }
    }

    /** The CDC rate one sink applied at the highest rate measured over another's, or null when either is missing. */
    private void appliedRatio(ObjectNode ratios, String name, String sink,
                              String against) {
        Double rate = appliedAtTop(sink);
        Double base = appliedAtTop(against);
        if (rate != null && base != null && base > 0) {
            ratios.put(name, Math.round(rate / base * 100) / 100.0);
        } else {
            ratios.putNull(name);
        }
    }

    static long count(PostgresServer pg, String db, String table) {
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return 0;
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }

    /** Adds measurements to the run's results and prints each as it comes. */
    private static void keep(List<Measurement> results, List<Measurement> measured) {
        for (Measurement m : measured) {
            results.add(m);
            report(m);
        }
    }

    private static void report(Measurement m) {
        if (m.measured()) {
            say("  %-28s %,10.0f rows/s median (min %,.0f, max %,.0f) %6.1f MB/s  %s", m.system,
                    m.medianRowsPerSecond(), m.minRowsPerSecond(), m.maxRowsPerSecond(), m.megabytesPerSecond(),
                    m.note == null ? "" : m.note);
        } else {
            say("  %-28s not measured: %s", m.system, m.note);
        }
    }

    private void write(List<Measurement> results) throws Exception {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("rows", rows);
        root.put("runs", runs);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        root.put("java", System.getProperty("java.version"));
        root.set("machine", json.valueToTree(machine.asMap()));
        ArrayNode systems = root.putArray("systems");
        Map<String, Measurement> bySystem = new LinkedHashMap<>();
        for (Measurement m : results) {
            bySystem.put(m.system, m);
            ObjectNode n = systems.addObject();
            n.put("system", m.system);
            n.put("measured", m.measured());
            if (m.measured()) {
                n.put("rows_per_second_median", Math.round(m.medianRowsPerSecond()));
                n.put("rows_per_second_min", Math.round(m.minRowsPerSecond()));
                n.put("rows_per_second_max", Math.round(m.maxRowsPerSecond()));
                n.put("megabytes_per_second", Math.round(m.megabytesPerSecond() * 10) / 10.0);
                ArrayNode s = n.putArray("seconds");
                m.seconds.forEach(s::add);
                if (m.peakHeapBytes > 0) {
                    n.put("jvm_heap_peak_bytes", m.peakHeapBytes);
                    double jvmCpu = m.cpu.stream().mapToDouble(CpuMeter.Use::jvm).sum();
                    n.put("process_cpu_seconds", Math.round(jvmCpu * 10) / 10.0);
                }
                if (!m.cpu.isEmpty()) {
                    ArrayNode perRun = n.putArray("cpu_per_run");
                    for (CpuMeter.Use u : m.cpu) {
                        ObjectNode c = perRun.addObject();
                        hundredths(c, "wall_seconds", u.wallSeconds());
                        c.put("machine_busy", Double.isNaN(u.machineBusy()) ? null : Math.round(u.machineBusy() * 100) / 100.0);
                        hundredths(c, "runner_jvm_cpu_seconds", u.jvm());
                        hundredths(c, "jit_compiler_threads_cpu_seconds", u.jit());
                        hundredths(c, "gc_threads_cpu_seconds", u.gc());
                        hundredths(c, "runner_children_cpu_seconds", u.children());
                        u.servers().forEach((server, sec) -> hundredths(c, server + "_cpu_seconds", sec));
                        ObjectNode threads = c.putObject("runner_jvm_threads_cpu_seconds");
                        u.threads().forEach((group, sec) -> hundredths(threads, group, sec));
                        hundredths(threads, "other", u.otherJvm());
                        hundredths(c, "all_cpu_seconds", u.total());
                    }
                }
            }
            if (m.note != null) {
                n.put("note", m.note);
            }
        }
        ArrayNode cdcNode = root.putArray("cdc_latency");
        for (CdcLatency.Result r : cdc) {
            ObjectNode n = cdcNode.addObject();
            n.put("sink", r.sink());
            n.put("workload", "60% inserts, 30% updates, 10% deletes");
            n.put("target_rate", r.targetRate() == 0 ? "max" : Integer.toString(r.targetRate()));
            n.put("achieved_changes_per_second", Math.round(r.achievedRate()));
            // what the sink applied: every change, from the first written to the target in sync after the last
            n.put("applied_changes_per_second", Math.round(r.changes() / (r.changes() / Math.max(1e-9, r.achievedRate())
                    + r.drainSeconds())));
            n.put("changes", r.changes());
            n.put("timed_inserts_and_updates", r.samples());
            n.put("p50_seconds", r.p50());
            n.put("p95_seconds", r.p95());
            n.put("p99_seconds", r.p99());
            n.put("max_seconds", r.max());
            n.put("drain_seconds_after_last_insert", r.drainSeconds());
        }
        if (postLoad != null) {
            ObjectNode n = root.putObject("post_load_build");
            n.put("load_seconds", postLoad.loadSeconds());
            n.put("indexes_and_foreign_key_seconds", postLoad.buildSeconds());
            n.put("objects", "items: unique index on name, indexes on qty and created, foreign key status -> statuses(code)");
            n.put("settings", postLoad.settings());
        }
        ObjectNode ratios = root.putObject("ratios");
        // the headline ratios use Ferry's faster documented setup (binary converter) against each comparator's best
        // measured here; the _json ones keep the shipped default's figures
        Measurement ferryBest = best(bySystem.get("ferry_sink_binary"), bySystem.get("ferry_sink"));
        Measurement dbzBest = best(bySystem.get("debezium_jdbc_sink_binary"), bySystem.get("debezium_jdbc_sink"));
        ratio(ratios, "ferry_vs_copy", ferryBest, bySystem.get("raw_copy"));
        ratio(ratios, "ferry_vs_copy_binary", ferryBest, bySystem.get("raw_copy_binary"));
        ratio(ratios, "ferry_vs_debezium_jdbc", ferryBest, dbzBest);
        Measurement pgloaderBest = pgloaderBest(bySystem, "");
        ratio(ratios, "end_to_end_vs_pgloader", best(bySystem.get("ferry_end_to_end_binary"),
                bySystem.get("ferry_end_to_end")), pgloaderBest);
        // the migration a new user runs: ./ferry migrate of four tables in a new JVM against pgloader of the same
        Measurement pgloaderShop = pgloaderBest(bySystem, MigrateRun.PGLOADER_SUFFIX);
        ratio(ratios, "migrate_vs_pgloader", bySystem.get(MigrateRun.DESIGNED), pgloaderShop);
        ratio(ratios, "migrate_shipped_vs_pgloader", bySystem.get(MigrateRun.SHIPPED), pgloaderShop);
        ratio(ratios, "migrate_vs_pgloader_default_settings", bySystem.get(MigrateRun.DESIGNED),
                bySystem.get("pgloader" + MigrateRun.PGLOADER_SUFFIX));
        // the same on a hundred small tables, where the cost per table shows
        ratio(ratios, "migrate_many_tables_vs_pgloader", bySystem.get(MigrateRun.MANY_TABLES),
                pgloaderBest(bySystem, MigrateRun.PGLOADER_MANY_TABLES_SUFFIX));
        ratio(ratios, "end_to_end_vs_pgloader_default_settings", best(bySystem.get("ferry_end_to_end_binary"),
                bySystem.get("ferry_end_to_end")), bySystem.get("pgloader"));
        ratio(ratios, "ferry_vs_debezium_jdbc_same_topics_binary", bySystem.get("ferry_sink_binary"),
                bySystem.get("debezium_jdbc_sink_binary"));
        ratio(ratios, "ferry_vs_copy_json", bySystem.get("ferry_sink"), bySystem.get("raw_copy"));
        ratio(ratios, "ferry_vs_debezium_jdbc_json", bySystem.get("ferry_sink"), bySystem.get("debezium_jdbc_sink"));
        ratio(ratios, "end_to_end_vs_pgloader_json", bySystem.get("ferry_end_to_end"), pgloaderBest);
        for (int threads : List.of(2, 4)) {
            ratio(ratios, "end_to_end_snapshot_threads_" + threads + "_vs_pgloader",
                    bySystem.get("ferry_end_to_end_binary_snapshot_threads_" + threads), pgloaderBest);
        }
        // CDC apply capacity at the highest rate measured: staging COPY + INSERT ... SELECT over batched statements
        appliedRatio(ratios, "cdc_upsert_copy_vs_statements", "ferry_copy", "ferry");
        // whole source transactions over per-put batches: the highest rate applied, and p99 at 5,000 changes/s
        appliedRatio(ratios, "cdc_transactional_vs_batch", "ferry_transactional", "ferry");
        // what operating it costs (goal: within 5 % of without, i.e. at least 0.95)
        ratio(ratios, "overlap_vs_without", bySystem.get("ferry_sink_binary"), bySystem.get("ferry_sink_binary_no_overlap"));
        ratio(ratios, "binary_copy_vs_text", bySystem.get("ferry_sink_binary"), bySystem.get("ferry_sink_binary_text_copy"));
        ratio(ratios, "copy_span_vs_per_batch", bySystem.get("ferry_sink_binary"), bySystem.get("ferry_sink_binary_copy_per_batch"));
        ratio(ratios, "text_copy_span_vs_per_batch", bySystem.get("ferry_sink_binary_text_copy"),
                bySystem.get("ferry_sink_binary_text_copy_per_batch"));
        ratio(ratios, "transactional_load_vs_batch_mode", bySystem.get("ferry_sink_binary_transactional"),
                bySystem.get("ferry_sink_binary"));
        ratio(ratios, "registry_keys_span_vs_per_batch", bySystem.get("ferry_sink_binary_registry_keys"),
                bySystem.get("ferry_sink_binary_registry_keys_per_batch"));
        ratio(ratios, "registry_keys_vs_source_keys", bySystem.get("ferry_sink_binary_registry_keys"),
                bySystem.get("ferry_sink_binary"));
        ratio(ratios, "hanging_webhook_vs_without", bySystem.get("ferry_sink_binary_hanging_webhook"),
                bySystem.get("ferry_sink_binary_to_loaded"));
        ratio(ratios, "exporter_vs_without", bySystem.get("ferry_sink_binary_exporter"),
                bySystem.get("ferry_sink_binary_to_loaded"));
        ratio(ratios, "converter_decode_binary_vs_json", bySystem.get("converter_decode_binary"),
                bySystem.get("converter_decode_json"));
        // time of ferry verify over the time of one SELECT * of the source table (goal: under 2)
        ratio(ratios, "verify_time_vs_source_select", bySystem.get("select_star_source"), bySystem.get("ferry_verify"));
        ratio(ratios, "verify_10_differences_time_vs_source_select", bySystem.get("select_star_source"),
                bySystem.get("ferry_verify_10_differences"));
        if (verifySmallHeap != null) {
            root.put("verify_small_heap", verifySmallHeap);
        }
        Files.writeString(out.resolve("result.json"), json.writeValueAsString(root));

        StringBuilder md = new StringBuilder("# Ferry full-load benchmark\n\n");
        md.append(String.format("%s, %d run(s) each, %d cores, Java %s, heap max %d MB.%n%n", MIGRATE.equals(only)
                ? String.format("`./ferry migrate` against pgloader: about %,d rows in the four tables of `%s` "
                        + "(customers, products, orders, order_lines; three foreign keys), and %d tables of %,d rows "
                        + "in `%s`", rows, ShopData.DATABASE, ManyTablesData.TABLES,
                        ManyTablesData.split(rows).get("t001"), ManyTablesData.DATABASE)
                : String.format("%,d rows x 10 columns", rows),
                runs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20));
        md.append(machine.describe()).append("\n\n");
        md.append("Before every timed run, PostgreSQL is settled (not timed): the tables earlier runs wrote are vacuumed "
                + "and analyzed, a checkpoint is taken and running autovacuum workers are waited for, so no run pays "
                + "for the one before it.\n\n");
        // the seconds of every run in order: a JVM's first run of a system carries the compilers' warm-up
        md.append("| system | rows/s median | min | max | MB/s | seconds per run, in order | note |\n"
                + "|---|---:|---:|---:|---:|---|---|\n");
        for (Measurement m : results) {
            if (m.measured()) {
                StringJoiner seconds = new StringJoiner(", ");
                m.seconds.forEach(x -> seconds.add(String.format("%.1f", x)));
                md.append(String.format("| %s | %,.0f | %,.0f | %,.0f | %.1f | %s | %s |%n", m.system,
                        m.medianRowsPerSecond(), m.minRowsPerSecond(), m.maxRowsPerSecond(), m.megabytesPerSecond(),
                        seconds, m.note == null ? "" : m.note));
            } else {
                md.append(String.format("| %s | - | - | - | - | - | not measured: %s |%n", m.system, m.note));
            }
        }
        md.append(cpuTable(results));
        md.append("\nRatios: ").append(ratios.toString()).append('\n');
        if (verifySmallHeap != null) {
            md.append("\n`ferry verify` of the same table in its own JVM with a 64 MB heap: ").append(verifySmallHeap)
                    .append(".\n");
        }
        if (postLoad != null) {
            md.append("\n## After the load (binary converter, designed target)\n\n").append(postLoad).append(
                    ". Objects: unique index on items.name, indexes on qty and created, foreign key items.status -> "
                    + "statuses.code (NOT VALID, then VALIDATE).\n");
        }
        if (!cdc.isEmpty()) {
            md.append("\n## CDC latency (source commit -> target write, 60% inserts / 30% updates / 10% deletes)\n\n")
                    .append("| sink | target rate | achieved changes/s | changes | timed | p50 s | p95 s | p99 s | max s |\n")
                    .append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (CdcLatency.Result r : cdc) {
                md.append(String.format("| %s | %s | %,.0f | %,d | %,d | %.3f | %.3f | %.3f | %.3f |%n", r.sink(),
                        r.targetRate() == 0 ? "max" : Integer.toString(r.targetRate()), r.achievedRate(), r.changes(),
                        r.samples(), r.p50(), r.p95(), r.p99(), r.max()));
            }
        }
        try {
            BenchChart.write(out.resolve("chart.png"), results, cdc, String.format("Ferry bench: %,d rows, %d run(s), %d cores",
                    rows, runs, Runtime.getRuntime().availableProcessors()));
            md.append("\n![throughput and latency](chart.png)\n");
        } catch (IOException | RuntimeException | Error e) {
            // a machine without fonts cannot draw text; the numbers above are the report
            md.append("\n(chart.png not drawn: ").append(e).append(")\n");
        }
        Files.writeString(out.resolve("report.md"), md.toString());
        say("%nratios %s%nwritten %s and %s", ratios, out.resolve("result.json"), out.resolve("report.md"));
    }

    /** Seconds to a hundredth (/proc counts in hundredths); null where not known (JSON has no NaN). */
    private static void hundredths(ObjectNode n, String field, double seconds) {
        n.put(field, Double.isNaN(seconds) ? null : Math.round(seconds * 100) / 100.0);
    }

    /**
     * Where each timed run's CPU went: on 2 cores every system here is bound by CPU, so a ratio is explained by
     * which process used how much, and a JVM's first runs by its compilers.
     */
    static String cpuTable(List<Measurement> results) {
        StringBuilder md = new StringBuilder("\n## Where the CPU went, per run\n\n"
                + "Seconds of CPU during each timed run, read around it from the JVM and `/proc`: the runner's JVM "
                + "(Kafka, Connect, the connectors, the bench itself), of it the CPU of its JIT compiler threads and of "
                + "its garbage collector's threads, the processes the runner started and waited for (pgloader), and the "
                + "PostgreSQL and MariaDB process trees. Machine busy is the share of all cores' time not idle. For "
                + "`ferry_migrate_*` the JVM is the `ferry migrate` command's, which runs the whole pipeline (the bench's "
                + "own only waits).\n\n"
                + "| system | run | wall s | machine busy | runner JVM | of it JIT | of it GC | pgloader | PostgreSQL "
                + "| MariaDB | all CPU s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        boolean any = false;
        for (Measurement m : results) {
            for (int i = 0; i < m.cpu.size(); i++) {
                CpuMeter.Use u = m.cpu.get(i);
                any = true;
                md.append(String.format("| %s | %d | %.1f | %s | %.1f | %s | %s | %s | %s | %s | %.1f |%n", m.system,
                        i + 1, u.wallSeconds(), Double.isNaN(u.machineBusy()) ? "-"
                                : String.format("%.0f%%", u.machineBusy() * 100), u.jvm(), orDash(u.jit()), orDash(u.gc()),
                        orDash(u.children()), orDash(u.servers().getOrDefault("postgres", Double.NaN)),
                        orDash(u.servers().getOrDefault("mariadb", Double.NaN)), u.total()));
            }
        }
        if (!any) {
            return "";
        }
        md.append("\nThe runner JVM's CPU by thread, for the runs that used more than a second of it: the JDK pool threads "
                + "Debezium reads a snapshot on (reading rows, building change events), Debezium's own named threads "
                + "(the coordinator, the binlog reader), Connect's source task thread (Ferry's converter "
                + "encoding, `producer.send`), the producers' network threads, the in-process Kafka broker, Connect's "
                + "sink task thread (the consumer, Ferry's converter decoding, Ferry's `put`), Ferry's COPY writer, "
                + "the JIT compilers, the garbage collector, the rest.\n\n| system | run | runner JVM");
        CpuMeter.THREAD_GROUPS.forEach(g -> md.append(" | ").append(g.replace('_', ' ')));
        md.append(" | JIT | GC | other |\n|---|---:|---:");
        CpuMeter.THREAD_GROUPS.forEach(g -> md.append("|---:"));
        md.append("|---:|---:|---:|\n");
        for (Measurement m : results) {
            for (int i = 0; i < m.cpu.size(); i++) {
                CpuMeter.Use u = m.cpu.get(i);
                if (u.jvm() < 1) {
                    continue; // raw COPY and pgloader: the JVM only waits
                }
                md.append(String.format("| %s | %d | %.1f", m.system, i + 1, u.jvm()));
                CpuMeter.THREAD_GROUPS.forEach(g -> md.append(String.format(" | %.1f", u.threads().get(g))));
                md.append(String.format(" | %s | %s | %.1f |%n", orDash(u.jit()), orDash(u.gc()), u.otherJvm()));
            }
        }
        return md.toString();
    }

    private static String orDash(double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format("%.1f", seconds);
    }

    /** Changes/s a sink applied at the last (highest, or unthrottled) rate of the run. */
    private Double appliedAtTop(String sink) {
        CdcLatency.Result top = null;
        for (CdcLatency.Result r : cdc) {
            if (r.sink().equals(sink) && (top == null || r.targetRate() == 0
                    || (top.targetRate() != 0 && r.targetRate() > top.targetRate()))) {
                top = r;
            }
        }
        return top == null ? null : top.changes() / (top.changes() / Math.max(1e-9, top.achievedRate()) + top.drainSeconds());
    }

    /** pgloader at its best of its two settings on one scope (its systems' names end with the scope's suffix). */
    private static Measurement pgloaderBest(Map<String, Measurement> bySystem, String suffix) {
        return best(bySystem.get("pgloader" + suffix), bySystem.get("pgloader_prefetch_10000" + suffix));
    }

    private static Measurement best(Measurement a, Measurement b) {
        if (a == null || !a.measured()) {
            return b;
        }
        if (b == null || !b.measured()) {
            return a;
        }
        return a.medianRowsPerSecond() >= b.medianRowsPerSecond() ? a : b;
    }

    private static void ratio(ObjectNode ratios, String name, Measurement a, Measurement b) {
        if (a != null && b != null && a.measured() && b.measured() && b.medianRowsPerSecond() > 0) {
            ratios.put(name, Math.round(a.medianRowsPerSecond() / b.medianRowsPerSecond() * 100) / 100.0);
        } else {
            ratios.putNull(name);
        }
    }

}
