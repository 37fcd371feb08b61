package io.ferry.sink.schema;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a source column's new type can replace the target column's type without losing a value that is
 * already there: integers to a wider integer or an exact numeric, VARCHAR to a longer VARCHAR or text, DECIMAL to
 * one with at least as many integer and fraction digits. Other changes among these families (narrowing, integer to
 * text) are unsafe and left to the user; other types are not judged.
 */
public final class TypeWidening {

    /** What to do with a column whose type differs. */
    public enum Verdict { SAME, WIDEN, UNSAFE }

    private static final List<String> INTEGERS = List.of("smallint", "integer", "bigint");
    private static final Pattern VARCHAR = Pattern.compile("(?:varchar|character varying)\\((\\d+)\\)");
    private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+),(\\d+)\\)");

    private TypeWidening() {
    }

    /**
     * @param existing the target column's type as {@code format_type} shows it
     * @param wanted   the type the type registry gives the column's new schema
     */
    public static Verdict compare(String existing, String wanted) {
        String from = normalize(existing);
        String to = normalize(wanted);
        if (from.equals(to) || !comparable(from) || !comparable(to)) {
            return Verdict.SAME; // only integer, numeric and character types are judged; others are spelled too many ways
        }
        int fi = INTEGERS.indexOf(from);
        int ti = INTEGERS.indexOf(to);
        if (fi >= 0 && ti >= 0) {
            return ti > fi ? Verdict.WIDEN : Verdict.SAME; // a narrower source type still fits the wider column
        }
        Matcher toNum = NUMERIC.matcher(to);
        if (fi >= 0 && toNum.matches()) {
            int digits = new int[] {5, 10, 19}[fi];
            return Integer.parseInt(toNum.group(1)) - Integer.parseInt(toNum.group(2)) >= digits ? Verdict.WIDEN : Verdict.UNSAFE;
        }
        Matcher fromNum = NUMERIC.matcher(from);
        if (fromNum.matches() && toNum.matches()) {
            int fp = Integer.parseInt(fromNum.group(1));
            int fs = Integer.parseInt(fromNum.group(2));
            int tp = Integer.parseInt(toNum.group(1));
            int ts = Integer.parseInt(toNum.group(2));
            if (tp - ts >= fp - fs && ts >= fs) {
                return Verdict.WIDEN;
            }
            return tp - ts <= fp - fs && ts <= fs ? Verdict.SAME : Verdict.UNSAFE;
        }
        Matcher fromChar = VARCHAR.matcher(from);
        if (fromChar.matches()) {
            if (to.equals("text")) {
                return Verdict.WIDEN;
            }
            Matcher toChar = VARCHAR.matcher(to);
            if (toChar.matches()) {
                return Integer.parseInt(toChar.group(1)) > Integer.parseInt(fromChar.group(1)) ? Verdict.WIDEN : Verdict.SAME;
            }
        }
        if (from.equals("text") && VARCHAR.matcher(to).matches()) {
            return Verdict.SAME;
        }
        return Verdict.UNSAFE;
    }

    private static boolean comparable(String t) {
        return INTEGERS.contains(t) || t.equals("text") || NUMERIC.matcher(t).matches() || VARCHAR.matcher(t).matches();
    }

    private static String normalize(String type) {
        return type.toLowerCase(Locale.ROOT).replace(" ", "").replace("charactervarying", "varchar")
                .replace("int8", "bigint").replace("int4", "integer").replace("int2", "smallint");
    }
}
