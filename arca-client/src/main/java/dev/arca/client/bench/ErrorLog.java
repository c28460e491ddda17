package dev.arca.client.bench;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** Counts every failed request of the run and prints the first few, so a failure is explained once. */
final class ErrorLog {

    /** Beyond this many, errors are only counted. */
    static final int MAX_PRINTED = 10;

    private final PrintStream err;
    private final AtomicLong count = new AtomicLong();

    ErrorLog(PrintStream err) {
        this.err = err;
    }

    /** Records one failure; prints it if it is among the first {@link #MAX_PRINTED}. */
    void record(String context, String message) {
        long n = count.incrementAndGet();
        if (n <= MAX_PRINTED) {
            err.println("error: " + context + ": " + message);
        } else if (n == MAX_PRINTED + 1) {
            err.println("error: further errors are counted but not printed");
        }
    }

    /** Failures recorded so far. */
    long count() {
        return count.get();
    }
}
