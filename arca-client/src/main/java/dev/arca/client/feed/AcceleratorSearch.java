package dev.arca.client.feed;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the largest accelerator count whose trial passes: 1, 2, 4, ... until a trial fails or the
 * ceiling is reached, then bisection between the last pass and the first failure. Bounded by
 * {@code maxTrials}; a trial with read errors ends the search (its AU means nothing).
 */
final class AcceleratorSearch {

    /** Runs one trial with {@code accelerators} accelerators. */
    @FunctionalInterface
    interface Runner {
        TrialResult run(int accelerators) throws InterruptedException;
    }

    /**
     * What the search found.
     *
     * @param best the largest N that passed, 0 if none did
     * @param firstFailure the smallest N that failed, or 0 if none did
     * @param trials every trial in the order run
     * @param exhausted whether it stopped on the trial bound before the answer was exact
     * @param errored whether it stopped on a trial with errors
     */
    record Outcome(int best, int firstFailure, List<TrialResult> trials, boolean exhausted, boolean errored) {
    }

    private AcceleratorSearch() {
    }

    static Outcome search(Runner runner, int ceiling, int maxTrials) throws InterruptedException {
        int pass = 0;
        int fail = 0;
        List<TrialResult> trials = new ArrayList<>();
        while (true) {
            int n;
            if (fail == 0) {
                if (pass >= ceiling) {
                    return new Outcome(pass, fail, trials, false, false);
                }
                n = pass == 0 ? 1 : (int) Math.min(ceiling, 2L * pass);
            } else {
                if (fail - pass <= 1) {
                    return new Outcome(pass, fail, trials, false, false);
                }
                n = pass + (fail - pass) / 2;
            }
            if (trials.size() >= maxTrials) {
                return new Outcome(pass, fail, trials, true, false);
            }
            TrialResult r = runner.run(n);
            trials.add(r);
            if (r.errors() > 0) {
                return new Outcome(pass, fail, trials, false, true);
            }
            if (r.passed()) {
                pass = n;
            } else {
                fail = n;
            }
        }
    }
}
