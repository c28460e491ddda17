package dev.arca.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import dev.arca.iam.IdentityStore.Holder;
import dev.arca.iam.policy.Decision;
import dev.arca.iam.policy.Policy;
import dev.arca.iam.policy.RequestContext;
import dev.arca.meta.MetadataCorruptException;
import dev.arca.meta.kv.Bytes;
import dev.arca.meta.kv.KvBatch;
import dev.arca.meta.kv.KvCursor;
import dev.arca.meta.kv.RocksKv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityStoreTest {
    private final IamFixture f = new IamFixture();

    /** Everything the store holds, through its read API, as comparable text. */
    private static List<String> describe(Iam iam) {
        IdentityStore s = iam.store();
        List<String> out = new ArrayList<>();
        for (Account a : s.accounts()) {
            String id = a.id();
            out.add(a.toString());
            out.add("root keys " + s.accessKeys(id, null));
            for (User u : s.users(id)) {
                out.add(u + " keys " + s.accessKeys(id, u.name()) + " groups " + s.groupsForUser(id, u.name())
                        + " inline " + s.inlinePolicies(id, Holder.USER, u.name())
                        + " attached " + s.attachedPolicies(id, Holder.USER, u.name()));
            }
            for (Group g : s.groups(id)) {
                out.add(g + " members " + s.groupMembers(id, g.name()) + " inline " + s.inlinePolicies(id, Holder.GROUP, g.name())
                        + " attached " + s.attachedPolicies(id, Holder.GROUP, g.name()));
            }
            for (Role r : s.roles(id)) {
                out.add(r + " inline " + s.inlinePolicies(id, Holder.ROLE, r.name())
                        + " attached " + s.attachedPolicies(id, Holder.ROLE, r.name()));
            }
            for (ManagedPolicy p : s.policies(id)) {
                out.add(p + " attachments " + s.attachmentCount(id, p.name()));
            }
        }
        return out;
    }

    private List<byte[]> allValues() {
        List<byte[]> values = new ArrayList<>();
        try (KvCursor c = f.kv.scan(Bytes.EMPTY, null)) {
            while (c.next()) {
                values.add(c.value());
            }
        }
        return values;
    }

    @Test
    void everythingSurvivesReopenAndNoSecretIsStoredInClear() {
        Principal root = f.account("acme");
        Principal other = f.account("other");
        List<String> secrets = new ArrayList<>();
        f.iam(root, "CreateUser", "UserName", "Alice", "Path", "/eng/");
        f.iam(root, "CreateUser", "UserName", "bob");
        secrets.add(f.iam(root, "CreateAccessKey", "UserName", "alice").text("AccessKey", "SecretAccessKey"));
        IamResult inactive = f.iam(root, "CreateAccessKey", "UserName", "Alice");
        secrets.add(inactive.text("AccessKey", "SecretAccessKey"));
        f.iam(root, "UpdateAccessKey", "UserName", "Alice", "AccessKeyId", inactive.text("AccessKey", "AccessKeyId"),
                "Status", "Inactive");
        secrets.add(f.iam(root, "CreateAccessKey").text("AccessKey", "SecretAccessKey"));
        f.iam(root, "CreateGroup", "GroupName", "devs");
        f.iam(root, "AddUserToGroup", "GroupName", "devs", "UserName", "bob");
        f.iam(root, "AddUserToGroup", "GroupName", "DEVS", "UserName", "alice");
        String acct = root.accountId();
        f.iam(root, "CreatePolicy", "PolicyName", "ReadAll", "PolicyDocument", IamFixture.allow("s3:Get*", "*"),
                "Description", "read");
        String arn = "arn:aws:iam::" + acct + ":policy/ReadAll";
        f.iam(root, "AttachGroupPolicy", "GroupName", "devs", "PolicyArn", arn);
        f.iam(root, "AttachUserPolicy", "UserName", "bob", "PolicyArn", arn);
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "own", "PolicyDocument",
                IamFixture.allow("s3:*", "arn:aws:s3:::alice/*"));
        f.iam(root, "PutGroupPolicy", "GroupName", "devs", "PolicyName", "g", "PolicyDocument", IamFixture.allow("s3:List*", "*"));
        f.iam(root, "CreateRole", "RoleName", "deployer", "AssumeRolePolicyDocument", IamFixture.trust(acct),
                "MaxSessionDuration", "7200", "Description", "deploys");
        f.iam(root, "PutRolePolicy", "RoleName", "deployer", "PolicyName", "r", "PolicyDocument", IamFixture.allow("s3:*", "*"));
        f.iam(root, "AttachRolePolicy", "RoleName", "deployer", "PolicyArn", arn);
        f.iam(other, "CreateUser", "UserName", "alice");
        secrets.add(f.iam(other, "CreateAccessKey", "UserName", "alice").text("AccessKey", "SecretAccessKey"));

        List<String> before = describe(f.iam);
        Principal bob = f.iam.store().user(acct, "bob").map(u -> Iam.userPrincipal(f.iam.account(acct).orElseThrow(), u))
                .orElseThrow();
        int bobPolicies = f.iam.identityPolicies(bob).size();
        f.reopen();
        assertThat(describe(f.iam)).isEqualTo(before);
        assertThat(before).hasSizeGreaterThan(10);
        assertThat(f.iam.identityPolicies(bob)).hasSize(bobPolicies).hasSize(3);

        // Every key authenticates with the same secret after the reopen; the inactive one does not.
        for (AccessKey k : f.iam.store().accessKeys(acct, "alice")) {
            var auth = f.iam.authenticate(k.accessKeyId(), null);
            assertThat(auth.isPresent()).isEqualTo(k.status() == AccessKey.Status.ACTIVE);
            auth.ifPresent(a -> assertThat(secrets).contains(a.secretKey()));
        }

        secrets.add(IamFixture.ROOT_SECRET);
        for (byte[] value : allValues()) {
            String text = new String(value, StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                assertThat(text).doesNotContain(secret);
            }
        }
    }

    @Test
    void survivesARestartOnRocksDb(@TempDir Path dir) {
        Entropy entropy = Entropy.seeded(5);
        byte[] master = new byte[SecretBox.KEY_BYTES];
        String keyId;
        String secret;
        try (Iam iam = Iam.open(RocksKv.open(dir, RocksKv.Options.defaults()), MasterKey.of(master).box(entropy), f.clock,
                entropy, null, null)) {
            Principal root = iam.authenticate(iam.createAccount("acme").accessKeyId(), null).orElseThrow().principal();
            IamService service = new IamService(iam);
            service.handle("iam", "CreateUser", IamFixture.params("UserName", "alice"), root, null);
            IamResult key = service.handle("iam", "CreateAccessKey", IamFixture.params("UserName", "alice"), root, null);
            keyId = key.text("AccessKey", "AccessKeyId");
            secret = key.text("AccessKey", "SecretAccessKey");
        }
        try (Iam iam = Iam.open(RocksKv.open(dir, RocksKv.Options.defaults()), MasterKey.of(master).box(entropy), f.clock,
                entropy, null, null)) {
            Iam.Authenticated auth = iam.authenticate(keyId, null).orElseThrow();
            assertThat(auth.secretKey()).isEqualTo(secret);
            assertThat(auth.principal().name()).isEqualTo("alice");
        }
    }

    @Test
    void aDamagedRecordStopsTheOpen() {
        Principal root = f.account("acme");
        f.iam(root, "CreateUser", "UserName", "alice");
        byte[] key = IdentityRecords.entityKey(IdentityRecords.K_USER, root.accountId(), "alice");
        byte[] value = f.kv.get(key);
        value[4] ^= 1;
        f.kv.write(new KvBatch().put(key, value), true);
        assertThatThrownBy(f::reopen).isInstanceOf(MetadataCorruptException.class).hasMessageContaining("checksum");
    }

    @Test
    void anotherMasterKeyCannotOpenTheSecrets() {
        f.account("acme");
        byte[] wrong = new byte[SecretBox.KEY_BYTES];
        Entropy e = Entropy.seeded(7);
        assertThatThrownBy(() -> Iam.open(f.kv, MasterKey.of(wrong).box(e), f.clock, e, null, null))
                .isInstanceOf(MetadataCorruptException.class).hasMessageContaining("master key");
    }

    @Test
    void aStoredDocumentTheEngineNoLongerAcceptsDeniesEverything() {
        Principal root = f.account("acme");
        Principal alice = f.userWithKey(root, "alice");
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument", IamFixture.allow("s3:*", "*"));
        byte[] key = IdentityRecords.holderKey(IdentityRecords.K_INLINE, root.accountId(), Holder.USER, "alice", "p");
        f.kv.write(new KvBatch().put(key, IdentityRecords.encodeInline(new InlinePolicy("p", "{not json"))), true);
        f.reopen();
        List<Policy> policies = f.iam.identityPolicies(alice);
        assertThat(policies).hasSize(1);
        assertThat(policies.getFirst().evaluate(new RequestContext("s3:GetObject", "arn:aws:s3:::b/k", alice, null)))
                .isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void aFailedWriteChangesNothing() {
        Principal root = f.account("acme");
        f.kv.close();
        assertThatThrownBy(() -> f.iam(root, "CreateUser", "UserName", "alice")).isInstanceOf(IllegalStateException.class);
        assertThat(f.iam.store().user(root.accountId(), "alice")).isEmpty();
    }

    @Test
    void recordsRoundTrip() {
        Role role = new Role("123456789012", "R", "AROAX", "/a/", "{}", 3600, null, 5);
        assertThat(IdentityRecords.decodeRole(IdentityRecords.encodeRole(role))).isEqualTo(role);
        ManagedPolicy p = new ManagedPolicy("123456789012", "P", "ANPAX", "/", "{}", "d", 6);
        assertThat(IdentityRecords.decodePolicy(IdentityRecords.encodePolicy(p))).isEqualTo(p);
        Account a = new Account("123456789012", "n", "ab".repeat(32), 7);
        assertThat(IdentityRecords.decodeAccount(IdentityRecords.encodeAccount(a))).isEqualTo(a);
        byte[] mark = IdentityRecords.encodeMark(9);
        mark[2] ^= 1;
        assertThatThrownBy(() -> IdentityRecords.decodeMark(mark)).isInstanceOf(MetadataCorruptException.class);
    }
}
