package dev.arca.iam;

import static dev.arca.iam.IdentityRecords.*;

import dev.arca.iam.IdentityState.AccountState;
import dev.arca.iam.IdentityState.Compiled;
import dev.arca.iam.IdentityState.GroupState;
import dev.arca.iam.IdentityState.Identity;
import dev.arca.iam.IdentityState.KeyState;
import dev.arca.iam.IdentityState.PolicyState;
import dev.arca.iam.IdentityState.RoleState;
import dev.arca.iam.IdentityState.UserState;

import dev.arca.meta.Decoder;
import dev.arca.meta.Encoder;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.policy.Policy;
import dev.arca.iam.policy.PolicyException;
import dev.arca.iam.policy.PolicyKind;
import dev.arca.meta.MetadataCorruptException;
import dev.arca.meta.kv.Bytes;
import dev.arca.meta.kv.Kv;
import dev.arca.meta.kv.KvBatch;
import dev.arca.meta.kv.KvCursor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Every account, user, key, group, role and policy, persisted in its own {@link Kv} (key space and
 * records: docs/FORMATS.md, "IAM master key and identity store") and held whole in memory, since
 * IAM data is small. Reads take a read lock; a change checks the in-memory state under the write
 * lock, writes one atomic synced batch, and only then updates memory, so a failed write changes
 * nothing. The domain rules that need atomicity (uniqueness, limits, delete conflicts) live here.
 * Active keys are also indexed in a concurrent map, so authentication takes no lock.
 *
 * <p>Names fold to lower case for uniqueness and lookup (IAM names are case-insensitive);
 * records keep them as given.
 */
final class IdentityStore {
    private static final System.Logger LOG = System.getLogger("arca.iam");
    static final int FORMAT_VERSION = 1;
    private static final String FORMAT_KEY = "format";

    /** Stands in for a stored document the engine no longer accepts: fail closed, never open. */
    private static final String DENY_ALL =
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
    private static final String DENY_ALL_TRUST =
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\"}]}";

    /** The three kinds of identity that carry inline and attached policies. */
    enum Holder {
        USER('u', "user", IamLimits.INLINE_CHARS_PER_USER),
        GROUP('g', "group", IamLimits.INLINE_CHARS_PER_GROUP),
        ROLE('r', "role", IamLimits.INLINE_CHARS_PER_ROLE);

        final byte code;
        final String noun;
        final int inlineChars;

        Holder(char code, String noun, int inlineChars) {
            this.code = (byte) code;
            this.noun = noun;
            this.inlineChars = inlineChars;
        }

        static Holder of(byte code) {
            for (Holder h : values()) {
                if (h.code == code) {
                    return h;
                }
            }
            throw new MetadataCorruptException("unknown IAM identity kind " + (char) code);
        }
    }

    /** An active key and what it authenticates as (its opened secret and principal). */
    record ActiveKey(AccessKey key, Iam.Authenticated authenticated) {}

    /** A role and its compiled trust policy. */
    record RoleTrust(Role role, Policy trust) {}

    private final Kv kv;
    private final SecretBox secrets;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    // Guarded by lock.
    private final TreeMap<String, AccountState> accounts = new TreeMap<>();
    private final Map<String, String> accountByCanonical = new HashMap<>();
    private final Map<String, String> accountByName = new HashMap<>();
    private final Map<String, KeyState> keys = new HashMap<>();
    // Written under the write lock, read without it.
    private final ConcurrentHashMap<String, ActiveKey> active = new ConcurrentHashMap<>();
    private volatile long generation;

    /**
     * Opens the store over {@code kv}, loading everything into memory; {@code secrets} seals and
     * opens access-key secrets.
     *
     * @throws MetadataCorruptException if a record is damaged or the format is newer than this code
     */
    IdentityStore(Kv kv, SecretBox secrets) {
        this.kv = kv;
        this.secrets = secrets;
        Account system = Account.system();
        accounts.put(system.id(), new AccountState(system));
        accountByCanonical.put(system.canonicalId(), system.id());
        accountByName.put(IamNames.fold(system.name()), system.id());
        checkFormat();
        load();
    }

    /** Closes the underlying store. */
    void close() {
        kv.close();
    }

    // ---------------------------------------------------------------- reads

    /** Bumped by every change: caches built from the store compare it to know they are current. */
    long generation() {
        return generation;
    }

    /** The active key {@code accessKeyId}, without locking; empty when unknown or inactive. */
    Optional<ActiveKey> activeKey(String accessKeyId) {
        return Optional.ofNullable(active.get(accessKeyId));
    }

    Optional<Account> account(String id) {
        return read(() -> Optional.ofNullable(accounts.get(id)).map(a -> a.account));
    }

    Optional<Account> accountByCanonicalId(String canonicalId) {
        return read(() -> Optional.ofNullable(accountByCanonical.get(canonicalId)).map(id -> accounts.get(id).account));
    }

