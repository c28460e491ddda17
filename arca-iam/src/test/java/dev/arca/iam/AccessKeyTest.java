package dev.arca.iam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessKeyTest {
    private final IamFixture f = new IamFixture();
    private final Principal root = f.account("acme");

    private List<String> keyIds(String user) {
        return f.iam.store().accessKeys(root.accountId(), user).stream().map(AccessKey::accessKeyId).toList();
    }

    @Test
    void createListDeactivateDeleteRotate() {
        f.iam(root, "CreateUser", "UserName", "alice");
        IamResult first = f.iam(root, "CreateAccessKey", "UserName", "alice");
        String id1 = first.text("AccessKey", "AccessKeyId");
        String secret1 = first.text("AccessKey", "SecretAccessKey");
        assertThat(id1).matches("AKIA[A-Z2-7]{16}");
        assertThat(secret1).hasSize(40).matches("[A-Za-z0-9+/]{40}");
        assertThat(first.text("AccessKey", "Status")).isEqualTo("Active");
        assertThat(first.text("AccessKey", "UserName")).isEqualTo("alice");

        Iam.Authenticated auth = f.iam.authenticate(id1, null).orElseThrow();
        assertThat(auth.secretKey()).isEqualTo(secret1);
        assertThat(auth.principal().kind()).isEqualTo(Principal.Kind.USER);
        assertThat(auth.principal().arn()).isEqualTo("arn:aws:iam::" + root.accountId() + ":user/alice");
        assertThat(auth.principal().userId()).matches("AIDA[A-Z2-7]{17}");
        assertThat(auth.principal().canonicalId()).isEqualTo(root.canonicalId());
        assertThat(auth.toString()).doesNotContain(secret1);

        // Listing never shows a secret.
        IamResult list = f.iam(root, "ListAccessKeys", "UserName", "alice");
        assertThat(list.toString()).contains(id1).doesNotContain(secret1);
        assertThat(list.text("IsTruncated")).isEqualTo("false");

        // Rotate: a second key, deactivate the first, then delete it.
        IamResult second = f.iam(root, "CreateAccessKey", "UserName", "alice");
        String id2 = second.text("AccessKey", "AccessKeyId");
        f.iamFails(FailureKind.LIMIT_EXCEEDED, root, "CreateAccessKey", "UserName", "alice");
        f.iam(root, "UpdateAccessKey", "UserName", "alice", "AccessKeyId", id1, "Status", "Inactive");
        assertThat(f.iam.authenticate(id1, null)).isEmpty();
        assertThat(f.iam.authenticate(id2, null)).isPresent();
        f.iam(root, "UpdateAccessKey", "UserName", "alice", "AccessKeyId", id1, "Status", "Active");
        assertThat(f.iam.authenticate(id1, null)).isPresent();
        f.iam(root, "UpdateAccessKey", "UserName", "alice", "AccessKeyId", id1, "Status", "Inactive");
        f.iam(root, "DeleteAccessKey", "UserName", "alice", "AccessKeyId", id1);
        assertThat(f.iam.authenticate(id1, null)).isEmpty();
        assertThat(keyIds("alice")).containsExactly(id2);
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "DeleteAccessKey", "UserName", "alice", "AccessKeyId", id1);
    }

    @Test
    void aUserManagesItsOwnKeysWhenAllowed() {
        Principal alice = f.userWithKey(root, "alice");
        f.iamFails(FailureKind.ACCESS_DENIED, alice, "CreateAccessKey");
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "keys", "PolicyDocument",
                IamFixture.allow("iam:*AccessKey*", "arn:aws:iam::*:user/${aws:username}"));
        String id = f.iam(alice, "CreateAccessKey").text("AccessKey", "AccessKeyId");
        assertThat(keyIds("alice")).hasSize(2).contains(id);
        assertThat(f.iam(alice, "ListAccessKeys").toString()).contains(id);
        f.iam(root, "CreateUser", "UserName", "bob");
        f.iamFails(FailureKind.ACCESS_DENIED, alice, "CreateAccessKey", "UserName", "bob");
        assertThat(keyIds("bob")).isEmpty();
    }

    @Test
    void keysBelongToTheirOwner() {
        f.iam(root, "CreateUser", "UserName", "alice");
        f.iam(root, "CreateUser", "UserName", "bob");
        String id = f.iam(root, "CreateAccessKey", "UserName", "alice").text("AccessKey", "AccessKeyId");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "UpdateAccessKey", "UserName", "bob", "AccessKeyId", id,
                "Status", "Inactive");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "DeleteAccessKey", "AccessKeyId", id); // not a root key
        Principal other = f.account("other");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, other, "DeleteAccessKey", "UserName", "alice", "AccessKeyId", id);
        assertThat(f.iam.authenticate(id, null)).isPresent();
        f.iamFails(FailureKind.VALIDATION_ERROR, root, "UpdateAccessKey", "UserName", "alice", "AccessKeyId", id,
                "Status", "Paused");
    }

    @Test
    void rootKeysOfAnAccount() {
        IamResult created = f.iam(root, "CreateAccessKey");
        String id = created.text("AccessKey", "AccessKeyId");
        assertThat(created.text("AccessKey", "UserName")).isNull();
        Principal again = f.iam.authenticate(id, null).orElseThrow().principal();
        assertThat(again).isEqualTo(root);
        assertThat(again.arn()).isEqualTo("arn:aws:iam::" + root.accountId() + ":root");
        assertThat(again.name()).isEqualTo("acme");
        assertThat(again.userId()).isEqualTo(root.accountId());
        assertThat(keyIds(null)).hasSize(2);
        f.iamFails(FailureKind.LIMIT_EXCEEDED, root, "CreateAccessKey");
        f.iam(root, "DeleteAccessKey", "AccessKeyId", id);
        assertThat(f.iam.authenticate(id, null)).isEmpty();
    }

    @Test
    void authenticateUnknownSystemAndTokenMisuse() {
        assertThat(f.iam.authenticate("AKIAUNKNOWNUNKNOWN00", null)).isEmpty();
        assertThat(f.iam.authenticate(null, null)).isEmpty();
        Principal system = f.systemRoot();
        assertThat(system.kind()).isEqualTo(Principal.Kind.ACCOUNT_ROOT);
        assertThat(system.accountId()).isEqualTo("000000000000");
        assertThat(system.canonicalId()).isEqualTo("arca-root");
        assertThat(system.name()).isEqualTo("arca-root");
        assertThat(system.arn()).isEqualTo("arn:aws:iam::000000000000:root");
        assertThat(f.iam.authenticate(IamFixture.ROOT_ACCESS_KEY, null).orElseThrow().secretKey())
                .isEqualTo(IamFixture.ROOT_SECRET);
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(IamFixture.ROOT_ACCESS_KEY, "token"));
        String id = f.iam(root, "CreateAccessKey").text("AccessKey", "AccessKeyId");
        IamFixture.fails(FailureKind.INVALID_TOKEN, () -> f.iam.authenticate(id, "token"));
    }

    @Test
    void deletingAUserNeedsItsKeysPoliciesAndGroupsGoneFirst() {
        f.iam(root, "CreateUser", "UserName", "alice");
        String id = f.iam(root, "CreateAccessKey", "UserName", "alice").text("AccessKey", "AccessKeyId");
        assertThat(f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeleteUser", "UserName", "alice")).contains("access keys");
        f.iam(root, "DeleteAccessKey", "UserName", "alice", "AccessKeyId", id);
        f.iam(root, "PutUserPolicy", "UserName", "alice", "PolicyName", "p", "PolicyDocument", IamFixture.allow("s3:*", "*"));
        assertThat(f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeleteUser", "UserName", "alice")).contains("policies");
        f.iam(root, "DeleteUserPolicy", "UserName", "alice", "PolicyName", "p");
        f.iam(root, "CreateGroup", "GroupName", "g");
        f.iam(root, "AddUserToGroup", "GroupName", "g", "UserName", "alice");
        assertThat(f.iamFails(FailureKind.DELETE_CONFLICT, root, "DeleteUser", "UserName", "alice")).contains("group");
        f.iam(root, "RemoveUserFromGroup", "GroupName", "g", "UserName", "alice");
        f.iam(root, "DeleteUser", "UserName", "alice");
        f.iamFails(FailureKind.NO_SUCH_ENTITY, root, "GetUser", "UserName", "alice");
    }
}
