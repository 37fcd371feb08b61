package io.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Ferry.Version.class,
        description = "Moves a live MySQL database into a redesigned PostgreSQL schema with Kafka Connect.",
        subcommands = {DemoCommand.class, MigrateCommand.class, ValidateCommand.class, DeployCommand.class,
                StatusCommand.class, StatsCommand.class, VerifyCommand.class, ReloadCommand.class, CutoverCheckCommand.class, io.ferry.bench.BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Ferry implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Shared with the error handler: the option is parsed on whichever subcommand it follows. */
    private static final boolean[] VERBOSE = new boolean[1];

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of an error too.")
    void verbose(boolean on) {
        VERBOSE[0] = on;
    }

    public static void main(String[] args) {
        // the binlog client logs through java.util.logging straight to the console; the runner prints its own output
        java.util.logging.LogManager.getLogManager().reset();
        System.exit(commandLine().execute(args));
    }

    /** The command line without exiting the JVM (tests run `ferry reload` against their own cluster this way). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return new CommandLine(new Ferry()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new Errors(VERBOSE));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Ferry.class.getPackage().getImplementationVersion();
            return new String[] {"ferry " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