    /** Every account, the system account included, by id. */
    List<Account> accounts() {
        return read(() -> accounts.values().stream().map(a -> a.account).toList());
    }

    Optional<User> user(String accountId, String name) {
        return read(() -> Optional.ofNullable(userState(accountId, name)).map(u -> u.user));
    }

    List<User> users(String accountId) {
        return read(() -> acct(accountId).users.values().stream().map(u -> u.user).toList());
    }

    Optional<Group> group(String accountId, String name) {
        return read(() -> Optional.ofNullable(acct(accountId).groups.get(IamNames.fold(name))).map(g -> g.group));
    }

    List<Group> groups(String accountId) {
        return read(() -> acct(accountId).groups.values().stream().map(g -> g.group).toList());
    }

    /** The groups {@code userName} is in, by name; NoSuchEntity if the user does not exist. */
    List<Group> groupsForUser(String accountId, String userName) {
        return read(() -> {
            AccountState a = acct(accountId);
            return requireUser(a, userName).groups.stream().map(g -> a.groups.get(g).group).toList();
        });
    }

    /** The members of {@code groupName}, by name; NoSuchEntity if the group does not exist. */
    List<User> groupMembers(String accountId, String groupName) {
        return read(() -> {
            AccountState a = acct(accountId);
            return requireGroup(a, groupName).members.stream().map(u -> a.users.get(u).user).toList();
        });
    }

    Optional<Role> role(String accountId, String name) {
        return roleTrust(accountId, name).map(RoleTrust::role);
    }

    Optional<RoleTrust> roleTrust(String accountId, String name) {
        return read(() -> Optional.ofNullable(acct(accountId).roles.get(IamNames.fold(name)))
                .map(r -> new RoleTrust(r.role, r.trust)));
    }

    List<Role> roles(String accountId) {
        return read(() -> acct(accountId).roles.values().stream().map(r -> r.role).toList());
    }

    Optional<ManagedPolicy> policy(String accountId, String name) {
        return read(() -> Optional.ofNullable(acct(accountId).policies.get(IamNames.fold(name))).map(p -> p.policy));
    }

    List<ManagedPolicy> policies(String accountId) {
        return read(() -> acct(accountId).policies.values().stream().map(p -> p.policy).toList());
    }

    /** How many users, groups and roles the policy is attached to (0 if there is no such policy). */
    int attachmentCount(String accountId, String policyName) {
        return read(() -> {
            PolicyState p = acct(accountId).policies.get(IamNames.fold(policyName));
            return p == null ? 0 : p.attachments;
        });
    }

    /** An inline policy of an identity; NoSuchEntity if the identity does not exist. */
    Optional<InlinePolicy> inlinePolicy(String accountId, Holder kind, String owner, String policyName) {
        return read(() -> Optional.ofNullable(identity(acct(accountId), kind, owner).inline.get(IamNames.fold(policyName)))
                .map(Compiled::policy));
    }

    /** An identity's inline policies by name; NoSuchEntity if the identity does not exist. */
    List<InlinePolicy> inlinePolicies(String accountId, Holder kind, String owner) {
        return read(() -> identity(acct(accountId), kind, owner).inline.values().stream().map(Compiled::policy).toList());
    }

    /** The managed policies attached to an identity, by name; NoSuchEntity if it does not exist. */
    List<ManagedPolicy> attachedPolicies(String accountId, Holder kind, String owner) {
        return read(() -> {
            AccountState a = acct(accountId);
            return identity(a, kind, owner).attached.stream().map(p -> a.policies.get(p).policy).toList();
        });
    }

    /** The keys of a user (or, with a null user, of the account root), by id; NoSuchEntity for an unknown user. */
    List<AccessKey> accessKeys(String accountId, String userName) {
        return read(() -> {
            AccountState a = acct(accountId);
            TreeSet<String> ids = userName == null ? a.rootKeys : requireUser(a, userName).keys;
            return ids.stream().map(id -> keys.get(id).key()).toList();
        });
    }

    Optional<AccessKey> accessKey(String accessKeyId) {
        return read(() -> Optional.ofNullable(keys.get(accessKeyId)).map(KeyState::key));
    }

    /**
     * The compiled identity policies of a user (its own and its groups') or of an assumed role's
     * role; empty for anyone else, or when the identity no longer exists.
     */
    List<Policy> identityPolicies(Principal p) {
        return read(() -> {
            AccountState a = accounts.get(p.accountId());
            if (a == null) {
                return List.of();
            }
            List<Policy> out = new ArrayList<>();
            switch (p.kind()) {
                case USER -> {
                    UserState u = a.users.get(IamNames.fold(p.name()));
                    if (u == null || !u.user.userId().equals(p.userId())) {
                        return List.of();
                    }
                    collect(a, u, out);
                    for (String g : u.groups) {
                        collect(a, a.groups.get(g), out);
                    }
                }
                case ASSUMED_ROLE -> {
                    RoleState r = a.roles.get(IamNames.fold(p.name()));
                    if (r == null || !p.userId().startsWith(r.role.roleId() + ":")) {
                        return List.of();
                    }
                    collect(a, r, out);
                }
                case ACCOUNT_ROOT, ANONYMOUS -> {
                    return List.of();
                }
            }
            return List.copyOf(out);
        });
    }

