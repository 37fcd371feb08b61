package io.ferry.it.containers;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.containers.PostgreSQLContainer;

import java.util.Map;

/**
 * Starts MySQL 8.4 and PostgreSQL 17 with Testcontainers and hands the end-to-end tests the same settings the
 * external-server switch reads from the environment (FERRY_TEST_SOURCE_URL, FERRY_TEST_PG_*). Compiled only in the
 * {@code testcontainers} Maven profile; called by {@code TestServers} through reflection so the default build needs
 * no Docker library.
 */
public final class TestcontainersServers {

    private static Map<String, String> settings;

    private TestcontainersServers() {}

    /** The settings, starting both containers on first use; fails when no Docker engine answers. */
    public static synchronized Map<String, String> settings() {
        if (settings == null) {
            requireDocker();
            MySQLContainer<?> mysql = new MySQLContainer<>(ContainerSpec.MYSQL_IMAGE)
                    .withUsername("root")
                    .withPassword(ContainerSpec.MYSQL_ROOT_PASSWORD)
                    .withCommand(ContainerSpec.MYSQL_COMMAND.toArray(String[]::new));
            PostgreSQLContainer<?> pg = new PostgreSQLContainer<>(ContainerSpec.POSTGRES_IMAGE)
                    .withUsername(ContainerSpec.POSTGRES_USER)
                    .withPassword(ContainerSpec.POSTGRES_PASSWORD)
                    .withDatabaseName("postgres");
            mysql.start();
            pg.start();
            settings = Map.of(
                    "FERRY_TEST_SOURCE_URL", "jdbc:mysql://" + mysql.getHost() + ":" + mysql.getMappedPort(3306)
                            + "/?user=root&password=" + ContainerSpec.MYSQL_ROOT_PASSWORD,
                    "FERRY_TEST_PG_URL", "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(5432) + "/postgres",
                    "FERRY_TEST_PG_USER", ContainerSpec.POSTGRES_USER,
                    "FERRY_TEST_PG_PASSWORD", ContainerSpec.POSTGRES_PASSWORD);
        }
        return settings;
    }

    /** Run before the end-to-end tests by the profile: stops the build with the reason when Docker is missing. */
    public static void main(String[] args) {
        requireDocker();
        System.out.println("Docker engine found: the end-to-end tests run against Testcontainers' MySQL "
                + ContainerSpec.MYSQL_IMAGE + " and " + ContainerSpec.POSTGRES_IMAGE);
    }

    private static void requireDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("-Ptestcontainers needs a Docker engine and none answers (DOCKER_HOST, "
                    + "/var/run/docker.sock, ~/.testcontainers.properties were tried). Run without the profile for the "
                    + "hermetic servers, or point FERRY_TEST_SOURCE_URL / FERRY_TEST_PG_URL at your own servers.");
        }
    }
}
