package dev.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.s3.tar.TarIndex;
import dev.arca.s3.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TarIndexCacheTest {
    private static TarIndex index(int members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < members; i++) {
            out.writeBytes(TarWriter.header("m" + i, 0, 0));
        }
        out.writeBytes(TarWriter.endOfArchive());
        byte[] a = out.toByteArray();
        return TarIndex.scan(a.length, o -> new ByteArrayInputStream(a, (int) o, a.length - (int) o), members);
    }

    private static TarIndexCache.Key key(String name, String etag) {
        return new TarIndexCache.Key("b", name, "null", etag, 1, 1);
    }

    @Test
    void aVersionIsBuiltOnceAndAnOtherEtagIsAnotherEntry() {
        TarIndexCache cache = new TarIndexCache(100, 10);
        AtomicInteger builds = new AtomicInteger();
        TarIndex first = cache.get(key("a", "e1"), () -> {
            builds.incrementAndGet();
            return index(2);
        });
        assertThat(cache.get(key("a", "e1"), () -> {
            throw new AssertionError("cached");
        })).isSameAs(first);
        TarIndex replaced = cache.get(key("a", "e2"), () -> {
            builds.incrementAndGet();
            return index(3);
        });
        assertThat(replaced.size()).isEqualTo(3);
        assertThat(builds).hasValue(2);
    }

    @Test
    void leastRecentlyUsedIndexesGoFirstWhenMembersOrArchivesRunOver() {
        TarIndexCache cache = new TarIndexCache(10, 3);
        cache.get(key("a", "e"), () -> index(4));
        cache.get(key("b", "e"), () -> index(4));
        cache.get(key("a", "e"), () -> index(99)); // touch a: b is now the eldest
        cache.get(key("c", "e"), () -> index(4)); // 12 members > 10: b goes
        assertThat(cache.archives()).isEqualTo(2);
        AtomicInteger rebuilt = new AtomicInteger();
        cache.get(key("a", "e"), () -> {
            rebuilt.incrementAndGet();
            return index(4);
        });
        assertThat(rebuilt).hasValue(0);
        // An index larger than the whole budget is still returned (and held until the next one).
        assertThat(cache.get(key("huge", "e"), () -> index(20)).size()).isEqualTo(20);
        assertThat(cache.archives()).isEqualTo(1);
    }

    @Test
    void concurrentFirstRequestsShareOneBuildAndFailuresAreNotCached() throws Exception {
        TarIndexCache cache = new TarIndexCache(100, 10);
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger builds = new AtomicInteger();
        Thread t = Thread.ofVirtual().start(() -> cache.get(key("a", "e"), () -> {
            builds.incrementAndGet();
            building.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return index(1);
        }));
        building.await();
        Thread waiter = Thread.ofVirtual().start(() -> cache.get(key("a", "e"), () -> {
            builds.incrementAndGet();
            return index(1);
        }));
        Thread.sleep(50);
        release.countDown();
        t.join();
        waiter.join();
        assertThat(builds).hasValue(1);

        assertThatThrownBy(() -> cache.get(key("bad", "e"), () -> {
            throw new IllegalStateException("scan failed");
        })).hasMessage("scan failed");
        assertThat(cache.get(key("bad", "e"), () -> index(1)).size()).isEqualTo(1);
    }
}
