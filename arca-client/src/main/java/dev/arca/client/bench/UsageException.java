package dev.arca.client.bench;

/** A command line that cannot be run; its message tells the user which argument is wrong. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
