package io.ferry.cli;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** A MySQL/MariaDB server and database, parsed from a JDBC URL such as jdbc:mysql://host:3306/shop?user=u&password=p. */
public record SourceEndpoint(String kind, String host, int port, String database, String user, String password) {

    public static SourceEndpoint parse(String jdbcUrl, String user, String password) {
        if (!jdbcUrl.startsWith("jdbc:mysql://") && !jdbcUrl.startsWith("jdbc:mariadb://")) {
            throw new IllegalArgumentException("source must be a jdbc:mysql:// or jdbc:mariadb:// URL: " + redact(jdbcUrl));
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    query.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        String db = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (db.isEmpty()) {
            throw new IllegalArgumentException("source URL names no database: " + redact(jdbcUrl));
        }
        return new SourceEndpoint(uri.getScheme(), uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 3306, db,
                user != null ? user : query.getOrDefault("user", "root"),
                password != null ? password : query.get("password"));
    }

    public String jdbcUrl() {
        return "jdbc:mariadb://" + host + ":" + port + "/" + database + "?permitMysqlScheme";
    }

    /** The URL with any password removed, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1****");
    }
}
