package io.ferry.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MachineTest {

    @Test
    void theFirstValueOfAKeyIsReadFromAProcStyleFile(@TempDir Path dir) throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.write(cpuinfo, List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "model name\t: AMD EPYC 7B13",
                "processor\t: 1", "model name\t: another"));
        assertThat(Machine.firstValue(cpuinfo, "model name")).isEqualTo("AMD EPYC 7B13");
        // a key is matched whole: "model" is not "model name"
        assertThat(Machine.firstValue(cpuinfo, "model")).isEqualTo("unknown");
        assertThat(Machine.firstValue(dir.resolve("missing"), "model name")).isEqualTo("unknown");
    }

    @Test
    void theHugePageModeIsTheBracketedWord(@TempDir Path dir) throws Exception {
        Path enabled = dir.resolve("enabled");
        Files.writeString(enabled, "always [madvise] never\n");
        assertThat(Machine.hugePages(enabled)).isEqualTo("madvise");
        Files.writeString(enabled, "always madvise never\n");
        assertThat(Machine.hugePages(enabled)).isEqualTo("unknown");
        assertThat(Machine.hugePages(dir.resolve("missing"))).isEqualTo("unknown");
    }

    @Test
    void theReportLineNamesEveryPart() {
        Machine m = new Machine("AMD EPYC", 2, 24_000, "Linux 6.1", "Eclipse Adoptium 17.0.15+6", "17.11",
                "11.4.5-MariaDB-log", "3.6.7~devel, compiled with SBCL 2.2.9.debian", "b4e09e2");
        assertThat(m.describe()).isEqualTo("Machine: AMD EPYC, 2 cores, 24,000 MB of memory, Linux 6.1; "
                + "Eclipse Adoptium 17.0.15+6; PostgreSQL 17.11, MariaDB 11.4.5-MariaDB-log, "
                + "pgloader 3.6.7~devel, compiled with SBCL 2.2.9.debian. Ferry at b4e09e2.");
        assertThat(m.asMap()).containsEntry("cpu", "AMD EPYC").containsEntry("cores", 2)
                .containsEntry("pgloader", "3.6.7~devel, compiled with SBCL 2.2.9.debian");
    }
}
