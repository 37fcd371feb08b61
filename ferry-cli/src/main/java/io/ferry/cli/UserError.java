package io.ferry.cli;

/**
 * A mistake the user can fix (a bad URL, wrong credentials, a server that cannot be reached, an invalid connector
 * file): printed as one plain line and a hint, without a stack trace unless --verbose asks for it.
 */
final class UserError extends RuntimeException {

    private final String hint;

    UserError(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    UserError(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    String hint() {
        return hint;
    }
}
