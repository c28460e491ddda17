package dev.arca.client.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsCoverEveryValueTightly() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong(1L << random.nextInt(1, 42));
            int index = LatencyHistogram.index(v);
            long low = LatencyHistogram.lowerBound(index);
            assertThat(v).isBetween(low, low + LatencyHistogram.bucketWidth(index) - 1);
            assertThat((double) LatencyHistogram.bucketWidth(index)).isLessThanOrEqualTo(Math.max(1.0, v / 64.0));
        }
    }

    @Test
    void quantilesOfAUniformSpread() {
        LatencyHistogram h = new LatencyHistogram();
        for (long micros = 1; micros <= 100_000; micros++) {
            h.record(micros * 1000);
        }
        assertThat(h.count()).isEqualTo(100_000);
        assertThat((double) h.quantile(0.50)).isCloseTo(50_000_000.0, withinPercentage(1.6));
        assertThat((double) h.quantile(0.99)).isCloseTo(99_000_000.0, withinPercentage(1.6));
        assertThat(h.max()).isEqualTo(100_000_000L);
        assertThat(h.quantile(1.0)).isLessThanOrEqualTo(h.max());
    }

    @Test
    void mergingAddsCounts() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        for (int i = 0; i < 99; i++) {
            a.record(1_000_000);
        }
        b.record(900_000_000);
        a.add(b);
        assertThat(a.count()).isEqualTo(100);
        assertThat((double) a.quantile(0.5)).isCloseTo(1_000_000.0, withinPercentage(1.6));
        assertThat((double) a.quantile(0.995)).isCloseTo(900_000_000.0, withinPercentage(1.6));
        assertThat(a.max()).isEqualTo(900_000_000L);
        assertThat(new LatencyHistogram().quantile(0.5)).isZero();
    }
}
