package dev.arca.iam;

import dev.arca.meta.Decoder;
import dev.arca.meta.Encoder;
import dev.arca.meta.kv.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The identity store's key space and record encodings (docs/FORMATS.md, "IAM master key and
 * identity store"). Access-key records, whose secrets are sealed, are encoded by
 * {@link IdentityStore} itself, which holds the sealing box.
 */
final class IdentityRecords {
    private IdentityRecords() {}

    // Key tags (first byte of every key).
    static final byte K_SYSTEM = 'S';
    static final byte K_ACCOUNT = 'A';
    static final byte K_ACCESS_KEY = 'K';
    static final byte K_USER = 'U';
    static final byte K_GROUP = 'G';
    static final byte K_ROLE = 'R';
    static final byte K_POLICY = 'M';
    static final byte K_INLINE = 'I';
    static final byte K_ATTACHMENT = 'T';
    static final byte K_MEMBER = 'N';
    static final byte SEP = 0;

    // Record tags (first byte of every value) and their current versions.
    static final byte R_ACCOUNT = 'a';
    static final byte R_ACCESS_KEY = 'k';
    static final byte R_USER = 'u';
    static final byte R_GROUP = 'g';
    static final byte R_ROLE = 'r';
    static final byte R_POLICY = 'p';
    static final byte R_INLINE = 'i';
    static final byte R_MARK = 'm';
    static final byte V1 = 1;

    // ---------------------------------------------------------------- key space

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sep() {
        return new byte[] {SEP};
    }

    static byte[] systemKey(String name) {
        return Bytes.concat(new byte[] {K_SYSTEM}, utf8(name));
    }

    static byte[] accountKey(String id) {
        return Bytes.concat(new byte[] {K_ACCOUNT}, utf8(id));
    }

    static byte[] accessKeyKey(String id) {
        return Bytes.concat(new byte[] {K_ACCESS_KEY}, utf8(id));
    }

    /** TAG account \0 folded-name: a user, group, role or managed policy. */
    static byte[] entityKey(byte tag, String accountId, String name) {
        return Bytes.concat(new byte[] {tag}, utf8(accountId), sep(), utf8(IamNames.fold(name)));
    }

    /** TAG account \0 kind \0 folded-owner \0 folded-policy: an inline policy or an attachment. */
    static byte[] holderKey(byte tag, String accountId, IdentityStore.Holder kind, String owner, String foldedPolicy) {
        return Bytes.concat(new byte[] {tag}, utf8(accountId), sep(), new byte[] {kind.code}, sep(),
                utf8(IamNames.fold(owner)), sep(), utf8(foldedPolicy));
    }

    /** N account \0 folded-group \0 folded-user: a group membership. */
    static byte[] memberKey(String accountId, String foldedGroup, String foldedUser) {
        return Bytes.concat(new byte[] {K_MEMBER}, utf8(accountId), sep(), utf8(foldedGroup), sep(), utf8(foldedUser));
    }

    /** The key's components after its tag, split at NUL. */
    static String[] components(byte[] key) {
        List<String> parts = new ArrayList<>(4);
        int start = 1;
        for (int i = 1; i <= key.length; i++) {
            if (i == key.length || key[i] == SEP) {
                parts.add(new String(key, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return parts.toArray(String[]::new);
    }

    // ---------------------------------------------------------------- records

    static byte[] encodeMark(long value) {
        return new Encoder(R_MARK, V1).i64(value).finish();
    }

    static long decodeMark(byte[] record) {
        Decoder r = new Decoder(record, R_MARK, V1);
        long v = r.i64();
        r.done();
        return v;
    }

    static byte[] encodeAccount(Account a) {
        return new Encoder(R_ACCOUNT, V1).str(a.id()).str(a.name()).str(a.canonicalId()).i64(a.createdMillis()).finish();
    }

    static Account decodeAccount(byte[] record) {
        Decoder r = new Decoder(record, R_ACCOUNT, V1);
        Account a = new Account(r.str(), r.str(), r.str(), r.i64());
        r.done();
        return a;
    }

    static byte[] encodeUser(User u) {
        return new Encoder(R_USER, V1).str(u.accountId()).str(u.name()).str(u.userId()).str(u.path())
                .i64(u.createdMillis()).finish();
    }

    static User decodeUser(byte[] record) {
        Decoder r = new Decoder(record, R_USER, V1);
        User u = new User(r.str(), r.str(), r.str(), r.str(), r.i64());
        r.done();
        return u;
    }

    static byte[] encodeGroup(Group g) {
        return new Encoder(R_GROUP, V1).str(g.accountId()).str(g.name()).str(g.groupId()).str(g.path())
                .i64(g.createdMillis()).finish();
    }

    static Group decodeGroup(byte[] record) {
        Decoder r = new Decoder(record, R_GROUP, V1);
        Group g = new Group(r.str(), r.str(), r.str(), r.str(), r.i64());
        r.done();
        return g;
    }

    static byte[] encodeRole(Role role) {
        return new Encoder(R_ROLE, V1).str(role.accountId()).str(role.name()).str(role.roleId()).str(role.path())
                .str(role.trustPolicy()).varint(role.maxSessionDurationSeconds()).optStr(role.description())
                .i64(role.createdMillis()).finish();
    }

    static Role decodeRole(byte[] record) {
        Decoder r = new Decoder(record, R_ROLE, V1);
        Role role = new Role(r.str(), r.str(), r.str(), r.str(), r.str(), r.varint32(), r.optStr(), r.i64());
        r.done();
        return role;
    }

    static byte[] encodePolicy(ManagedPolicy p) {
        return new Encoder(R_POLICY, V1).str(p.accountId()).str(p.name()).str(p.policyId()).str(p.path())
                .str(p.document()).optStr(p.description()).i64(p.createdMillis()).finish();
    }

    static ManagedPolicy decodePolicy(byte[] record) {
        Decoder r = new Decoder(record, R_POLICY, V1);
        ManagedPolicy p = new ManagedPolicy(r.str(), r.str(), r.str(), r.str(), r.str(), r.optStr(), r.i64());
        r.done();
        return p;
    }

    static byte[] encodeInline(InlinePolicy p) {
        return new Encoder(R_INLINE, V1).str(p.name()).str(p.document()).finish();
    }

    static InlinePolicy decodeInline(byte[] record) {
        Decoder r = new Decoder(record, R_INLINE, V1);
        InlinePolicy p = new InlinePolicy(r.str(), r.str());
        r.done();
        return p;
    }
}
