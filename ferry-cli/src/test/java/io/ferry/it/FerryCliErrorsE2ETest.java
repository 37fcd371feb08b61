package io.ferry.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's mistakes, through the real {@code ./ferry} script: each ends with exit code 2 and the cause in a few plain
 * lines (no stack trace unless --verbose), and nothing is started or deployed.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FerryCliErrorsE2ETest {

    String sourceUrl;
    String pgUrl;
    Path state;

    @BeforeAll
    void servers() throws Exception {
        String name = TestServers.newName("clierr");
        var source = TestServers.source(name);
        try (Connection c = TestServers.sourceConnection(source, ""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE `" + name + "`");
        }
        sourceUrl = "jdbc:mariadb://" + source.host() + ":" + source.port() + "/" + name + "?user=" + source.user();
        pgUrl = TestServers.newPostgresDatabase(name);
        try (Connection pg = DriverManager.getConnection(pgUrl, TestServers.pgUser(), TestServers.pgPassword());
             Statement st = pg.createStatement()) {
            st.execute("DO $$ BEGIN CREATE ROLE ferry_cli_user LOGIN PASSWORD 'the-right-one'; "
                    + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        }
        state = Files.createTempDirectory("ferry-cli-errors");
    }

    record Run(int exit, String output) {}

    Run ferry(String... args) throws Exception {
        Path home = Path.of(System.getProperty("ferry.project.dir", "..")).toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of("bash", home.resolve("ferry").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("ferry-cli", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .directory(home.toFile());
        pb.environment().remove("FERRY_TARGET_PASSWORD");
        Process p = pb.start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static void plain(Run r, String... expected) {
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains(expected).doesNotContain("\tat ").doesNotContain("Exception:")
                .doesNotContain("picocli");
        assertThat(r.output().lines().filter(l -> !l.startsWith("ferry: building") && !l.isBlank()).count())
                .as("a few lines:\n" + r.output()).isLessThanOrEqualTo(4);
    }

    @Test
    void aWrongPasswordSaysSoAndNothingIsStarted() throws Exception {
        Path dir = state.resolve("wrong-password");
        Run r = ferry("migrate", "--source", sourceUrl, "--target", pgUrl, "--target-user", "ferry_cli_user",
                "--target-password", "a-wrong-one", "--state-dir", dir.toString());
        plain(r, "cannot connect to the target", "password authentication failed", "hint:");
        assertThat(r.output()).doesNotContain("a-wrong-one");
        assertThat(dir.resolve("connect")).as("no broker or worker started, nothing deployed").doesNotExist();
    }

    @Test
    void anUnreachableSourceAndAMalformedUrlSaySo() throws Exception {
        plain(ferry("migrate", "--source", "jdbc:mariadb://127.0.0.1:1/shop", "--target", pgUrl,
                "--state-dir", state.resolve("unreachable").toString()), "cannot connect to the source 127.0.0.1:1/shop",
                "hint:");
        plain(ferry("migrate", "--source", "mysql://host/db", "--target", pgUrl), "source must be a jdbc:mysql:// or jdbc:mariadb:// URL");
    }

    @Test
    void anUnknownBenchPartOrComparatorSaysSo() throws Exception {
        plain(ferry("bench", "--only", "sinks"), "--only sinks: not a part (end-to-end, sink, migrate)");
        plain(ferry("bench", "--skip", "raw-copy"), "--skip raw-copy: not a comparator");
        plain(ferry("bench", "--only", "end-to-end", "--soak", "10m"), "--only and --soak are two different runs");
        plain(ferry("bench", "--soak", "ten minutes"), "--soak ten minutes: not a duration");
        plain(ferry("bench", "--soak", "0m"), "--soak 0m: not a duration");
    }

    @Test
    void aMissingOrInvalidConnectorFileSaysSo() throws Exception {
        plain(ferry("verify", "--source", sourceUrl, "--target", pgUrl, "--sink-config", "/no/such/sink.json"),
                "file not found: /no/such/sink.json");
        Path broken = Files.createTempFile("broken", ".json");
        Files.writeString(broken, "{\"name\": \"x\", \"config\": {\"connector.class\": }");
        plain(ferry("migrate", "--source", sourceUrl, "--target", pgUrl, "--sink-config", broken.toString(),
                "--state-dir", state.resolve("broken").toString()), "not valid JSON", "line 1");
    }

    @Test
    void verboseShowsTheTrace() throws Exception {
        Run r = ferry("--verbose", "migrate", "--source", "jdbc:mariadb://127.0.0.1:1/shop", "--target", pgUrl);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("\tat ");
    }
}
