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
