package io.ferry.verify.diff;

/**
 * One way a target row differs from its source row, as found and confirmed. Values are never kept: only digests
 * (the first hex digits of the MD5 of the canonical text), so a report can be shared without the data.
 *
 * @param key          the match key's canonical parts, joined by U+001F
 * @param column       the target column for {@link Kind#VALUE_DIFFERS}, else null
 */
public record Difference(String key, Kind kind, String column, String sourceDigest, String targetDigest) {

    public enum Kind { MISSING_IN_TARGET, EXTRA_IN_TARGET, VALUE_DIFFERS }

    /** The key as a reader sees it: [1, fr]. */
    public String printableKey() {
        return "[" + key.replace("\u001f", ", ") + "]";
    }

    static String digest(String value) {
        if (value == null) {
            return "NULL";
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5").digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
