package io.ferry.sink.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/** geometry.format resolved against the target database: the column type MySQL geometries get. */
public final class GeometryFormat {

    private GeometryFormat() {
    }

    /**
     * @return bytea, text or geometry
     * @throws IllegalStateException when postgis is asked for and the extension is not installed
     */
    public static String columnType(Connection conn, String format) throws SQLException {
        boolean postgis;
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")) {
            postgis = rs.next();
        }
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "wkb" -> "bytea";
            case "wkt" -> "text";
            case "postgis" -> {
                if (!postgis) {
                    throw new IllegalStateException("geometry.format=postgis but the target database has no postgis "
                            + "extension; run CREATE EXTENSION postgis, or choose wkb or wkt");
                }
                yield "geometry";
            }
            default -> postgis ? "geometry" : "bytea";
        };
    }
}
