package io.ferry.cli;

import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The PostgreSQL target's connection options, shared by every command that reads or writes it. */
final class TargetDatabase {

    @Option(names = "--target", description = "jdbc:postgresql://host:5432/db")
    String url;

    @Option(names = "--target-user", defaultValue = "${env:FERRY_TARGET_USER:-postgres}", description = "Default ${DEFAULT-VALUE}.")
    String user;

    @Option(names = "--target-password", defaultValue = "${env:FERRY_TARGET_PASSWORD}", description = "Env FERRY_TARGET_PASSWORD.")
    String password;

    /** Picocli cannot mark a mixin's option required per command: each command says it needs --target. */
    String requireUrl(String command) {
        if (url == null || url.isBlank()) {
            throw new UserError("ferry" + (command.isEmpty() ? "" : " " + command) + " needs the target database", "pass --target jdbc:postgresql://host:5432/db");
        }
        return url;
    }

    Connection open() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }
}
