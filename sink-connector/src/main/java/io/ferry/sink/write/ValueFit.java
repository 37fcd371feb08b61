package io.ferry.sink.write;

import io.ferry.sink.event.BadRecordException;
import io.ferry.sink.schema.TargetColumn;

import java.math.BigDecimal;

/**
 * Refuses a value that PostgreSQL would assign to its column shortened or rounded without an error: trailing spaces
 * beyond a char(n)/varchar(n) length (PostgreSQL cuts them), digits beyond a numeric's scale or a timestamp's or
 * time's fractional precision (PostgreSQL rounds). A value too long in any other way, or out of range, is left for
 * PostgreSQL to refuse with its own reason. Works on the text form, so COPY, upserts, deletes and parked rows are
 * held to the same rule.
 */
final class ValueFit {

    private ValueFit() {}

    static String check(String text, TargetColumn column) {
        TargetColumn.Limits l = column.limits();
        if (column.isArray()) {
            return text; // elements are checked one by one against the element type
        }
        if (l.isCharacter()) {
            return characters(text, column, l.length());
        }
        if (l.isNumeric() && l.scale() >= 0) {
            return numeric(text, column, l.scale());
        }
        if (l.isTemporal()) {
            return fraction(text, column, l.precision());
        }
        return text;
    }

    private static String characters(String text, TargetColumn column, int max) {
        if (text.length() <= max) {
            return text; // UTF-16 units >= code points: nothing to count
        }
        int chars = text.codePointCount(0, text.length());
        if (chars <= max) {
            return text;
        }
        if (text.substring(text.offsetByCodePoints(0, max)).isBlank()) {
            throw new BadRecordException("column \"" + column.name() + "\": value too long for type " + column.sqlType()
                    + " (" + chars + " characters; PostgreSQL would cut the trailing spaces beyond " + max
                    + " without an error)");
        }
        return text; // PostgreSQL refuses it: value too long for type ...
    }

    private static String numeric(String text, TargetColumn column, int scale) {
        int dot = text.indexOf('.');
        if (dot < 0 || text.length() - dot - 1 <= scale) {
            return text;
        }
        try {
            if (new BigDecimal(text).stripTrailingZeros().scale() > scale) {
                throw rounded(column, text);
            }
        } catch (NumberFormatException e) {
            return text; // not a number: PostgreSQL says so
        }
        return text;
    }

    static BadRecordException rounded(TargetColumn column, String value) {
        return new BadRecordException("column \"" + column.name() + "\": " + value + " has more digits after the point "
                + "than " + column.sqlType() + " keeps; PostgreSQL would round it without an error");
    }

    /** Fractional seconds beyond the type's precision, in timestamp, time and interval text ("N microseconds"). */
    private static String fraction(String text, TargetColumn column, int precision) {
        if (text.endsWith(" microseconds")) {
            long micros = Long.parseLong(text, 0, text.length() - " microseconds".length(), 10);
            long unit = (long) Math.pow(10, Math.max(0, 6 - precision));
            if (micros % unit != 0) {
                throw tooPrecise(column, text);
            }
            return text;
        }
        int dot = text.lastIndexOf('.');
        int colon = text.lastIndexOf(':');
        if (dot < 0 || dot < colon) {
            return text;
        }
        int end = dot + 1;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        for (int i = dot + 1 + precision; i < end; i++) {
            if (text.charAt(i) != '0') {
                throw tooPrecise(column, text);
            }
        }
        return text;
    }

    private static BadRecordException tooPrecise(TargetColumn column, String value) {
        return new BadRecordException("column \"" + column.name() + "\": " + value + " has more fractional-second digits "
                + "than " + column.sqlType() + " keeps; PostgreSQL would round it without an error");
    }
}
