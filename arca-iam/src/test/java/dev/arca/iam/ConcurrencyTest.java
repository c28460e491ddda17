package dev.arca.iam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
    static final int THREADS = 8;
    static final int USERS_PER_THREAD = 40;

    @Test
    void concurrentChangesAndAuthenticationsStayConsistent() throws Exception {
        IamFixture f = new IamFixture();
        Principal root = f.account("acme");
        ConcurrentLinkedQueue<String[]> keys = new ConcurrentLinkedQueue<>();
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < USERS_PER_THREAD; i++) {
                        String name = "u" + thread + "-" + i;
                        f.iam(root, "CreateUser", "UserName", name);
                        IamResult k = f.iam(root, "CreateAccessKey", "UserName", name);
                        keys.add(new String[] {k.text("AccessKey", "AccessKeyId"), k.text("AccessKey", "SecretAccessKey")});
                        for (String[] other : keys) {
                            assertThat(f.iam.authenticate(other[0], null).orElseThrow().secretKey()).isEqualTo(other[1]);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
        assertThat(f.iam.store().users(root.accountId())).hasSize(THREADS * USERS_PER_THREAD);
        f.reopen();
        for (String[] k : keys) {
            assertThat(f.iam.authenticate(k[0], null).orElseThrow().secretKey()).isEqualTo(k[1]);
        }
    }
}
