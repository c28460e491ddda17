package dev.arca.client.feed;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** Counts failed sample reads of a trial and prints the first few. Thread-safe. */
final class TrialErrors {

    /** Printing stops after this many; the count goes on. */
    static final int MAX_PRINTED = 5;

    private final PrintStream err;
    private final AtomicLong count = new AtomicLong();

    TrialErrors(PrintStream err) {
        this.err = err;
    }

    void record(String what, Throwable cause) {
        long n = count.incrementAndGet();
        if (n <= MAX_PRINTED) {
            synchronized (err) {
                err.println("arca-feed: error: " + what + ": " + cause);
            }
        }
    }

    long count() {
        return count.get();
    }
}
