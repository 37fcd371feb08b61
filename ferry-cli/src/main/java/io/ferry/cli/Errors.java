package io.ferry.cli;

import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;

/**
 * How a failed command ends: a user's mistake as a few plain lines (exit 2), anything else as an internal error
 * with its trace (exit 1). The trace of a user error is printed with --verbose, and always goes to the log file.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {

    static final int USER_ERROR = 2;
    static final int INTERNAL_ERROR = 1;

    private final boolean[] verbose;

    Errors(boolean[] verbose) {
        this.verbose = verbose;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintStream err = cmd.getErr() == null ? System.err : new PrintStream(System.err, true);
        UserError user = classify(ex);
        String command = "ferry " + cmd.getCommandName();
        if (user == null) {
            err.println(command + ": internal error: " + ex);
            ex.printStackTrace(err);
            return INTERNAL_ERROR;
        }
        err.println(command + ": " + user.getMessage());
        if (user.hint() != null) {
            err.println("  hint: " + user.hint());
        }
        if (verbose[0]) {
            ex.printStackTrace(err);
        } else {
            err.println("  (--verbose shows the stack trace)");
        }
        org.slf4j.LoggerFactory.getLogger(Errors.class).warn("{} failed: {}", command, user.getMessage(), ex);
        return USER_ERROR;
    }

    /** The user's mistake behind an exception, or null for an internal error. */
    static UserError classify(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof UserError u) {
                return u;
            }
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof NoSuchFileException || t instanceof java.io.FileNotFoundException) {
                return new UserError("file not found: " + t.getMessage(), "check the path (relative paths start from "
                        + "the current directory)", ex);
            }
            if (t instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
                return new UserError("not valid JSON: " + j.getOriginalMessage() + (j.getLocation() == null ? ""
                        : " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr()),
                        "a connector file is {\"name\": ..., \"config\": {...}} as for POST /connectors", ex);
            }
            if (t instanceof SQLException s) {
                return database(s, ex);
            }
            if (t instanceof java.net.ConnectException c) {
                return new UserError("cannot connect: " + c.getMessage(), "is the server running, and are host and "
                        + "port right?", ex);
            }
            if (t instanceof IllegalArgumentException i && i.getMessage() != null) {
                return new UserError(i.getMessage(), null, ex);
            }
        }
        return null;
    }

    private static UserError database(SQLException s, Throwable ex) {
        String state = s.getSQLState() == null ? "" : s.getSQLState();
        String message = s.getMessage() == null ? s.toString() : s.getMessage().lines().findFirst().orElse("");
        if (state.startsWith("28")) {
            return new UserError(message, "check the user and password (--source-user/--source-password, "
                    + "--target-user/--target-password, or FERRY_SOURCE_PASSWORD/FERRY_TARGET_PASSWORD)", ex);
        }
        if (state.startsWith("08")) {
            return new UserError(message, "is the database server running, and are host and port in the URL right?", ex);
        }
        if (state.equals("3D000") || state.equals("42000") && message.contains("Unknown database")) {
            return new UserError(message, "create the database first, or fix the database name in the URL", ex);
        }
        return null;
    }
}
