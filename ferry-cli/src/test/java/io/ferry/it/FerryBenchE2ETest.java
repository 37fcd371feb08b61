package io.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's smoke variant, so the harness keeps working: 20,000 rows, one run, a short CDC rate, every comparator. */
@Tag("e2e")
class FerryBenchE2ETest {

    @Test
    void benchSmokeWritesItsReport() throws Exception {
        Path home = Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();
        Path out = Path.of("target/bench-smoke").toAbsolutePath();
        Path log = Path.of("target/ferry-bench.log").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("ferry").toString(), "bench", "--rows", "20000", "--runs",
                "1", "--cdc-rates", "500", "--cdc-seconds", "3", "--out", out.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).directory(new File(home.toString()));
        pb.environment().remove("FERRY_JAVA_OPTS"); // the JVM a user's bench runs in, not the other tests' C1-only one
        Process p = pb.start();
        // 5-8 min here with the migrate parts (471 s in a slow hour): room for a slower machine, within CI's 30
        boolean finished = p.waitFor(15, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(finished).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        String json = Files.readString(out.resolve("result.json"));
        assertThat(json).contains("\"raw_copy\"", "\"ferry_sink\"", "\"debezium_jdbc_sink\"", "\"ferry_end_to_end\"",
                "\"ferry_sink_binary\"", "\"debezium_jdbc_sink_binary\"", "\"ferry_end_to_end_binary\"",
                "\"converter_decode_json\"", "\"converter_decode_binary\"", "\"post_load_build\"",
                "\"ferry_vs_copy\"", "\"ferry_vs_debezium_jdbc\"", "\"cdc_latency\"", "\"p99_seconds\"",
                "\"sink\" : \"debezium_jdbc\"", "\"select_star_source\"", "\"ferry_verify\"",
                "\"ferry_verify_10_differences\"", "\"verify_time_vs_source_select\"");
        // every comparator measured, pgloader included (installed by the bench when missing): no silent null ratio
        assertThat(json).contains("\"pgloader\"", "\"end_to_end_vs_pgloader\"").doesNotContain("\"end_to_end_vs_pgloader\" : null");
        // what operating it costs is measured on every run: a hanging events webhook, the exporter agent scraped
        assertThat(json).contains("\"ferry_sink_binary_hanging_webhook\"", "\"ferry_sink_binary_exporter\"", " scrapes of ")
                .doesNotContain("\"hanging_webhook_vs_without\" : null").doesNotContain("\"exporter_vs_without\" : null")
                .doesNotContain("\"overlap_vs_without\" : null");
        // the sink's COPY format against its text form, and raw COPY in both formats
        assertThat(json).contains("\"raw_copy_binary\"", "\"ferry_sink_binary_text_copy\"")
                .doesNotContain("\"binary_copy_vs_text\" : null").doesNotContain("\"ferry_vs_copy_binary\" : null");
        // and the shipped COPY spanning batches (snapshot.copy.span.bytes) beside one COPY per batch
        assertThat(json).contains("\"ferry_sink_binary_copy_per_batch\"").doesNotContain("\"copy_span_vs_per_batch\" : null");
        assertThat(json).contains("\"ferry_sink_binary_text_copy_per_batch\"")
                .doesNotContain("\"text_copy_span_vs_per_batch\" : null");
        // and a table keyed by the key registry's ids, spanning and not
        assertThat(json).contains("\"ferry_sink_binary_registry_keys\"")
                .doesNotContain("\"registry_keys_span_vs_per_batch\" : null");
        // the full load in cdc.apply.mode=transactional beside batch mode
        assertThat(json).contains("\"ferry_sink_binary_transactional\"")
                .doesNotContain("\"transactional_load_vs_batch_mode\" : null");
        // CDC apply in both upsert modes, compared in the same run
        assertThat(json).contains("\"sink\" : \"ferry_copy\"", "\"applied_changes_per_second\"")
                .doesNotContain("\"cdc_upsert_copy_vs_statements\" : null");
        // transactional CDC beside batch mode, and the chunked parallel snapshot, in the same run
        assertThat(json).contains("\"sink\" : \"ferry_transactional\"", "\"ferry_end_to_end_binary_snapshot_threads_4\"")
                .doesNotContain("\"cdc_transactional_vs_batch\" : null")
                .doesNotContain("\"end_to_end_snapshot_threads_4_vs_pgloader\" : null");
        assertThat(json).contains("\"verify_small_heap\" : \"VALIDATED with -Xmx64m");
        // ./ferry migrate as a user runs it, both ways, beside pgloader on the same four tables
        assertThat(json).contains("\"ferry_migrate_designed\"", "\"ferry_migrate_shipped\"", "\"pgloader_shop\"")
                .doesNotContain("\"migrate_vs_pgloader\" : null").doesNotContain("\"migrate_shipped_vs_pgloader\" : null");
        // and on a hundred small tables, the cost per table
        assertThat(json).contains("\"ferry_migrate_many_tables\"", "\"pgloader_many_tables\"")
                .doesNotContain("\"migrate_many_tables_vs_pgloader\" : null");
        assertThat(Files.readString(out.resolve("report.md"))).contains("| ferry_sink |", "## Where the CPU went, per run",
                "Machine: ");
        // where each run's CPU went: the bench found its own servers' processes and pgloader's, not zeros or nulls
        // what the run was measured on, read from the servers and pgloader themselves
        JsonNode machine = new ObjectMapper().readTree(json).get("machine");
        assertThat(machine).as(json).isNotNull();
        assertThat(machine.get("postgres").asText()).as(machine.toString()).startsWith("17.");
        assertThat(machine.get("mariadb").asText()).as(machine.toString()).contains("MariaDB");
        assertThat(machine.get("pgloader").asText()).as(machine.toString()).doesNotContain("unknown", "not used");
        JsonNode systems = new ObjectMapper().readTree(json).get("systems");
        JsonNode e2e = null;
        JsonNode pgloader = null;
        JsonNode ferrySink = null;
        JsonNode debeziumSink = null;
        JsonNode migrate = null;
        for (JsonNode s : systems) {
            switch (s.get("system").asText()) {
                case "ferry_end_to_end_binary" -> e2e = s.get("cpu_per_run").get(0);
                case "pgloader" -> pgloader = s.get("cpu_per_run").get(0);
                case "ferry_sink_binary" -> ferrySink = s.get("cpu_per_run").get(0);
                case "debezium_jdbc_sink_binary" -> debeziumSink = s.get("cpu_per_run").get(0);
                case "ferry_migrate_designed" -> migrate = s.get("cpu_per_run").get(0);
                default -> { }
            }
        }
        assertThat(e2e).as(json).isNotNull();
        assertThat(e2e.get("runner_jvm_cpu_seconds").asDouble()).as(e2e.toString()).isPositive();
        assertThat(e2e.get("postgres_cpu_seconds").asDouble()).as(e2e.toString()).isPositive();
        // 20,000 rows can take MariaDB under the 10 ms /proc counts in: found is what can be asserted
        assertThat(e2e.get("mariadb_cpu_seconds").isNumber()).as(e2e.toString()).isTrue();
        assertThat(e2e.get("runner_jvm_threads_cpu_seconds").get("snapshot_pool").asDouble()).as(e2e.toString()).isPositive();
        // a sink drained alone: its task thread is counted as the sink's (it was once "other", by its connector's name)
        for (JsonNode sink : new JsonNode[] {ferrySink, debeziumSink}) {
            assertThat(sink).as(json).isNotNull();
            assertThat(sink.get("runner_jvm_threads_cpu_seconds").get("sink_task").asDouble()).as(sink.toString())
                    .isPositive();
        }
        // the migrate command's own threads, Debezium's snapshot pool included though it ended before the load did
        assertThat(migrate).as(json).isNotNull();
        assertThat(migrate.get("runner_jvm_threads_cpu_seconds").get("snapshot_pool").asDouble()).as(migrate.toString())
                .isPositive();
        assertThat(migrate.get("runner_jvm_threads_cpu_seconds").get("sink_task").asDouble()).as(migrate.toString())
                .isPositive();
        assertThat(pgloader).as(json).isNotNull();
        assertThat(pgloader.get("runner_children_cpu_seconds").asDouble()).as(pgloader.toString()).isPositive();
    }
}
