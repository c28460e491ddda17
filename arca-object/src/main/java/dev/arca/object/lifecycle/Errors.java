package dev.arca.object.lifecycle;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;

/** The failures a lifecycle configuration can be refused with, worded as S3 words them. */
final class Errors {
    static final String MALFORMED =
            "The XML you provided was not well-formed or did not validate against our published schema";

    private Errors() {}

    static StoreException malformed() {
        return StoreException.of(FailureKind.MALFORMED_XML, MALFORMED);
    }

    static StoreException invalidArgument(String message) {
        return StoreException.of(FailureKind.INVALID_ARGUMENT, message);
    }

    static StoreException invalidRequest(String message) {
        return StoreException.of(FailureKind.INVALID_REQUEST, message);
    }
}
