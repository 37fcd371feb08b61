package io.ferry.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the deployable files true to the tree: every path docker-compose mounts exists, every connector file parses. */
class ProjectFilesTest {

    static final Path HOME = Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();

    @Test
    void everyPathDockerComposeMountsExists() throws Exception {
        String compose = Files.readString(HOME.resolve("docker-compose.yml"));
        Matcher m = Pattern.compile("-\\s+\\./([^:\\s]+):").matcher(compose);
        List<String> paths = new ArrayList<>();
        while (m.find()) {
            paths.add(m.group(1));
        }
        assertThat(paths).contains("connect-plugins/target/plugin-path", "connectors");
        for (String p : paths) {
            assertThat(HOME.resolve(p)).as(p).exists();
        }
    }

    @Test
    void connectorFilesParseAndUseEnvReferencesForCredentials() throws Exception {
        for (String name : List.of("mysql-source.json", "mariadb-source.json", "postgres-sink.json",
                "redesign/mysql-source.json", "redesign/mariadb-source.json", "redesign/postgres-sink.json",
                "json/mysql-source.json", "json/mariadb-source.json", "json/postgres-sink.json")) {
            ConnectorFile f = ConnectorFile.read(HOME.resolve("connectors").resolve(name));
            assertThat(f.connectorClass()).as(name).isNotBlank();
            f.config().forEach((k, v) -> {
                if (k.contains("password") || k.endsWith(".user") || k.endsWith("hostname") || k.equals("connection.url")) {
                    assertThat(v).as(name + " " + k).startsWith("${env:");
                }
            });
        }
    }

    /**
     * The six source files are one setup in six variants: a setting tuned in one (snapshot batching, the schema
     * history's scope, signals) and forgotten in another would make the variants behave differently unnoticed.
     */
    @Test
    void everySourceFileSharesTheMariaDbFilesSettingsButItsVariantsOwn() throws Exception {
        Map<String, String> reference = ConnectorFile.read(HOME.resolve("connectors/mariadb-source.json")).config();
        Pattern variantOwn = Pattern.compile("connector\\.class|(key|value)\\.converter.*|extended\\.headers\\.enabled"
                + "|transforms.*|predicates.*");
        try (var files = Files.walk(HOME.resolve("connectors"))) {
            List<Path> sources = files.filter(f -> f.getFileName().toString().endsWith("-source.json")).toList();
            assertThat(sources).hasSize(6);
            for (Path p : sources) {
                Map<String, String> c = ConnectorFile.read(p).config();
                for (String k : union(reference.keySet(), c.keySet())) {
                    if (!variantOwn.matcher(k).matches()) {
                        assertThat(c.get(k)).as(p + " " + k).isEqualTo(reference.get(k));
                    }
                }
            }
        }
        assertThat(reference).containsEntry("schema.history.internal.store.only.captured.databases.ddl", "true");
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    @Test
    void everyShippedFileWritesOrReadsTopicsWithOneConverterAndTheJsonFolderWithConnectsJson() throws Exception {
        try (var files = Files.walk(HOME.resolve("connectors"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                Map<String, String> c = ConnectorFile.read(p).config();
                String expected = p.getParent().getFileName().toString().equals("json")
                        ? "org.apache.kafka.connect.json.JsonConverter" : "io.ferry.converter.FerryBinaryConverter";
                // a source and a sink from different folders would not understand each other's topics
                assertThat(c).as(p.toString()).containsEntry("key.converter", expected)
                        .containsEntry("value.converter", expected);
            }
        }
    }
}
