package dev.arca.client.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({
        "64MiB, 67108864", "4KiB, 4096", "1GiB, 1073741824", "4096, 4096", "4096B, 4096", "4k, 4096",
        "8m, 8388608", "2g, 2147483648", "1MB, 1000000", "5kb, 5000", "1GB, 1000000000", "' 16 MiB ', 16777216",
    })
    void parsesSizes(String text, long bytes) {
        assertThat(Units.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "-1", "1.5MiB", "12XB", "99999999999999999GiB", "4 Ki B"})
    void rejectsBadSizes(String text) {
        assertThatThrownBy(() -> Units.parseSize(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"10s, 10000", "2m, 120000", "500ms, 500", "7, 7000", "1h, 3600000", "0s, 0"})
    void parsesDurations(String text, long millis) {
        assertThat(Units.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "10x", "-1s", "1.5s", "10 sec"})
    void rejectsBadDurations(String text) {
        assertThatThrownBy(() -> Units.parseDuration(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"67108864, 64MiB", "4096, 4KiB", "1073741824, 1GiB", "1000, 1000B", "1536, 1536B", "0, 0B"})
    void formatsSizes(long bytes, String text) {
        assertThat(Units.formatSize(bytes)).isEqualTo(text);
    }
}
