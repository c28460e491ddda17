package dev.arca.client.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search's doubling and bisection, with trials faked by a capacity. */
class AcceleratorSearchTest {

    private static TrialResult result(int n, boolean pass, long errors) {
        return new TrialResult("p", 1, n, 1, 1, 1, 1, pass ? 0.95 : 0.5, 0.5, 0.9, 1, 1, 1, 1, 1, 1, 0, 1, 0, errors);
    }

    private static AcceleratorSearch.Outcome searchWithCapacity(int capacity, int ceiling, int maxTrials, List<Integer> tried)
            throws InterruptedException {
        return AcceleratorSearch.search(n -> {
            tried.add(n);
            return result(n, n <= capacity, 0);
        }, ceiling, maxTrials);
    }

    @Test
    void doublesThenBisects() throws InterruptedException {
        List<Integer> tried = new ArrayList<>();
        AcceleratorSearch.Outcome o = searchWithCapacity(5, 64, 20, tried);
        assertThat(o.best()).isEqualTo(5);
        assertThat(o.firstFailure()).isEqualTo(6);
        assertThat(tried).containsExactly(1, 2, 4, 8, 6, 5);
        assertThat(o.exhausted()).isFalse();
    }

    @Test
    void findsEveryCapacityExactly() throws InterruptedException {
        for (int capacity = 0; capacity <= 40; capacity++) {
            AcceleratorSearch.Outcome o = searchWithCapacity(capacity, 32, 40, new ArrayList<>());
            assertThat(o.best()).as("capacity " + capacity).isEqualTo(Math.min(capacity, 32));
        }
    }

    @Test
    void noPassingCountIsZeroAfterOneTrial() throws InterruptedException {
        List<Integer> tried = new ArrayList<>();
        AcceleratorSearch.Outcome o = searchWithCapacity(0, 64, 10, tried);
        assertThat(o.best()).isZero();
        assertThat(tried).containsExactly(1);
    }

    @Test
    void boundedByTrialsAndCeiling() throws InterruptedException {
        List<Integer> tried = new ArrayList<>();
        AcceleratorSearch.Outcome o = searchWithCapacity(1000, 1024, 3, tried);
        assertThat(tried).containsExactly(1, 2, 4);
        assertThat(o.exhausted()).isTrue();
        assertThat(o.best()).isEqualTo(4);

        tried.clear();
        o = searchWithCapacity(1000, 6, 20, tried);
        assertThat(tried).containsExactly(1, 2, 4, 6);
        assertThat(o.best()).isEqualTo(6);
    }

    @Test
    void stopsOnErrors() throws InterruptedException {
        List<Integer> tried = new ArrayList<>();
        AcceleratorSearch.Outcome o = AcceleratorSearch.search(n -> {
            tried.add(n);
            return result(n, true, n == 2 ? 1 : 0);
        }, 64, 10);
        assertThat(o.errored()).isTrue();
        assertThat(tried).containsExactly(1, 2);
        assertThat(o.best()).isEqualTo(1);
    }
}