    private static void collect(AccountState a, Identity identity, List<Policy> out) {
        for (Compiled c : identity.inline.values()) {
            out.add(c.compiled());
        }
        for (String name : identity.attached) {
            out.add(a.policies.get(name).compiled);
        }
    }

    // ---------------------------------------------------------------- accounts

    /** Stores a new account and its first root key; the name must be unused. */
    void createAccount(Account account, AccessKey rootKey, String secret) {
        write(() -> {
            if (accounts.size() - 1 >= IamLimits.ACCOUNTS) {
                throw limit("Accounts", IamLimits.ACCOUNTS);
            }
            if (accountByName.containsKey(IamNames.fold(account.name()))) {
                throw exists("Account with name " + account.name() + " already exists.");
            }
            if (accounts.containsKey(account.id()) || accountByCanonical.containsKey(account.canonicalId())) {
                throw new IllegalStateException("account id collision"); // 10^12 ids: a bug or a broken entropy source
            }
            checkNewKeyId(rootKey.accessKeyId());
            KeyState k = new KeyState(rootKey, secret);
            KvBatch batch = new KvBatch()
                    .put(accountKey(account.id()), encodeAccount(account))
                    .put(accessKeyKey(rootKey.accessKeyId()), encodeKey(k));
            return Change.of(batch, () -> {
                AccountState a = new AccountState(account);
                accounts.put(account.id(), a);
                accountByCanonical.put(account.canonicalId(), account.id());
                accountByName.put(IamNames.fold(account.name()), account.id());
                addKey(a, k);
            });
        });
    }

    /** Deletes an account with no users, groups, roles or policies left, and its root keys. */
    void deleteAccount(String id) {
        write(() -> {
            if (Account.SYSTEM_ID.equals(id)) {
                throw IamNames.invalid("The system account cannot be deleted.");
            }
            AccountState a = accounts.get(id);
            if (a == null) {
                throw noSuch("The account with id " + id + " cannot be found.");
            }
            if (a.hasIdentities()) {
                throw conflict("Cannot delete account, must delete its users, groups, roles and policies first.");
            }
            KvBatch batch = new KvBatch().delete(accountKey(id));
            for (String keyId : a.rootKeys) {
                batch.delete(accessKeyKey(keyId));
            }
            return Change.of(batch, () -> {
                for (String keyId : a.rootKeys) {
                    keys.remove(keyId);
                    active.remove(keyId);
                }
                accounts.remove(id);
                accountByCanonical.remove(a.account.canonicalId());
                accountByName.remove(IamNames.fold(a.account.name()));
            });
        });
    }

    // ---------------------------------------------------------------- users

    void createUser(User user) {
        write(() -> {
            AccountState a = acct(user.accountId());
            String key = IamNames.fold(user.name());
            if (a.users.containsKey(key)) {
                throw exists("User with name " + user.name() + " already exists.");
            }
            if (a.users.size() >= IamLimits.USERS_PER_ACCOUNT) {
                throw limit("UsersPerAccount", IamLimits.USERS_PER_ACCOUNT);
            }
            return Change.of(new KvBatch().put(entityKey(K_USER, user.accountId(), user.name()), encodeUser(user)),
                    () -> a.users.put(key, new UserState(user)));
        });
    }

    /** Deletes a user that has no keys, policies or group memberships left (as IAM requires). */
    void deleteUser(String accountId, String name) {
        write(() -> {
            AccountState a = acct(accountId);
            UserState u = requireUser(a, name);
            if (!u.keys.isEmpty()) {
                throw conflict("Cannot delete entity, must delete access keys first.");
            }
            if (!u.inline.isEmpty()) {
                throw conflict("Cannot delete entity, must delete policies first.");
            }
            if (!u.attached.isEmpty()) {
                throw conflict("Cannot delete entity, must detach all policies first.");
            }
            if (!u.groups.isEmpty()) {
                throw conflict("Cannot delete entity, must remove user from all groups first.");
            }
            return Change.of(new KvBatch().delete(entityKey(K_USER, accountId, u.user.name())),
                    () -> a.users.remove(IamNames.fold(name)));
        });
    }

    // ---------------------------------------------------------------- groups

