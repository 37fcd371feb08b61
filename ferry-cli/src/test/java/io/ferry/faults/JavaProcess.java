package io.ferry.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own running one of the runner's mains (a broker, a Connect worker) on the runner's classpath, as a
 * production process would: it can be stopped with SIGTERM or killed with SIGKILL, and started again.
 */
final class JavaProcess {

    private final String name;
    private final List<String> command;
    private final Path archive;
    private Path dumping;
    private final Map<String, String> env;
    private final Path log;
    private Process process;
    private int starts;

    JavaProcess(String name, String mainClass, List<String> args, Map<String, String> env, Path log, String heap) {
        this(name, mainClass, args, env, log, heap, List.of());
    }

    /** @param jvmArgs options before the main class (a -javaagent, for the monitoring test) */
    JavaProcess(String name, String mainClass, List<String> args, Map<String, String> env, Path log, String heap,
                List<String> jvmArgs) {
        this.name = name;
        this.env = env;
        this.log = log;
        Path home = Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();
        String cp = home.resolve("ferry-cli/target/ferry-cli.jar") + java.io.File.pathSeparator
                + home.resolve("ferry-cli/target/lib/*");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dferry.log.dir=" + log.getParent(), "-Dlog4j2.configurationFile=" + log4j(log)));
        // These JVMs are started again and again by the faults (some 45 worker starts in the matrix), on two cores
        // shared with the other test fork: most of their life is start-up and warm-up. C1 alone compiles at a
        // fraction of C2's CPU, and a class-data archive of the first run's classes spares every later start the
        // loading and verifying of Kafka's, Connect's and Debezium's classes. Neither changes what the code does.
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", cp, mainClass));
        cmd.addAll(args);
        this.command = cmd;
        this.archive = home.resolve("ferry-cli/target/jvm-archives").resolve(mainClass + ".jsa");
    }

    /**
     * The class-data archive of this main class once one exists; until then every start dumps one at its exit (a
     * killed process dumps nothing), under a name of its own, so a process starting meanwhile never maps a
     * half-written archive.
     */
    private List<String> archiveOptions() throws IOException {
        if (java.nio.file.Files.isRegularFile(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive);
        }
        java.nio.file.Files.createDirectories(archive.getParent());
        // named by the test JVM too: the other test fork may be starting a worker of the same name meanwhile
        dumping = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + "." + name
                + ".dumping");
        return List.of("-XX:ArchiveClassesAtExit=" + dumping);
    }

    /** After a clean exit: the archive the process dumped moved into place, unless another was first. */
    private void publishArchive() {
        Path dumped = dumping;
        dumping = null;
        if (dumped == null || !java.nio.file.Files.isRegularFile(dumped)) {
            return;
        }
        try {
            if (java.nio.file.Files.isRegularFile(archive)) {
                java.nio.file.Files.delete(dumped);
            } else {
                java.nio.file.Files.move(dumped, archive, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            // without an archive the next starts are only slower
        }
    }

    /** A log4j configuration writing this process's log to its own file. */
    private static String log4j(Path log) {
        try {
            Path config = log.resolveSibling(log.getFileName() + ".log4j2.xml");
            java.nio.file.Files.writeString(config, """
                    <Configuration status="WARN">
                      <Appenders><File name="f" fileName="%s" append="true">
                        <PatternLayout pattern="%%d{ISO8601} %%-5level [%%t] %%c{1}: %%msg%%n"/></File></Appenders>
                      <Loggers><Logger name="io.ferry" level="INFO"/><Root level="INFO"><AppenderRef ref="f"/></Root></Loggers>
                    </Configuration>
                    """.formatted(log));
            return config.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String name() { return name; }

    Path log() { return log; }

    synchronized void start() throws IOException {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(1, archiveOptions());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.resolveSibling(log.getFileName() + ".out").toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        starts++;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM or SIGKILL without waiting: {@link #stop} then waits (several processes stopping at once). */
    synchronized void signal(boolean hard) {
        if (process != null && process.isAlive()) {
            if (hard) {
                process.destroyForcibly();
            } else {
                process.destroy();
            }
        }
    }

    /** SIGTERM and wait (a clean stop), or SIGKILL (a crash: nothing gets to run). */
    synchronized void stop(boolean hard) throws InterruptedException {
        if (process == null) {
            return;
        }
        if (hard) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        } else {
            process.destroy();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
        publishArchive();
    }

    int starts() {
        return starts;
    }
}
