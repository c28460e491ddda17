package dev.arca.meta;

import static dev.arca.meta.MetaFixtures.blobObject;
import static dev.arca.meta.MetaFixtures.bucket;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.meta.kv.KvBatch;
import dev.arca.meta.kv.KvCursor;
import dev.arca.meta.kv.KvReader;
import dev.arca.meta.kv.MemoryKv;
import org.junit.jupiter.api.Test;

/**
 * A listing page costs O(page), not O(bucket): counted in entries the KV store hands out, which is
 * what a large bucket would make expensive. (Counts, not timings, so the test is exact.)
 */
class ListingCostTest {
    private static final int PREFIXES = 20;
    private static final int KEYS_PER_PREFIX = 5_000;

    /** Counts cursor steps and seeks. */
    private static final class Counting implements KvReader {
        final KvReader base;
        long steps;
        long seeks;

        Counting(KvReader base) {
            this.base = base;
        }

        @Override
        public byte[] get(byte[] key) {
            return base.get(key);
        }

        @Override
        public KvCursor scan(byte[] from, byte[] to) {
            seeks++;
            KvCursor c = base.scan(from, to);
            return new KvCursor() {
                @Override
                public boolean next() {
                    steps++;
                    return c.next();
                }

                @Override
                public byte[] key() {
                    return c.key();
                }

                @Override
                public byte[] value() {
                    return c.value();
                }

                @Override
                public void close() {
                    c.close();
                }
            };
        }
    }

    @Test
    void pagesCostTheirOwnSizeWhateverTheBucketHolds() {
        MemoryKv kv = new MemoryKv();
        // 100,000 objects written straight into the key space (the machine is tested elsewhere).
        KvBatch batch = new KvBatch();
        batch.put(Keys.bucket("b"), Codecs.encode(bucket("b")));
        for (int p = 0; p < PREFIXES; p++) {
            for (int k = 0; k < KEYS_PER_PREFIX; k++) {
                String key = String.format("dir%02d/file%05d", p, k);
                batch.put(Keys.object("b", key), Codecs.encode(blobObject(MetaFixtures.id(p * KEYS_PER_PREFIX + k + 1), 1, "e")));
            }
        }
        kv.write(batch, false);

        // Delimited listing of the top level: one seek per common prefix, not a walk of 100,000 keys.
        Counting counting = new Counting(kv);
        ObjectListing top = Listings.objects(counting, "b", new ListQuery("", "/", null, 1000));
        assertThat(top.commonPrefixes()).hasSize(PREFIXES);
        assertThat(counting.steps).isLessThanOrEqualTo(2L * PREFIXES + 2);

        // A flat page of 1,000 deep inside the bucket reads about 1,000 entries.
        counting = new Counting(kv);
        ObjectListing page = Listings.objects(counting, "b", new ListQuery("", null, "dir13/file02500", 1000));
        assertThat(page.objects()).hasSize(1000);
        assertThat(page.objects().getFirst().key()).isEqualTo("dir13/file02501");
        assertThat(counting.steps).isLessThanOrEqualTo(1001);
        assertThat(counting.seeks).isEqualTo(1);

        // A prefix page with a delimiter inside one directory.
        counting = new Counting(kv);
        ObjectListing dir = Listings.objects(counting, "b", new ListQuery("dir07/", "/", null, 10));
        assertThat(dir.objects()).hasSize(10);
        assertThat(dir.truncated()).isTrue();
        assertThat(counting.steps).isLessThanOrEqualTo(11);
    }
}