    void createGroup(Group group) {
        write(() -> {
            AccountState a = acct(group.accountId());
            String key = IamNames.fold(group.name());
            if (a.groups.containsKey(key)) {
                throw exists("Group with name " + group.name() + " already exists.");
            }
            if (a.groups.size() >= IamLimits.GROUPS_PER_ACCOUNT) {
                throw limit("GroupsPerAccount", IamLimits.GROUPS_PER_ACCOUNT);
            }
            return Change.of(new KvBatch().put(entityKey(K_GROUP, group.accountId(), group.name()), encodeGroup(group)),
                    () -> a.groups.put(key, new GroupState(group)));
        });
    }

    void deleteGroup(String accountId, String name) {
        write(() -> {
            AccountState a = acct(accountId);
            GroupState g = requireGroup(a, name);
            if (!g.members.isEmpty()) {
                throw conflict("Cannot delete entity, must remove users from group first.");
            }
            if (!g.inline.isEmpty()) {
                throw conflict("Cannot delete entity, must delete policies first.");
            }
            if (!g.attached.isEmpty()) {
                throw conflict("Cannot delete entity, must detach all policies first.");
            }
            return Change.of(new KvBatch().delete(entityKey(K_GROUP, accountId, g.group.name())),
                    () -> a.groups.remove(IamNames.fold(name)));
        });
    }

    /** Adds a user to a group; adding a member again changes nothing, as in IAM. */
    void addUserToGroup(String accountId, String groupName, String userName) {
        write(() -> {
            AccountState a = acct(accountId);
            GroupState g = requireGroup(a, groupName);
            UserState u = requireUser(a, userName);
            String gk = IamNames.fold(groupName);
            String uk = IamNames.fold(userName);
            if (u.groups.contains(gk)) {
                return Change.NONE;
            }
            if (u.groups.size() >= IamLimits.GROUPS_PER_USER) {
                throw limit("GroupsPerUser", IamLimits.GROUPS_PER_USER);
            }
            return Change.of(new KvBatch().put(memberKey(accountId, gk, uk), encodeMark(0)), () -> {
                u.groups.add(gk);
                g.members.add(uk);
            });
        });
    }

    void removeUserFromGroup(String accountId, String groupName, String userName) {
        write(() -> {
            AccountState a = acct(accountId);
            GroupState g = requireGroup(a, groupName);
            UserState u = requireUser(a, userName);
            String gk = IamNames.fold(groupName);
            String uk = IamNames.fold(userName);
            if (!u.groups.contains(gk)) {
                throw noSuch("User " + u.user.name() + " is not in group " + g.group.name() + ".");
            }
            return Change.of(new KvBatch().delete(memberKey(accountId, gk, uk)), () -> {
                u.groups.remove(gk);
                g.members.remove(uk);
            });
        });
    }

    // ---------------------------------------------------------------- roles

    void createRole(Role role, Policy trust) {
        write(() -> {
            AccountState a = acct(role.accountId());
            String key = IamNames.fold(role.name());
            if (a.roles.containsKey(key)) {
                throw exists("Role with name " + role.name() + " already exists.");
            }
            if (a.roles.size() >= IamLimits.ROLES_PER_ACCOUNT) {
                throw limit("RolesPerAccount", IamLimits.ROLES_PER_ACCOUNT);
            }
            return Change.of(new KvBatch().put(entityKey(K_ROLE, role.accountId(), role.name()), encodeRole(role)),
                    () -> a.roles.put(key, new RoleState(role, trust)));
        });
    }

    void deleteRole(String accountId, String name) {
        write(() -> {
            AccountState a = acct(accountId);
            RoleState r = requireRole(a, name);
            if (!r.inline.isEmpty()) {
                throw conflict("Cannot delete entity, must delete policies first.");
            }
            if (!r.attached.isEmpty()) {
                throw conflict("Cannot delete entity, must detach all policies first.");
            }
            return Change.of(new KvBatch().delete(entityKey(K_ROLE, accountId, r.role.name())),
                    () -> a.roles.remove(IamNames.fold(name)));
        });
    }

    void updateTrustPolicy(String accountId, String roleName, String document, Policy trust) {
        write(() -> {
            RoleState r = requireRole(acct(accountId), roleName);
            Role updated = r.role.withTrustPolicy(document);
            return Change.of(new KvBatch().put(entityKey(K_ROLE, accountId, updated.name()), encodeRole(updated)), () -> {
                r.role = updated;
                r.trust = trust;
            });
        });
    }

    // ---------------------------------------------------------------- managed policies

    void createPolicy(ManagedPolicy policy, Policy compiled) {
        write(() -> {
            AccountState a = acct(policy.accountId());
            String key = IamNames.fold(policy.name());
            if (a.policies.containsKey(key)) {
                throw exists("A policy called " + policy.name() + " already exists. Duplicate names are not allowed.");
            }
            if (a.policies.size() >= IamLimits.POLICIES_PER_ACCOUNT) {
                throw limit("PoliciesPerAccount", IamLimits.POLICIES_PER_ACCOUNT);
            }
            return Change.of(new KvBatch().put(entityKey(K_POLICY, policy.accountId(), policy.name()), encodePolicy(policy)),
                    () -> a.policies.put(key, new PolicyState(policy, compiled)));
        });
    }

