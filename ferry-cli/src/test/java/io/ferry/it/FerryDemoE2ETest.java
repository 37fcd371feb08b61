package io.ferry.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's first command, run as a user runs it: {@code ./ferry demo}. */
@Tag("e2e")
class FerryDemoE2ETest {

    @Test
    void demoMigratesSakilaAndExitsZero() throws Exception {
        Path home = Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();
        Path log = Path.of("target/ferry-demo.log").toAbsolutePath();
        Path state = Files.createTempDirectory("ferry-demo-test");
        Process p = new ProcessBuilder("bash", home.resolve("ferry").toString(), "demo", "--state-dir", state.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).directory(new File(home.toString())).start();
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(finished).as("demo finished within 10 minutes").isTrue();
        assertThat(p.exitValue()).as("exit code; output:\n" + output).isZero();
        assertThat(output).contains("Full load: 47273 rows in 16 tables")
                .contains("Demo finished: PostgreSQL equals MariaDB through the redesign, every table VALIDATED.")
                .contains("16 of 16 tables validated")
                .doesNotContain("DIFFERENT");
    }
}
