package io.ferry.verify.mapping;

/** The mapping of a table uses something the verifier cannot follow: the table is reported as not verifiable. */
public final class NotVerifiable extends RuntimeException {

    public NotVerifiable(String reason) {
        super(reason, null, false, false);
    }
}