    /** Deletes a managed policy attached to nothing; the ARN must be the policy's exactly. */
    void deletePolicy(String accountId, String policyArn) {
        write(() -> {
            AccountState a = acct(accountId);
            PolicyState p = requirePolicy(a, policyArn);
            if (p.attachments > 0) {
                throw conflict("Cannot delete a policy attached to entities.");
            }
            return Change.of(new KvBatch().delete(entityKey(K_POLICY, accountId, p.policy.name())),
                    () -> a.policies.remove(IamNames.fold(p.policy.name())));
        });
    }

    /** The managed policy with this ARN in the account; NoSuchEntity otherwise. */
    ManagedPolicy policyByArn(String accountId, String policyArn) {
        return read(() -> requirePolicy(acct(accountId), policyArn).policy);
    }

    /** Attaches a managed policy; attaching it again changes nothing, as in IAM. */
    void attachPolicy(String accountId, Holder kind, String owner, String policyArn) {
        write(() -> {
            AccountState a = acct(accountId);
            Identity identity = identity(a, kind, owner);
            PolicyState p = requirePolicy(a, policyArn);
            String pk = IamNames.fold(p.policy.name());
            if (identity.attached.contains(pk)) {
                return Change.NONE;
            }
            if (identity.attached.size() >= IamLimits.ATTACHED_POLICIES_PER_IDENTITY) {
                throw limit("PoliciesPer" + capitalized(kind.noun), IamLimits.ATTACHED_POLICIES_PER_IDENTITY);
            }
            return Change.of(new KvBatch().put(holderKey(K_ATTACHMENT, accountId, kind, owner, pk), encodeMark(0)), () -> {
                identity.attached.add(pk);
                p.attachments++;
            });
        });
    }

    void detachPolicy(String accountId, Holder kind, String owner, String policyArn) {
        write(() -> {
            AccountState a = acct(accountId);
            Identity identity = identity(a, kind, owner);
            PolicyState p = requirePolicy(a, policyArn);
            String pk = IamNames.fold(p.policy.name());
            if (!identity.attached.contains(pk)) {
                throw noSuch("Policy " + policyArn + " was not found.");
            }
            return Change.of(new KvBatch().delete(holderKey(K_ATTACHMENT, accountId, kind, owner, pk)), () -> {
                identity.attached.remove(pk);
                p.attachments--;
            });
        });
    }

    // ---------------------------------------------------------------- inline policies

    /** Adds or replaces an inline policy, within the identity's total inline size. */
    void putInlinePolicy(String accountId, Holder kind, String owner, InlinePolicy policy, Policy compiled) {
        write(() -> {
            Identity identity = identity(acct(accountId), kind, owner);
            String pk = IamNames.fold(policy.name());
            Compiled old = identity.inline.get(pk);
            int total = identity.inlineChars() - (old == null ? 0 : IdentityState.nonWhitespace(old.policy().document()))
                    + IdentityState.nonWhitespace(policy.document());
            if (total > kind.inlineChars) {
                throw limit("Maximum policy size of " + kind.inlineChars + " bytes exceeded for " + kind.noun + " " + owner);
            }
            return Change.of(new KvBatch().put(holderKey(K_INLINE, accountId, kind, owner, pk), encodeInline(policy)),
                    () -> identity.inline.put(pk, new Compiled(policy, compiled)));
        });
    }

    void deleteInlinePolicy(String accountId, Holder kind, String owner, String policyName) {
        write(() -> {
            Identity identity = identity(acct(accountId), kind, owner);
            String pk = IamNames.fold(policyName);
            if (!identity.inline.containsKey(pk)) {
                throw noSuch(noSuchInline(kind, policyName));
            }
            return Change.of(new KvBatch().delete(holderKey(K_INLINE, accountId, kind, owner, pk)),
                    () -> identity.inline.remove(pk));
        });
    }

    static String noSuchInline(Holder kind, String policyName) {
        return "The " + kind.noun + " policy with name " + policyName + " cannot be found.";
    }

    // ---------------------------------------------------------------- access keys

    /** Stores a new key of a user (or of the account root, when the key names no user). */
    void createAccessKey(AccessKey key, String secret) {
        write(() -> {
            AccountState a = acct(key.accountId());
            TreeSet<String> owned = key.isRootKey() ? a.rootKeys : requireUser(a, key.userName()).keys;
            if (owned.size() >= IamLimits.ACCESS_KEYS_PER_USER) {
                throw limit("AccessKeysPerUser", IamLimits.ACCESS_KEYS_PER_USER);
            }
            checkNewKeyId(key.accessKeyId());
            KeyState k = new KeyState(key, secret);
            return Change.of(new KvBatch().put(accessKeyKey(key.accessKeyId()), encodeKey(k)), () -> addKey(a, k));
        });
    }

