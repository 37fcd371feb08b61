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

    @picocli.CommandLine.Mixin
    TargetDatabase target;

    /** The source; the first thing every command that reads both asks for, so it checks that --target is there too. */
    SourceEndpoint source() {
        target.requireUrl("");
        return SourceEndpoint.parse(sourceUrl, sourceUser, sourcePassword);
    }

    Connection openSource() throws SQLException {
        SourceEndpoint s = source();
        return DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
    }

    Connection openTarget() throws SQLException {
        return target.open();
    }
}
