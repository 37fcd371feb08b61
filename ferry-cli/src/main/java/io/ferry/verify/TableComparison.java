package io.ferry.verify;

import java.util.List;

/** How a target table compares with its source, row by row and column by column. */
public record TableComparison(String table, long sourceRows, long targetRows, long missing, long extra,
                              long different, List<String> samples, String error) {

    /** A table that could not be compared at all (e.g. missing in the target): never a match. */
    public static TableComparison failed(String table, String error) {
        return new TableComparison(table, -1, -1, 0, 0, 0, List.of(), error);
    }

    public boolean matches() {
        return error == null && missing == 0 && extra == 0 && different == 0 && sourceRows == targetRows;
    }

    @Override
    public String toString() {
        if (error != null) {
            return table + ": not comparable: " + error;
        }
        return table + ": source " + sourceRows + ", target " + targetRows + ", missing " + missing + ", extra " + extra
                + ", different " + different + (samples.isEmpty() ? "" : " e.g. " + samples);
    }
}