    /** Sets a key's status; the key must belong to {@code userName} (null: the account root). */
    void updateAccessKey(String accountId, String userName, String accessKeyId, AccessKey.Status status) {
        write(() -> {
            AccountState a = acct(accountId);
            KeyState k = requireOwnKey(a, userName, accessKeyId);
            KeyState updated = new KeyState(k.key().withStatus(status), k.secret());
            return Change.of(new KvBatch().put(accessKeyKey(accessKeyId), encodeKey(updated)), () -> {
                keys.put(accessKeyId, updated);
                index(a, updated);
            });
        });
    }

    void deleteAccessKey(String accountId, String userName, String accessKeyId) {
        write(() -> {
            AccountState a = acct(accountId);
            KeyState k = requireOwnKey(a, userName, accessKeyId);
            return Change.of(new KvBatch().delete(accessKeyKey(accessKeyId)), () -> {
                keys.remove(accessKeyId);
                active.remove(accessKeyId);
                (k.key().isRootKey() ? a.rootKeys : a.users.get(IamNames.fold(k.key().userName())).keys).remove(accessKeyId);
            });
        });
    }

    /** Whether {@code accessKeyId} is taken (tests and the id generator's collision check). */
    boolean keyIdTaken(String accessKeyId) {
        return read(() -> keys.containsKey(accessKeyId));
    }

    private void checkNewKeyId(String accessKeyId) {
        if (keys.containsKey(accessKeyId)) {
            throw new IllegalStateException("access key id collision"); // 32^16 ids: a bug or broken entropy
        }
    }

    private KeyState requireOwnKey(AccountState a, String userName, String accessKeyId) {
        KeyState k = keys.get(accessKeyId);
        boolean owned = k != null && k.key().accountId().equals(a.account.id())
                && (userName == null ? k.key().isRootKey()
                        : !k.key().isRootKey() && IamNames.fold(userName).equals(IamNames.fold(k.key().userName())));
        if (!owned) {
            if (userName != null) {
                requireUser(a, userName);
            }
            throw noSuch("The Access Key with id " + accessKeyId + " cannot be found.");
        }
        return k;
    }

    private void addKey(AccountState a, KeyState k) {
        keys.put(k.key().accessKeyId(), k);
        (k.key().isRootKey() ? a.rootKeys : a.users.get(IamNames.fold(k.key().userName())).keys).add(k.key().accessKeyId());
        index(a, k);
    }

    private void index(AccountState a, KeyState k) {
        if (k.key().status() != AccessKey.Status.ACTIVE) {
            active.remove(k.key().accessKeyId());
            return;
        }
        Principal p = k.key().isRootKey()
                ? a.account.rootPrincipal()
                : Iam.userPrincipal(a.account, a.users.get(IamNames.fold(k.key().userName())).user);
        active.put(k.key().accessKeyId(), new ActiveKey(k.key(), new Iam.Authenticated(k.secret(), p)));
    }

    // ---------------------------------------------------------------- lookups (lock held)

    private AccountState acct(String accountId) {
        AccountState a = accounts.get(accountId);
        if (a == null) {
            throw noSuch("The account with id " + accountId + " cannot be found.");
        }
        return a;
    }

    private UserState userState(String accountId, String name) {
        AccountState a = accounts.get(accountId);
        return a == null ? null : a.users.get(IamNames.fold(name));
    }

    private static UserState requireUser(AccountState a, String name) {
        UserState u = a.users.get(IamNames.fold(name));
        if (u == null) {
            throw noSuch("The user with name " + name + " cannot be found.");
        }
        return u;
    }

    private static GroupState requireGroup(AccountState a, String name) {
        GroupState g = a.groups.get(IamNames.fold(name));
        if (g == null) {
            throw noSuch("The group with name " + name + " cannot be found.");
        }
        return g;
    }

    private static RoleState requireRole(AccountState a, String name) {
        RoleState r = a.roles.get(IamNames.fold(name));
        if (r == null) {
            throw noSuch("The role with name " + name + " cannot be found.");
        }
        return r;
    }

    private static PolicyState requirePolicy(AccountState a, String arn) {
        int slash = arn.lastIndexOf('/');
        PolicyState p = slash < 0 ? null : a.policies.get(IamNames.fold(arn.substring(slash + 1)));
        if (p == null || !p.policy.arn().equals(arn)) {
            throw noSuch("Policy " + arn + " does not exist or is not attachable.");
        }
        return p;
    }

    private static Identity identity(AccountState a, Holder kind, String name) {
        return switch (kind) {
            case USER -> requireUser(a, name);
            case GROUP -> requireGroup(a, name);
            case ROLE -> requireRole(a, name);
        };
    }

