package io.ferry.sink.schema;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column of a target table as PostgreSQL has it, with what its declared type lets through. Values are bound to
 * statements untyped and PostgreSQL assigns them to the column, which refuses a value too long or out of range;
 * an explicit cast would truncate instead ({@code 'fr'::character} is {@code 'f'}). What an assignment still
 * shortens or rounds without a word (trailing spaces beyond a length, digits beyond a numeric's scale or a
 * timestamp's precision) is refused by the encoder from these limits.
 *
 * @param sqlType  the type as declared (format_type with typmod), e.g. {@code character(2)} or a domain's name
 * @param baseType the type the values are written as, with its modifier: the domain's base type for a domain,
 *                 else {@code sqlType}
 */
public record TargetColumn(String name, String sqlType, String baseType, Limits limits) {

    private static final Pattern TYPMOD = Pattern.compile("\\(([0-9, ]+)\\)");

    public TargetColumn(String name, String sqlType, String baseType) {
        this(name, sqlType, baseType, Limits.of(baseType));
    }

    public TargetColumn(String name, String sqlType) {
        this(name, sqlType, sqlType);
    }

    /** The base type's name without modifier or array brackets removed, e.g. {@code character varying[]}. */
    public String baseName() { return limits.baseName(); }

    public boolean isBoolean() { return baseName().equals("boolean"); }

    public boolean isArray() { return baseName().endsWith("[]"); }

    public boolean isInterval() { return baseName().equals("interval"); }

    /** The column an element of this array column is written as. */
    public TargetColumn element() {
        String elementType = baseType.replace("[]", "");
        return new TargetColumn(name, elementType, elementType);
    }

    /**
     * What a declared type modifier allows.
     *
     * @param baseName  the type without modifier, e.g. {@code timestamp without time zone}
     * @param length    characters of char(n)/varchar(n), bits of bit(n)/bit varying(n), or -1
     * @param precision digits of numeric(p,s), fractional-second digits of timestamp(p)/time(p), or -1
     * @param scale     digits after the point of numeric(p,s), or -1
     */
    public record Limits(String baseName, int length, int precision, int scale) {

        static Limits of(String type) {
            String t = type.toLowerCase(Locale.ROOT);
            Matcher m = TYPMOD.matcher(t);
            String bare = m.replaceAll("").replaceAll("\\s+", " ").replace(" []", "[]").trim();
            if (!m.reset().find()) {
                return new Limits(bare, -1, -1, -1);
            }
            String[] args = m.group(1).split(",");
            int first = Integer.parseInt(args[0].trim());
            if (bare.startsWith("character") || bare.startsWith("bit")) {
                return new Limits(bare, first, -1, -1);
            }
            if (bare.startsWith("numeric")) {
                return new Limits(bare, -1, first, args.length > 1 ? Integer.parseInt(args[1].trim()) : 0);
            }
            if (bare.startsWith("timestamp") || bare.startsWith("time") || bare.startsWith("interval")) {
                return new Limits(bare, -1, first, -1);
            }
            return new Limits(bare, -1, -1, -1);
        }

        public boolean isCharacter() { return length >= 0 && baseName.startsWith("character"); }

        public boolean isBlankPadded() { return baseName.equals("character") || baseName.equals("character[]"); }

        public boolean isFixedBits() { return baseName.equals("bit"); }

        public boolean isBits() { return baseName.startsWith("bit"); }

        public boolean isNumeric() { return baseName.equals("numeric"); }

        public boolean isInteger() {
            return baseName.equals("smallint") || baseName.equals("integer") || baseName.equals("bigint");
        }

        public boolean isTemporal() {
            return precision >= 0 && (baseName.startsWith("timestamp") || baseName.startsWith("time")
                    || baseName.startsWith("interval"));
        }
    }
}
