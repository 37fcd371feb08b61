package io.ferry.embedded;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tool from Debian's packages (pgloader for the bench, Prometheus for the monitoring test): found on PATH, or
 * installed with apt-get when this runs as root on a machine that has it (as the tests install what they need), so
 * a comparison or a check is made on every machine that can have it. Null, with the reason printed, otherwise.
 */
public final class DebianPackage {
    private DebianPackage() {}

    /** The executable on PATH (or in /usr/bin), or null. */
    public static Path locate(String binary) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, binary);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public static Path locateOrInstall(String binary, String pkg, Path logDir) throws Exception {
        Path found = locate(binary);
        if (found != null) {
            return found;
        }
        Path aptGet = Path.of("/usr/bin/apt-get");
        if (!Files.isExecutable(aptGet) || !"0".equals(uid())) {
            System.out.println("  " + binary + " is not installed and cannot be installed here (needs root and apt-get): "
                    + "install it (Debian: apt-get install " + pkg + ")");
            return null;
        }
        Path log = logDir.resolve("apt-get-" + pkg + ".log");
        System.out.println("  " + binary + " is not installed: apt-get install " + pkg + " (log " + log + ")");
        for (List<String> step : List.of(List.of(aptGet.toString(), "-q", "update"),
                List.of(aptGet.toString(), "-q", "-y", "--no-install-recommends", "install", pkg))) {
            ProcessBuilder pb = new ProcessBuilder(step).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                System.out.println("  " + String.join(" ", step) + " failed, see " + log);
                return null;
            }
        }
        return locate(binary);
    }

    private static String uid() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "";
        }
    }
}
