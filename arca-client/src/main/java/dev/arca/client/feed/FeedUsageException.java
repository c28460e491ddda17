package dev.arca.client.feed;

/** A command line that cannot be run; the message names the offending argument. */
final class FeedUsageException extends Exception {

    private static final long serialVersionUID = 1L;

    FeedUsageException(String message) {
        super(message);
    }
}
