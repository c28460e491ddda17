package dev.arca.iam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import dev.arca.iam.policy.Decision;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionTest {
    private final IamFixture f = new IamFixture();
    private final Principal root = f.account("acme");
    private final String acct = root.accountId();
    private final String roleArn = "arn:aws:iam::" + acct + ":role/deployer";

    private Principal alice() {
        return f.userWithKey(root, "alice");
    }

    private void role(String trustedPrincipal) {
        f.iam(root, "CreateRole", "RoleName", "deployer", "AssumeRolePolicyDocument", IamFixture.trust(trustedPrincipal));
    }

    private IamResult assume(Principal caller, String... extra) {
        String[] pairs = new String[4 + extra.length];
        pairs[0] = "RoleArn";
        pairs[1] = roleArn;
        pairs[2] = "RoleSessionName";
        pairs[3] = "s1";
        System.arraycopy(extra, 0, pairs, 4, extra.length);
        return f.sts(caller, "AssumeRole", pairs);
    }

    private static String key(IamResult r) {
        return r.text("Credentials", "AccessKeyId");
    }

    private static String token(IamResult r) {
        return r.text("Credentials", "SessionToken");
    }

    @Test
    void aValidSessionAuthenticatesAsTheAssumedRole() {
        Principal alice = alice();
        role("arn:aws:iam::" + acct + ":user/alice");
        f.iam(root, "PutRolePolicy", "RoleName", "deployer", "PolicyName", "p", "PolicyDocument", IamFixture.allow("s3:*", "*"));
        IamResult r = assume(alice, "DurationSeconds", "900");
        assertThat(key(r)).matches("ASIA[A-Z2-7]{16}");
        assertThat(r.text("Credentials", "SecretAccessKey")).hasSize(40);
        assertThat(token(r).length()).isLessThanOrEqualTo(IamLimits.SESSION_TOKEN_MAX_CHARS);
        assertThat(Instant.parse(r.text("Credentials", "Expiration")).toEpochMilli()).isEqualTo(f.clock.millis + 900_000);
        Role role = f.iam.store().role(acct, "deployer").orElseThrow();
        assertThat(r.text("AssumedRoleUser", "AssumedRoleId")).isEqualTo(role.roleId() + ":s1");
        assertThat(r.text("AssumedRoleUser", "Arn")).isEqualTo("arn:aws:sts::" + acct + ":assumed-role/deployer/s1");

        Iam.Authenticated auth = f.iam.authenticate(key(r), token(r)).orElseThrow();
        assertThat(auth.secretKey()).isEqualTo(r.text("Credentials", "SecretAccessKey"));
        Principal p = auth.principal();
        assertThat(p.kind()).isEqualTo(Principal.Kind.ASSUMED_ROLE);
        assertThat(p.name()).isEqualTo("deployer");
        assertThat(p.sessionName()).isEqualTo("s1");
        assertThat(p.accountId()).isEqualTo(acct);
        assertThat(p.canonicalId()).isEqualTo(root.canonicalId());
        assertThat(p.userId()).isEqualTo(role.roleId() + ":s1");
        assertThat(p.arn()).isEqualTo("arn:aws:sts::" + acct + ":assumed-role/deployer/s1");
        assertThat(f.iam.identityPolicies(p)).hasSize(1);
        // Cached the second time, same answer.
        assertThat(f.iam.authenticate(key(r), token(r)).orElseThrow()).isEqualTo(auth);
        assertThat(f.sts(p, "GetCallerIdentity").text("Arn")).isEqualTo(p.arn());
        // Tokens outlive a restart: they are sealed under the persistent master key.
        f.reopen();
        assertThat(f.iam.authenticate(key(r), token(r)).orElseThrow().principal()).isEqualTo(p);
    }

    @Test
    void expiredForgedMissingAndMisusedTokensAreRejected() {
        Principal alice = alice();
        role("arn:aws:iam::" + acct + ":user/alice");
        IamResult r = assume(alice);
        String key = key(r);
        String token = token(r);
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(key, null));
        char[] chars = token.toCharArray();
        // Not the last character: some of its bits may be padding the decoder ignores.
        for (int i : new int[] {0, 5, chars.length / 2, chars.length - 2}) {
            char[] forged = chars.clone();
            forged[i] = forged[i] == 'A' ? 'B' : 'A';
            IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(key, new String(forged)));
        }
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(key, "not base64 !"));
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(key, "A".repeat(5000)));
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(key, ""));
        // A real token presented with another temporary key id.
        String otherKey = key(assume(alice));
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(otherKey, token));
        // Still valid now, then expired (default one hour).
        assertThat(f.iam.authenticate(key, token)).isPresent();
        f.clock.advanceSeconds(3599);
        assertThat(f.iam.authenticate(key, token)).isPresent();
        f.clock.advanceSeconds(1);
        IamFixture.fails(FailureKind.EXPIRED_TOKEN, () -> f.iam.authenticate(key, token));
        f.reopen(); // uncached path too
        IamFixture.fails(FailureKind.EXPIRED_TOKEN, () -> f.iam.authenticate(key, token));
    }

    @Test
    void deletingTheRoleRevokesItsSessions() {
        Principal alice = alice();
        role("arn:aws:iam::" + acct + ":user/alice");
        IamResult r = assume(alice);
        assertThat(f.iam.authenticate(key(r), token(r))).isPresent();
        f.iam(root, "DeleteRole", "RoleName", "deployer");
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(key(r), token(r)));
        // A new role of the same name is another role: old sessions stay invalid.
        role("arn:aws:iam::" + acct + ":user/alice");
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(key(r), token(r)));
    }

    @Test
    void sameAccountTrustNamingTheCallerSuffices() {
        Principal alice = alice();
        role("arn:aws:iam::" + acct + ":user/alice");
        assertThat(key(assume(alice))).startsWith("ASIA");
        Principal bob = f.userWithKey(root, "bob");
        f.stsFails(FailureKind.ACCESS_DENIED, bob, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
        // Even an identity allow does not help when the trust policy does not name bob or his account.
        f.iam(root, "PutUserPolicy", "UserName", "bob", "PolicyName", "p", "PolicyDocument",
                IamFixture.allow("sts:AssumeRole", roleArn));
        f.stsFails(FailureKind.ACCESS_DENIED, bob, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
    }

    @Test
    void trustInTheAccountNeedsAnIdentityAllowToo() {
        Principal alice = alice();
        role("arn:aws:iam::" + acct + ":root");
        f.stsFails(FailureKind.ACCESS_DENIED, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
        assertThat(f.decisions.getLast().decision()).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(f.decisions.getLast().action()).isEqualTo("sts:AssumeRole");
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument",
                IamFixture.allow("sts:AssumeRole", roleArn));
        assertThat(key(assume(alice))).startsWith("ASIA");
        assertThat(f.decisions.getLast().decision()).isEqualTo(Decision.ALLOW);
        // An explicit deny anywhere wins.
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "d", "PolicyDocument",
                IamFixture.deny("sts:*", "*"));
        f.stsFails(FailureKind.ACCESS_DENIED, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
        assertThat(f.decisions.getLast().decision()).isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void crossAccountNeedsTrustAndIdentityAllow() {
        Principal other = f.account("other");
        Principal mallory = f.userWithKey(other, "mallory");
        // Trust names the other account's user, but mallory's own account does not allow her.
        role("arn:aws:iam::" + other.accountId() + ":user/mallory");
        f.stsFails(FailureKind.ACCESS_DENIED, mallory, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
        f.iam(other, "PutUserPolicy", "UserName", "mallory", "PolicyName", "p", "PolicyDocument",
                IamFixture.allow("sts:AssumeRole", "*"));
        IamResult r = assume(mallory);
        Principal session = f.iam.authenticate(key(r), token(r)).orElseThrow().principal();
        assertThat(session.accountId()).isEqualTo(acct); // the role's account, not mallory's
        assertThat(session.canonicalId()).isEqualTo(root.canonicalId());

        // Identity allow without trust: denied.
        Principal eve = f.userWithKey(other, "eve");
        f.iam(other, "PutUserPolicy", "UserName", "eve", "PolicyName", "p", "PolicyDocument",
                IamFixture.allow("sts:AssumeRole", "*"));
        f.stsFails(FailureKind.ACCESS_DENIED, eve, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
    }

    @Test
    void assumeRoleRulesAndValidation() {
        Principal alice = alice();
        // A role that does not exist is AccessDenied, not NoSuchEntity: no probing.
        f.stsFails(FailureKind.ACCESS_DENIED, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
        f.stsFails(FailureKind.ACCESS_DENIED, alice, "AssumeRole", "RoleArn", "arn:aws:iam::999999999999:role/x",
                "RoleSessionName", "s1");
        role(acct);
        f.stsFails(FailureKind.ACCESS_DENIED, root, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
        f.stsFails(FailureKind.ACCESS_DENIED, Principal.ANONYMOUS, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1");
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument",
                IamFixture.allow("sts:AssumeRole", "*"));
        f.stsFails(FailureKind.VALIDATION_ERROR, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "x");
        f.stsFails(FailureKind.VALIDATION_ERROR, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "a b");
        f.stsFails(FailureKind.VALIDATION_ERROR, alice, "AssumeRole", "RoleArn", "role", "RoleSessionName", "s1");
        f.stsFails(FailureKind.VALIDATION_ERROR, alice, "AssumeRole", "RoleSessionName", "s1");
        f.stsFails(FailureKind.VALIDATION_ERROR, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1",
                "DurationSeconds", "899");
        // Above the role's maximum (3600 by default).
        f.stsFails(FailureKind.VALIDATION_ERROR, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1",
                "DurationSeconds", "3601");
        f.stsFails(FailureKind.VALIDATION_ERROR, alice, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s1",
                "Policy", "{}");
        assertThat(key(assume(alice, "DurationSeconds", "3600"))).startsWith("ASIA");
    }

    @Test
    void roleChainingIsLimitedToAnHour() {
        Principal alice = alice();
        f.iam(root, "CreateRole", "RoleName", "deployer", "AssumeRolePolicyDocument", IamFixture.trust(acct),
                "MaxSessionDuration", "43200");
        f.iam(root, "PutRolePolicy", "RoleName", "deployer", "PolicyName", "p", "PolicyDocument",
                IamFixture.allow("sts:AssumeRole", "*"));
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument",
                IamFixture.allow("sts:AssumeRole", "*"));
        IamResult r = assume(alice, "DurationSeconds", "43200");
        Principal session = f.iam.authenticate(key(r), token(r)).orElseThrow().principal();
        f.stsFails(FailureKind.VALIDATION_ERROR, session, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s2",
                "DurationSeconds", "7200");
        assertThat(key(f.sts(session, "AssumeRole", "RoleArn", roleArn, "RoleSessionName", "s2"))).startsWith("ASIA");
    }

    @Test
    void callerIdentity() {
        Principal alice = alice();
        IamResult r = f.sts(alice, "GetCallerIdentity");
        assertThat(r.text("Arn")).isEqualTo(alice.arn());
        assertThat(r.text("Account")).isEqualTo(acct);
        assertThat(r.text("UserId")).isEqualTo(alice.userId());
        assertThat(f.sts(root, "GetCallerIdentity").text("UserId")).isEqualTo(acct);
    }
}
