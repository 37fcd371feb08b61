package io.ferry.it.containers;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs where Ferry is developed, so the Testcontainers profile cannot be run here; this keeps what
 * it would start identical to the docker-compose.yml users run (images, mysqld binlog/GTID options, logins).
 */
class ContainerSpecTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws Exception {
        Path compose = Path.of(System.getProperty("ferry.project.dir", "..")).resolve("docker-compose.yml");
        try (Reader r = Files.newBufferedReader(compose)) {
            Map<String, Object> doc = new Yaml().load(r);
            return (Map<String, Object>) ((Map<String, Object>) doc.get("services")).get(name);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void mysqlIsTheComposeFilesMysql() throws Exception {
        Map<String, Object> mysql = service("mysql");
        assertThat(mysql.get("image")).isEqualTo(ContainerSpec.MYSQL_IMAGE);
        assertThat((List<String>) mysql.get("command")).isEqualTo(ContainerSpec.MYSQL_COMMAND);
        assertThat(((Map<String, Object>) mysql.get("environment")).get("MYSQL_ROOT_PASSWORD"))
                .isEqualTo(ContainerSpec.MYSQL_ROOT_PASSWORD);
    }

    @Test
    @SuppressWarnings("unchecked")
    void postgresIsTheComposeFilesPostgres() throws Exception {
        Map<String, Object> pg = service("postgres");
        assertThat(pg.get("image")).isEqualTo(ContainerSpec.POSTGRES_IMAGE);
        Map<String, Object> env = (Map<String, Object>) pg.get("environment");
        assertThat(env.get("POSTGRES_USER")).isEqualTo(ContainerSpec.POSTGRES_USER);
        assertThat(env.get("POSTGRES_PASSWORD")).isEqualTo(ContainerSpec.POSTGRES_PASSWORD);
    }
}
