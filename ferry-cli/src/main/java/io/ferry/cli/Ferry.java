package io.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Ferry.Version.class,
        description = "Moves a live MySQL database into a redesigned PostgreSQL schema with Kafka Connect.",
        subcommands = {DemoCommand.class, MigrateCommand.class, ValidateCommand.class, DeployCommand.class,
                StatusCommand.class, StatsCommand.class, VerifyCommand.class, io.ferry.bench.BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Ferry implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // the binlog client logs through java.util.logging straight to the console; the runner prints its own output
        java.util.logging.LogManager.getLogManager().reset();
        int code = new CommandLine(new Ferry()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(code);
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
