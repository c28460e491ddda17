package dev.arca.iam;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.policy.Decision;
import dev.arca.meta.kv.MemoryKv;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An {@link Iam} over a {@link MemoryKv} with a settable clock, and helpers to call actions. */
final class IamFixture {
    static final String ROOT_ACCESS_KEY = "ARCAROOTKEY";
    static final String ROOT_SECRET = "arca-root-secret-key-0123456789";
    static final long START = 1_700_000_000_000L;

    /** A clock tests move by hand. */
    static final class Clock implements InstantSource {
        volatile long millis = START;

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }

        void advanceSeconds(long seconds) {
            millis += seconds * 1000;
        }
    }

    record Decided(Principal principal, String action, String resource, Decision decision, String reason) {}

    final MemoryKv kv = new MemoryKv();
    final Clock clock = new Clock();
    final byte[] masterKey = new byte[SecretBox.KEY_BYTES];
    final List<Decided> decisions = Collections.synchronizedList(new ArrayList<>());
    private long seed = 1;
    Iam iam;
    IamService service;

    IamFixture() {
        Entropy.seeded(42).nextBytes(masterKey);
        reopen();
    }

    /** Opens a fresh Iam over the same store, as a restarted server would. */
    void reopen() {
        Entropy entropy = Entropy.seeded(seed++);
        iam = Iam.open(kv, MasterKey.of(masterKey).box(entropy), clock, entropy, ROOT_ACCESS_KEY, ROOT_SECRET);
        iam.listener((p, action, resource, d, reason) -> decisions.add(new Decided(p, action, resource, d, reason)));
        service = new IamService(iam);
    }

    Principal systemRoot() {
        return iam.authenticate(ROOT_ACCESS_KEY, null).orElseThrow().principal();
    }

    /** A new account; returns its root principal. */
    Principal account(String name) {
        Iam.AccountCreated created = iam.createAccount(name);
        return iam.authenticate(created.accessKeyId(), null).orElseThrow().principal();
    }

    static Map<String, String> params(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    IamResult iam(Principal caller, String action, String... pairs) {
        return service.handle(IamService.IAM, action, params(pairs), caller, null);
    }

    IamResult sts(Principal caller, String action, String... pairs) {
        return service.handle(IamService.STS, action, params(pairs), caller, null);
    }

    /** Asserts that an IAM action fails with {@code kind}; returns the failure message. */
    String iamFails(FailureKind kind, Principal caller, String action, String... pairs) {
        return fails(kind, () -> iam(caller, action, pairs));
    }

    String stsFails(FailureKind kind, Principal caller, String action, String... pairs) {
        return fails(kind, () -> sts(caller, action, pairs));
    }

    static String fails(FailureKind kind, Runnable r) {
        String[] message = new String[1];
        assertThatThrownBy(r::run).isInstanceOfSatisfying(StoreException.class, e -> {
            org.assertj.core.api.Assertions.assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            message[0] = e.failure().message();
        });
        return message[0];
    }

    /** Creates a user with an access key in the caller's account; returns the user's principal. */
    Principal userWithKey(Principal root, String name) {
        iam(root, "CreateUser", "UserName", name);
        IamResult key = iam(root, "CreateAccessKey", "UserName", name);
        return iam.authenticate(key.text("AccessKey", "AccessKeyId"), null).orElseThrow().principal();
    }

    static String allow(String action, String resource) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"" + action
                + "\",\"Resource\":\"" + resource + "\"}]}";
    }

    static String deny(String action, String resource) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"" + action
                + "\",\"Resource\":\"" + resource + "\"}]}";
    }

    static String trust(String principal) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal
                + "\"},\"Action\":\"sts:AssumeRole\"}]}";
    }
}