    // ---------------------------------------------------------------- locking and writing

    private <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try {
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A checked change: the batch to write and how memory changes once it is written. */
    private record Change(KvBatch batch, Runnable apply) {
        static final Change NONE = new Change(new KvBatch(), () -> {});

        static Change of(KvBatch batch, Runnable apply) {
            return new Change(batch, apply);
        }
    }

    /**
     * Checks and plans a change under the write lock, writes its batch (synced), then applies it
     * to memory. A check that fails throws before anything is written.
     */
    private void write(Supplier<Change> plan) {
        lock.writeLock().lock();
        try {
            Change change = plan.get();
            if (change.batch.isEmpty()) {
                return;
            }
            kv.write(change.batch, true);
            change.apply.run();
            generation++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- access key records (sealed secrets)

    private byte[] encodeKey(KeyState k) {
        AccessKey key = k.key();
        byte[] sealed = secrets.seal(utf8(k.secret()), utf8(key.accessKeyId()));
        return new Encoder(R_ACCESS_KEY, V1).str(key.accessKeyId()).str(key.accountId()).optStr(key.userName())
                .u8(key.status().ordinal()).i64(key.createdMillis()).bytes(sealed).finish();
    }

    private KeyState decodeKey(byte[] record) {
        Decoder r = new Decoder(record, R_ACCESS_KEY, V1);
        String id = r.str();
        String accountId = r.str();
        String userName = r.optStr();
        int status = r.u8();
        long created = r.i64();
        byte[] sealed = r.bytes();
        r.done();
        if (status >= AccessKey.Status.values().length) {
            throw new MetadataCorruptException("access key " + id + " has unknown status " + status);
        }
        byte[] plain;
        try {
            plain = secrets.open(sealed, utf8(id));
        } catch (SecretBox.BrokenSealException e) {
            throw new MetadataCorruptException("the secret of access key " + id
                    + " does not open: wrong IAM master key, or a damaged record");
        }
        String secret = new String(plain, StandardCharsets.UTF_8);
        Arrays.fill(plain, (byte) 0);
        return new KeyState(new AccessKey(id, accountId, userName, AccessKey.Status.values()[status], created), secret);
    }

    // ---------------------------------------------------------------- loading

    private void checkFormat() {
        byte[] stored = kv.get(systemKey(FORMAT_KEY));
        if (stored == null) {
            try (KvCursor any = kv.scan(Bytes.EMPTY, null)) {
                if (any.next()) {
                    throw new MetadataCorruptException("identity store has data but no format record");
                }
            }
            kv.write(new KvBatch().put(systemKey(FORMAT_KEY), encodeMark(FORMAT_VERSION)), true);
            return;
        }
        long version = decodeMark(stored);
        if (version != FORMAT_VERSION) {
            throw new MetadataCorruptException("identity store format " + version + " is not supported (this build reads "
                    + FORMAT_VERSION + ")");
        }
    }

    /** Reads every record, then links them in dependency order (the key order is not that order). */
    private void load() {
        Map<Byte, List<byte[][]>> byTag = new HashMap<>();
        try (KvCursor c = kv.scan(Bytes.EMPTY, null)) {
            while (c.next()) {
                byte[] key = c.key();
                if (key.length == 0) {
                    throw new MetadataCorruptException("empty key in identity store");
                }
                byTag.computeIfAbsent(key[0], t -> new ArrayList<>()).add(new byte[][] {key, c.value()});
            }
        }
        for (byte[][] e : entries(byTag, K_ACCOUNT)) {
            Account account = decodeAccount(e[1]);
            accounts.put(account.id(), new AccountState(account));
            accountByCanonical.put(account.canonicalId(), account.id());
            accountByName.put(IamNames.fold(account.name()), account.id());
        }
        for (byte[][] e : entries(byTag, K_USER)) {
            User u = decodeUser(e[1]);
            loaded(u.accountId()).users.put(IamNames.fold(u.name()), new UserState(u));
        }
        for (byte[][] e : entries(byTag, K_GROUP)) {
            Group g = decodeGroup(e[1]);
            loaded(g.accountId()).groups.put(IamNames.fold(g.name()), new GroupState(g));
        }
        for (byte[][] e : entries(byTag, K_ROLE)) {
            Role role = decodeRole(e[1]);
            Policy trust = compile(role.trustPolicy(), PolicyKind.TRUST, role.arn() + " trust policy");
            loaded(role.accountId()).roles.put(IamNames.fold(role.name()), new RoleState(role, trust));
        }
        for (byte[][] e : entries(byTag, K_POLICY)) {
            ManagedPolicy p = decodePolicy(e[1]);
            loaded(p.accountId()).policies.put(IamNames.fold(p.name()),
                    new PolicyState(p, compile(p.document(), PolicyKind.MANAGED, p.arn())));
        }
        for (byte[][] e : entries(byTag, K_ACCESS_KEY)) {
            KeyState k = decodeKey(e[1]);
            AccountState a = loaded(k.key().accountId());
            if (!k.key().isRootKey() && !a.users.containsKey(IamNames.fold(k.key().userName()))) {
                throw new MetadataCorruptException("access key " + k.key().accessKeyId() + " of a missing user");
            }
            addKey(a, k);
        }
        for (byte[][] e : entries(byTag, K_INLINE)) {
            String[] parts = holderParts(e[0]);
            InlinePolicy p = decodeInline(e[1]);
            Holder kind = Holder.of((byte) parts[1].charAt(0));
            Identity identity = loadedIdentity(parts[0], kind, parts[2]);
            identity.inline.put(IamNames.fold(p.name()),
                    new Compiled(p, compile(p.document(), PolicyKind.INLINE, kind.noun + " " + parts[2] + " policy " + p.name())));
        }
        for (byte[][] e : entries(byTag, K_ATTACHMENT)) {
            String[] parts = holderParts(e[0]);
            Identity identity = loadedIdentity(parts[0], Holder.of((byte) parts[1].charAt(0)), parts[2]);
            PolicyState p = loaded(parts[0]).policies.get(parts[3]);
            if (p == null) {
                throw new MetadataCorruptException("attachment of a missing policy " + parts[3]);
            }
            decodeMark(e[1]);
            identity.attached.add(parts[3]);
            p.attachments++;
        }
        for (byte[][] e : entries(byTag, K_MEMBER)) {
            String[] parts = components(e[0]);
            AccountState a = loaded(parts.length == 3 ? parts[0] : "");
            GroupState g = a.groups.get(parts[1]);
            UserState u = a.users.get(parts[2]);
            if (g == null || u == null) {
                throw new MetadataCorruptException("group membership of a missing user or group");
            }
            decodeMark(e[1]);
            g.members.add(parts[2]);
            u.groups.add(parts[1]);
        }
        for (Byte tag : byTag.keySet()) {
            if (tag != K_SYSTEM && tag != K_ACCOUNT && tag != K_USER && tag != K_GROUP && tag != K_ROLE && tag != K_POLICY
                    && tag != K_ACCESS_KEY && tag != K_INLINE && tag != K_ATTACHMENT && tag != K_MEMBER) {
                throw new MetadataCorruptException("unknown key tag " + (char) tag.byteValue() + " in identity store");
            }
        }
    }

    private static List<byte[][]> entries(Map<Byte, List<byte[][]>> byTag, byte tag) {
        return byTag.getOrDefault(tag, List.of());
    }

    private static String[] holderParts(byte[] key) {
        String[] parts = components(key);
        if (parts.length != 4 || parts[1].length() != 1) {
            throw new MetadataCorruptException("malformed IAM key " + new String(key, StandardCharsets.UTF_8));
        }
        return parts;
    }

    private AccountState loaded(String accountId) {
        AccountState a = accounts.get(accountId);
        if (a == null) {
            throw new MetadataCorruptException("IAM record of a missing account " + accountId);
        }
        return a;
    }

    private Identity loadedIdentity(String accountId, Holder kind, String folded) {
        AccountState a = loaded(accountId);
        Identity identity = switch (kind) {
            case USER -> a.users.get(folded);
            case GROUP -> a.groups.get(folded);
            case ROLE -> a.roles.get(folded);
        };
        if (identity == null) {
            throw new MetadataCorruptException("IAM policy of a missing " + kind.noun + " " + folded);
        }
        return identity;
    }

    /**
     * Compiles a stored document. One the engine rejects now (it was accepted when stored, so the
     * engine changed) becomes a deny-all policy: access narrows, never widens, and the log says so.
     */
    private static Policy compile(String document, PolicyKind kind, String what) {
        try {
            return Policy.parse(document, kind);
        } catch (PolicyException e) {
            LOG.log(System.Logger.Level.WARNING, "stored IAM policy of {0} no longer parses ({1}); it denies everything"
                    + " until it is replaced", what, e.getMessage());
            return Policy.parse(kind == PolicyKind.TRUST ? DENY_ALL_TRUST : DENY_ALL, kind);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static StoreException noSuch(String message) {
        return StoreException.of(FailureKind.NO_SUCH_ENTITY, message);
    }

    private static StoreException exists(String message) {
        return StoreException.of(FailureKind.ENTITY_ALREADY_EXISTS, message);
    }

    private static StoreException conflict(String message) {
        return StoreException.of(FailureKind.DELETE_CONFLICT, message);
    }

    private static StoreException limit(String quota, int value) {
        return StoreException.of(FailureKind.LIMIT_EXCEEDED, "Cannot exceed quota for " + quota + ": " + value);
    }

    private static StoreException limit(String message) {
        return StoreException.of(FailureKind.LIMIT_EXCEEDED, message);
    }
}
