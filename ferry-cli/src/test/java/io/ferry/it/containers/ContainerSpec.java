package io.ferry.it.containers;

import java.util.List;

/**
 * The two servers of the Testcontainers profile ({@code mvn verify -Ptestcontainers}), written as data so that a
 * unit test can hold them against {@code docker-compose.yml} on a host without Docker: the same images and the same
 * MySQL binlog and GTID settings as the compose file users run.
 */
public final class ContainerSpec {

    public static final String MYSQL_IMAGE = "mysql:8.4";
    /** mysqld options: row binlog with full images and GTIDs, as Debezium's MySQL connector wants them. */
    public static final List<String> MYSQL_COMMAND = List.of(
            "--server-id=1",
            "--log-bin=mysql-bin",
            "--binlog-format=ROW",
            "--binlog-row-image=FULL",
            "--gtid-mode=ON",
            "--enforce-gtid-consistency=ON");
    public static final String MYSQL_ROOT_PASSWORD = "root";

    public static final String POSTGRES_IMAGE = "postgres:17";
    public static final String POSTGRES_USER = "ferry";
    public static final String POSTGRES_PASSWORD = "ferry";

    private ContainerSpec() {}
}
