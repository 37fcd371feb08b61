package io.ferry.verify;

import io.ferry.verify.diff.Difference;

import java.util.List;
import java.util.Map;

/**
 * The verdict on one table, in AWS DMS's terms where they fit: VALIDATED, MISMATCHED (rows that still differ after the
 * sink caught up), IN_FLIGHT (rows that kept changing while being checked, like DMS's "suspended"), NOT_VERIFIABLE
 * (the mapping uses something verify cannot follow, with the reason), NO_KEY (rows cannot be matched), ERROR.
 */
public record TableResult(String table, String targetTable, State state, String mode, long sourceRows, long targetRows,
                          long mismatched, long inFlight, String reason, List<Difference> differences,
                          Map<String, String> leftOut, long elapsedMs) {

    public enum State { VALIDATED, MISMATCHED, IN_FLIGHT, NOT_VERIFIABLE, NO_KEY, ERROR }

    public boolean validated() {
        return state == State.VALIDATED;
    }

    /** The state as printed: MISMATCHED 3, IN_FLIGHT 2, NOT_VERIFIABLE. */
    public String stateText() {
        return switch (state) {
            case MISMATCHED -> "MISMATCHED " + mismatched;
            case IN_FLIGHT -> "IN_FLIGHT " + inFlight;
            default -> state.name();
        };
    }
}
