package dev.arca.meta;

import static dev.arca.meta.MetaFixtures.bucket;
import static dev.arca.meta.MetaFixtures.id;
import static dev.arca.meta.MetaFixtures.inlineObject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.ObjectKey;
import dev.arca.meta.kv.MemoryKv;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Compares paged listings with a naive model over random keys: every page is the model's next
 * slice and paging to the end returns exactly the model's listing. Seed: -Darca.test.seed=N.
 */
class ListingsModelTest {
    private static final String[] ALPHABET = {"a", "b", "/", "-", "é", "~", "a/", "b/c/", "𝄞"};

    @Test
    void pagedListingsMatchTheModel() {
        long seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.out.println("ListingsModelTest seed " + seed + " (replay with -Darca.test.seed=" + seed + ")");
        Random random = new Random(seed);
        try (KvMetadataStore store = new KvMetadataStore(new MemoryKv(), false)) {
            store.submit(new Command.CreateBucket(bucket("b"), 10));
            store.submit(new Command.CreateBucket(bucket("c"), 10)); // a neighbour bucket must never leak in
            TreeSet<String> keys = new TreeSet<>(ObjectKey::compareUtf8);
            for (int i = 0; i < 300; i++) {
                String k = randomString(random, 1 + random.nextInt(6));
                keys.add(k);
                store.submit(new Command.PutObject("b", k, inlineObject(id(i + 1), 1, "e"), new byte[1],
                        dev.arca.meta.WritePrecondition.NONE, List.of(), 1));
                store.submit(new Command.PutObject("c", k, inlineObject(id(100_000 + i), 1, "e"), new byte[1],
                        dev.arca.meta.WritePrecondition.NONE, List.of(), 1));
            }
            for (int round = 0; round < 300; round++) {
                String prefix = random.nextInt(3) == 0 ? "" : randomString(random, 1 + random.nextInt(2));
                String delimiter = random.nextInt(3) == 0 ? null : ALPHABET[random.nextInt(ALPHABET.length)];
                String start = random.nextInt(3) == 0 ? randomString(random, 1 + random.nextInt(3)) : null;
                int max = 1 + random.nextInt(7);
                List<String> expected = model(keys, prefix, delimiter, start);
                List<String> got = new ArrayList<>();
                String after = start;
                int pages = 0;
                while (true) {
                    ObjectListing page = store.listObjects("b", new ListQuery(prefix, delimiter, after, max));
                    List<String> items = new ArrayList<>();
                    page.objects().forEach(e -> items.add(e.key()));
                    items.addAll(page.commonPrefixes());
                    items.sort(ObjectKey::compareUtf8);
                    assertThat(items.size()).isLessThanOrEqualTo(max);
                    got.addAll(items);
                    if (!page.truncated()) {
                        break;
                    }
                    assertThat(page.lastReturned()).isEqualTo(items.getLast());
                    after = page.lastReturned();
                    assertThat(++pages).as("pages").isLessThan(400);
                }
                assertThat(got).as("prefix=%s delimiter=%s start=%s max=%d seed=%d", prefix, delimiter, start, max, seed)
                        .isEqualTo(expected);
            }
        }
    }

    private static List<String> model(TreeSet<String> keys, String prefix, String delimiter, String startAfter) {
        TreeSet<String> out = new TreeSet<>(ObjectKey::compareUtf8);
        for (String k : keys) {
            if (!k.startsWith(prefix)) {
                continue;
            }
            String item = k;
            if (delimiter != null) {
                int at = k.indexOf(delimiter, prefix.length());
                if (at >= 0) {
                    item = k.substring(0, at + delimiter.length());
                }
            }
            if (startAfter == null || ObjectKey.compareUtf8(item, startAfter) > 0) {
                out.add(item);
            }
        }
        return new ArrayList<>(out);
    }

    private static String randomString(Random random, int parts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }
}
