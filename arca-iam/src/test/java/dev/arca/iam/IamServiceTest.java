package dev.arca.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.iam.policy.Decision;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IamServiceTest {
    private final IamFixture f = new IamFixture();
    private final Principal root = f.account("acme");
    private final String acct = root.accountId();

    private List<String> userNames() {
        return f.iam.store().users(acct).stream().map(User::name).toList();
    }

    @Test
    void aUserWithoutIamPermissionsIsDeniedAndNothingChanges() {
        Principal alice = f.userWithKey(root, "alice");
        String message = f.iamFails(FailureKind.ACCESS_DENIED, alice, "CreateUser", "UserName", "bob");
        assertThat(message).contains(alice.arn()).contains("iam:CreateUser")
                .contains("arn:aws:iam::" + acct + ":user/bob");
        assertThat(userNames()).containsExactly("alice");
        IamFixture.Decided last = f.decisions.getLast();
        assertThat(last.principal()).isEqualTo(alice);
        assertThat(last.action()).isEqualTo("iam:CreateUser");
        assertThat(last.resource()).isEqualTo("arn:aws:iam::" + acct + ":user/bob");
        assertThat(last.decision()).isEqualTo(Decision.IMPLICIT_DENY);
        f.iamFails(FailureKind.ACCESS_DENIED, alice, "ListUsers");
        f.iamFails(FailureKind.ACCESS_DENIED, alice, "GetUser");
    }

    @Test
    void aUserWithIamPermissionsActsWithinThem() {
        Principal alice = f.userWithKey(root, "alice");
        f.iam(root, "CreateGroup", "GroupName", "admins");
        f.iam(root, "AddUserToGroup", "GroupName", "admins", "UserName", "alice");
        f.iam(root, "CreatePolicy", "PolicyName", "UserAdmin", "PolicyDocument",
                IamFixture.allow("iam:*User*", "arn:aws:iam::" + acct + ":user/*"));
        f.iam(root, "AttachGroupPolicy", "GroupName", "admins", "PolicyArn", "arn:aws:iam::" + acct + ":policy/UserAdmin");
        f.iam(alice, "CreateUser", "UserName", "bob");
        assertThat(f.decisions.getLast().decision()).isEqualTo(Decision.ALLOW);
        assertThat(f.iam(alice, "GetUser").text("User", "UserName")).isEqualTo("alice");
        assertThat(f.iam(alice, "ListUsers").toString()).contains("bob");
        // Not groups: the policy covers users only.
        f.iamFails(FailureKind.ACCESS_DENIED, alice, "CreateGroup", "GroupName", "g2");
        // An explicit deny wins over the allow.
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "no-delete", "PolicyDocument",
                IamFixture.deny("iam:DeleteUser", "*"));
        String message = f.iamFails(FailureKind.ACCESS_DENIED, alice, "DeleteUser", "UserName", "bob");
        assertThat(message).contains("explicit deny");
        assertThat(f.decisions.getLast().decision()).isEqualTo(Decision.EXPLICIT_DENY);
        // Removing alice from the group removes the allow (the policy cache follows the change).
        f.iam(root, "RemoveUserFromGroup", "GroupName", "admins", "UserName", "alice");
        f.iamFails(FailureKind.ACCESS_DENIED, alice, "CreateUser", "UserName", "carol");
    }

    @Test
    void anonymousIsAlwaysDenied() {
        f.iamFails(FailureKind.ACCESS_DENIED, Principal.ANONYMOUS, "ListUsers");
        f.stsFails(FailureKind.ACCESS_DENIED, Principal.ANONYMOUS, "GetCallerIdentity");
        assertThat(f.decisions.getLast().decision()).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void accountsAreIsolated() {
        f.iam(root, "CreateUser", "UserName", "alice");
        Principal other = f.account("other");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, other, "GetUser", "UserName", "alice");
        assertThat(f.iam(other, "ListUsers").toString()).doesNotContain("alice");
        f.iam(other, "CreateUser", "UserName", "alice"); // names are per account
        assertThat(f.iam.store().user(other.accountId(), "alice").orElseThrow().arn())
                .isEqualTo("arn:aws:iam::" + other.accountId() + ":user/alice");
        // A policy ARN of another account does not resolve.
        f.iam(root, "CreatePolicy", "PolicyName", "P", "PolicyDocument", IamFixture.allow("s3:*", "*"));
        f.iamFails(FailureKind.NO_SUCH_ENTITY, other, "AttachUserPolicy", "UserName", "alice", "PolicyArn",
                "arn:aws:iam::" + acct + ":policy/P");
    }

    @Test
    void everyErrorKind() {
        f.iam(root, "CreateUser", "UserName", "alice");
        assertThat(f.iamFails(FailureKind.ENTITY_ALREADY_EXISTS, root, "CreateUser", "UserName", "ALICE"))
                .isEqualTo("User with name ALICE already exists.");
        assertThat(f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetUser", "UserName", "nobody"))
                .isEqualTo("The user with name nobody cannot be found.");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetGroup", "GroupName", "nogroup");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetRole", "RoleName", "norole");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetUserPolicy", "UserName", "alice", "PolicyName", "none");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetPolicy", "PolicyArn", "arn:aws:iam::" + acct + ":policy/none");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "AttachUserPolicy", "UserName", "alice", "PolicyArn",
                "arn:aws:iam::aws:policy/AdministratorAccess");
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "CreateUser", "UserName", "bad name");
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "CreateUser", "UserName", "x".repeat(65));
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "CreateUser");
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "CreateUser", "UserName", "bob", "Path", "no-slashes");
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "ListUsers", "MaxItems", "0");
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "ListUsers", "MaxItems", "many");
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "GetPolicy", "PolicyArn", "not-an-arn");
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument",
                IamFixture.trust(acct), "MaxSessionDuration", "100");
        assertThat(f.iam.store().role(acct, "r")).isEmpty();
        // LimitExceeded: groups per user.
        for (int i = 0; i < IamLimits.GROUPS_PER_USER; i++) {
            f.iam(root, "CreateGroup", "GroupName", "g" + i);
            f.iam(root, "AddUserToGroup", "GroupName", "g" + i, "UserName", "alice");
        }
        f.iam(root, "CreateGroup", "GroupName", "one-too-many");
        assertThat(f.iamFails(FailureKind.LIMIT_EXCEEDED, root, "AddUserToGroup", "GroupName", "one-too-many",
                "UserName", "alice")).isEqualTo("Cannot exceed quota for GroupsPerUser: 10");
        // LimitExceeded: attached policies per identity.
        for (int i = 0; i <= IamLimits.ATTACHED_POLICIES_PER_IDENTITY; i++) {
            f.iam(root, "CreatePolicy", "PolicyName", "p" + i, "PolicyDocument", IamFixture.allow("s3:GetObject", "*"));
        }
        for (int i = 0; i < IamLimits.ATTACHED_POLICIES_PER_IDENTITY; i++) {
            f.iam(root, "AttachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam::" + acct + ":policy/p" + i);
        }
        f.iamFails(FailureKind.LIMIT_EXCEEDED, root, "AttachUserPolicy", "UserName", "alice", "PolicyArn",
                "arn:aws:iam::" + acct + ":policy/p10");
        // Attaching again is a no-op, as in IAM.
        f.iam(root, "AttachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam::" + acct + ":policy/p0");
        // DeleteConflict: an attached policy, a group with members.
        assertThat(f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeletePolicy", "PolicyArn",
                "arn:aws:iam::" + acct + ":policy/p0")).isEqualTo("Cannot delete a policy attached to entities.");
        f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeleteGroup", "GroupName", "g0");
        f.iam(root, "DetachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam::" + acct + ":policy/p0");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "DetachUserPolicy", "UserName", "alice", "PolicyArn",
                "arn:aws:iam::" + acct + ":policy/p0");
        f.iam(root, "DeletePolicy", "PolicyArn", "arn:aws:iam::" + acct + ":policy/p0");
        f.iamFails(FailureKind.ACCESS_DENIED, Principal.ANONYMOUS, "GetUser", "UserName", "alice");
    }

    @Test
    void malformedPolicyDocumentsAreRejectedAndNothingIsStored() {
        f.iam(root, "CreateUser", "UserName", "alice");
        for (String bad : List.of("{not json", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"s3:GetObjects\",\"Resource\":\"*\"}]}", "",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\""
                        + "x".repeat(11_000) + "\"}]}")) {
            f.iamFails(bad.isEmpty() ? FailureKind.VALIDATION_ERROR : FailureKind.MALFORMED_POLICY_DOCUMENT, root,
                    "PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument", bad);
            f.iamFails(bad.isEmpty() ? FailureKind.VALIDATION_ERROR : FailureKind.MALFORMED_POLICY_DOCUMENT, root,
                    "CreatePolicy", "PolicyName", "p", "PolicyDocument", bad);
        }
        assertThat(f.iam.store().inlinePolicies(acct, IdentityStore.Holder.USER, "alice")).isEmpty();
        assertThat(f.iam.store().policies(acct)).isEmpty();
        // A trust policy must name principals, and only ones that exist.
        f.iamFails(FailureKind.MALFORMED_POLICY_DOCUMENT, root, "CreateRole", "RoleName", "r",
                "AssumeRolePolicyDocument", IamFixture.allow("s3:GetObject", "*"));
        assertThat(f.iamFails(FailureKind.MALFORMED_POLICY_DOCUMENT, root, "CreateRole", "RoleName", "r",
                "AssumeRolePolicyDocument", IamFixture.trust("arn:aws:iam::" + acct + ":user/ghost")))
                .contains("Invalid principal");
        f.iamFails(FailureKind.MALFORMED_POLICY_DOCUMENT, root, "CreateRole", "RoleName", "r",
                "AssumeRolePolicyDocument", IamFixture.trust("123456789012"));
        assertThat(f.iam.store().roles(acct)).isEmpty();
        f.iam(root, "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument",
                IamFixture.trust("arn:aws:iam::" + acct + ":user/alice"));
        f.iamFails(FailureKind.MALFORMED_POLICY_DOCUMENT, root, "UpdateAssumeRolePolicy", "RoleName", "r",
                "PolicyDocument", "{}");
        assertThat(f.iam.store().role(acct, "r").orElseThrow().trustPolicy()).contains("user/alice");
    }

    @Test
    void inlineSizeIsLimitedPerIdentity() {
        f.iam(root, "CreateUser", "UserName", "alice");
        String big = IamFixture.allow("s3:GetObject", "arn:aws:s3:::" + "b".repeat(1_000));
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "a", "PolicyDocument", big);
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "a", "PolicyDocument", big); // replaces
        f.iamFails(FailureKind.LIMIT_EXCEEDED, root, "PutUserPolicy", "UserName", "alice", "PolicyName", "b",
                "PolicyDocument", big);
        assertThat(f.iam.store().inlinePolicies(acct, IdentityStore.Holder.USER, "alice")).hasSize(1);
    }

    @Test
    void policiesReadBackAsAwsReturnsThem() {
        f.iam(root, "CreateUser", "UserName", "alice");
        String doc = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\","
                + " \"Resource\": \"*\"}]}";
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument", doc);
        IamResult got = f.iam(root, "GetUserPolicy", "UserName", "alice", "PolicyName", "P");
        assertThat(got.text("PolicyDocument")).doesNotContain(" ").doesNotContain("+").contains("%20");
        assertThat(URLDecoder.decode(got.text("PolicyDocument"), StandardCharsets.UTF_8)).isEqualTo(doc);
        assertThat(f.iam(root, "ListUserPolicies", "UserName", "alice").toString()).contains("member");

        IamResult created = f.iam(root, "CreatePolicy", "PolicyName", "Managed", "PolicyDocument", doc, "Path", "/team/");
        String arn = "arn:aws:iam::" + acct + ":policy/team/Managed";
        assertThat(created.text("Policy", "Arn")).isEqualTo(arn);
        assertThat(created.text("Policy", "PolicyId")).matches("ANPA[A-Z2-7]{17}");
        assertThat(created.text("Policy", "DefaultVersionId")).isEqualTo("v1");
        assertThat(created.text("Policy", "CreateDate")).isEqualTo("2023-11-14T22:13:20Z");
        f.iam(root, "AttachUserPolicy", "UserName", "alice", "PolicyArn", arn);
        assertThat(f.iam(root, "GetPolicy", "PolicyArn", arn).text("Policy", "AttachmentCount")).isEqualTo("1");
        IamResult version = f.iam(root, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v1");
        assertThat(URLDecoder.decode(version.text("PolicyVersion", "Document"), StandardCharsets.UTF_8)).isEqualTo(doc);
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v2");
        // The ARN must name the policy's path.
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetPolicy", "PolicyArn", "arn:aws:iam::" + acct + ":policy/Managed");
        assertThat(f.iam(root, "ListAttachedUserPolicies", "UserName", "alice").toString()).contains(arn);
        assertThat(f.iam(root, "ListPolicies", "Scope", "Local", "OnlyAttached", "true").toString()).contains(arn);
        assertThat(f.iam(root, "ListPolicies", "Scope", "AWS").toString()).doesNotContain(arn);
    }

    @Test
    void listsPageWithMaxItemsAndMarker() {
        for (String name : List.of("dave", "Alice", "carol", "bob", "eve")) {
            f.iam(root, "CreateUser", "UserName", name);
        }
        IamResult first = f.iam(root, "ListUsers", "MaxItems", "2");
        assertThat(first.text("IsTruncated")).isEqualTo("true");
        assertThat(names(first)).containsExactly("Alice", "bob");
        IamResult second = f.iam(root, "ListUsers", "MaxItems", "2", "Marker", first.text("Marker"));
        assertThat(names(second)).containsExactly("carol", "dave");
        IamResult third = f.iam(root, "ListUsers", "MaxItems", "2", "Marker", second.text("Marker"));
        assertThat(names(third)).containsExactly("eve");
        assertThat(third.text("IsTruncated")).isEqualTo("false");
        assertThat(third.text("Marker")).isNull();
    }

    private static List<String> names(IamResult r) {
        IamResult.Node users = (IamResult.Node) r.fields().getFirst();
        return users.children().stream().map(m -> ((IamResult.Node) m).children().stream()
                .filter(x -> x.name().equals("UserName")).map(x -> ((IamResult.Text) x).text()).findFirst().orElseThrow())
                .toList();
    }

    @Test
    void groupsAndRoles() {
        f.iam(root, "CreateUser", "UserName", "alice");
        IamResult g = f.iam(root, "CreateGroup", "GroupName", "devs", "Path", "/eng/");
        assertThat(g.text("Group", "Arn")).isEqualTo("arn:aws:iam::" + acct + ":group/eng/devs");
        assertThat(g.text("Group", "GroupId")).startsWith("AGPA");
        f.iam(root, "AddUserToGroup", "GroupName", "devs", "UserName", "alice");
        f.iam(root, "AddUserToGroup", "GroupName", "devs", "UserName", "alice"); // idempotent
        assertThat(f.iam(root, "GetGroup", "GroupName", "devs").toString()).contains("alice");
        assertThat(f.iam(root, "ListGroupsForUser", "UserName", "alice").toString()).contains("devs");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "AddUserToGroup", "GroupName", "devs", "UserName", "ghost");
        f.iam(root, "PutGroupPolicy", "GroupName", "devs", "PolicyName", "p", "PolicyDocument", IamFixture.allow("s3:*", "*"));
        f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeleteGroup", "GroupName", "devs");
        f.iam(root, "RemoveUserFromGroup", "GroupName", "devs", "UserName", "alice");
        f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeleteGroup", "GroupName", "devs");
        f.iam(root, "DeleteGroupPolicy", "GroupName", "devs", "PolicyName", "p");
        f.iam(root, "DeleteGroup", "GroupName", "devs");

        IamResult r = f.iam(root, "CreateRole", "RoleName", "ops", "AssumeRolePolicyDocument", IamFixture.trust(acct));
        assertThat(r.text("Role", "RoleId")).startsWith("AROA");
        assertThat(r.text("Role", "MaxSessionDuration")).isEqualTo("3600");
        assertThat(URLDecoder.decode(r.text("Role", "AssumeRolePolicyDocument"), StandardCharsets.UTF_8))
                .isEqualTo(IamFixture.trust(acct));
        f.iamFails(FailureKind.ENTITY_ALREADY_EXISTS, root, "CreateRole", "RoleName", "OPS", "AssumeRolePolicyDocument",
                IamFixture.trust(acct));
        f.iam(root, "UpdateAssumeRolePolicy", "RoleName", "ops", "PolicyDocument",
                IamFixture.trust("arn:aws:iam::" + acct + ":user/alice"));
        assertThat(f.iam(root, "GetRole", "RoleName", "ops").text("Role", "AssumeRolePolicyDocument")).contains("alice");
        f.iam(root, "CreatePolicy", "PolicyName", "P", "PolicyDocument", IamFixture.allow("s3:*", "*"));
        f.iam(root, "AttachRolePolicy", "RoleName", "ops", "PolicyArn", "arn:aws:iam::" + acct + ":policy/P");
        assertThat(f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeleteRole", "RoleName", "ops")).contains("detach");
        f.iam(root, "DetachRolePolicy", "RoleName", "ops", "PolicyArn", "arn:aws:iam::" + acct + ":policy/P");
        assertThat(f.iam(root, "ListRoles").toString()).contains("ops");
        f.iam(root, "DeleteRole", "RoleName", "ops");
        assertThat(f.iam(root, "ListRoles").toString()).doesNotContain("ops");
    }

    @Test
    void accountsCreateAndDelete() {
        assertThat(f.iam.accounts()).extracting(Account::id).contains("000000000000", acct);
        assertThat(f.iam.accountByCanonicalId("arca-root").orElseThrow().isSystem()).isTrue();
        assertThat(f.iam.accountByCanonicalId(root.canonicalId()).orElseThrow().id()).isEqualTo(acct);
        assertThat(acct).matches("[0-9]{12}");
        assertThat(root.canonicalId()).matches("[0-9a-f]{64}");
        IamFixture.fails(FailureKind.ENTITY_ALREADY_EXISTS, () -> f.iam.createAccount("acme"));
        IamFixture.fails(FailureKind.ENTITY_ALREADY_EXISTS, () -> f.iam.createAccount("arca-root"));
        IamFixture.fails(FailureKind.VALIDATION_ERROR, () -> f.iam.createAccount("Bad Name"));
        IamFixture.fails(FailureKind.VALIDATION_ERROR, () -> f.iam.deleteAccount("000000000000"));
        IamFixture.fails(FailureKind.NO_SUCH_ENTITY, () -> f.iam.deleteAccount("123456789012"));
        f.iam(root, "CreateUser", "UserName", "alice");
        IamFixture.fails(FailureKind.DELETE_CONFLICT, () -> f.iam.deleteAccount(acct));
        f.iam(root, "DeleteUser", "UserName", "alice");
        String rootKey = f.iam.store().accessKeys(acct, null).getFirst().accessKeyId();
        f.iam.deleteAccount(acct);
        assertThat(f.iam.account(acct)).isEmpty();
        assertThat(f.iam.authenticate(rootKey, null)).isEmpty();
        // The system account's users work like any account's.
        Principal system = f.systemRoot();
        f.iam(system, "CreateUser", "UserName", "ops");
        assertThat(f.iam.store().user("000000000000", "ops")).isPresent();
    }

    @Test
    void unsupportedActionsAreRefused() {
        assertThat(f.service.supports("iam", "CreateUser")).isTrue();
        assertThat(f.service.supports("iam", "AssumeRole")).isFalse();
        assertThat(f.service.supports("sts", "AssumeRole")).isTrue();
        assertThat(f.service.supports("s3", "GetObject")).isFalse();
        assertThatThrownBy(() -> f.iam(root, "CreateLoginProfile")).isInstanceOf(IllegalArgumentException.class);
    }
}
