package io.ferry.faults;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and a server certificate for 127.0.0.1/localhost, made with the JDK's keytool alone (no
 * openssl on the machine needed): PEM files PostgreSQL takes (ssl_cert_file, ssl_key_file) and the CA that pgjdbc
 * checks the server against with sslmode=verify-full.
 */
public final class TestTls {

    public record Files3(Path caCert, Path serverCert, Path serverKey) {}

    private TestTls() {}

    public static Files3 create(Path dir) throws Exception {
        Files.createDirectories(dir);
        String pass = "changeit";
        Path ca = dir.resolve("ca.p12");
        Path server = dir.resolve("server.p12");
        Files.deleteIfExists(ca);
        Files.deleteIfExists(server);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=Ferry test CA", "-ext", "bc:c", "-keystore", ca.toString(), "-storetype", "PKCS12",
                "-storepass", pass);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pass,
                "-file", dir.resolve("root.crt").toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=localhost", "-keystore", server.toString(), "-storetype", "PKCS12", "-storepass", pass);
        keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-storepass", pass,
                "-file", dir.resolve("server.csr").toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pass, "-rfc",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "KU=digitalSignature,keyEncipherment",
                "-ext", "EKU=serverAuth", "-validity", "30",
                "-infile", dir.resolve("server.csr").toString(), "-outfile", dir.resolve("server.crt").toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(server)) {
            ks.load(in, pass.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("server", pass.toCharArray());
        Path keyFile = dir.resolve("server.key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        // PostgreSQL refuses a key file others can read
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        return new Files3(dir.resolve("root.crt"), dir.resolve("server.crt"), keyFile);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-noprompt"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
