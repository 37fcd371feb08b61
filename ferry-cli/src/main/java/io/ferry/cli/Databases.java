package io.ferry.cli;

import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The source and target connection options every command that reads both databases shares (migrate, verify). */
final class Databases {

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

    SourceEndpoint source() {
        return SourceEndpoint.parse(sourceUrl, sourceUser, sourcePassword);
    }

    Connection openSource() throws SQLException {
        SourceEndpoint s = source();
        return DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
    }

    Connection openTarget() throws SQLException {
        return DriverManager.getConnection(targetUrl, targetUser, targetPassword);
    }
}
