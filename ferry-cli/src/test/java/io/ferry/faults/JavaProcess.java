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
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", cp, mainClass));
        cmd.addAll(args);
        this.command = cmd;
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
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
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

    /** SIGTERM and wait (a clean stop), or SIGKILL (a crash: nothing gets to run). */
    synchronized void stop(boolean hard) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (hard) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return;
        }
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    int starts() {
        return starts;
    }
}
