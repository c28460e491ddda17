package dev.arca.iam;

import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.policy.Decision;
import dev.arca.iam.policy.Policy;
import dev.arca.meta.kv.Kv;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Identity and access for the server and the S3 layer: authenticates access keys and STS session
 * tokens, supplies each principal's compiled identity policies, and manages accounts. Thread-safe.
 * IAM and STS actions go through {@link IamService}.
 *
 * <p>The system account ({@link Account#SYSTEM_ID}, canonical id "arca-root") always exists and
 * is never stored; its root key is the server's root credential, passed in at open and never
 * stored either. Every other account, and every user, key, group, role and policy, is kept in
 * the identity store. Access-key secrets are stored sealed under a key derived from the master
 * key; session tokens are sealed under another.
 */
public final class Iam implements AutoCloseable {
    /** Derivation label of the key that seals stored access-key secrets. */
    static final String SECRETS_PURPOSE = "access-key-secrets-v1";
    /** Derivation label of the key that seals STS session tokens. */
    static final String TOKENS_PURPOSE = "sts-session-tokens-v1";
    /** Session tokens whose opening is remembered; beyond this the cache starts over. */
    static final int MAX_CACHED_SESSIONS = 10_000;
    /** Identities whose compiled policy lists are remembered; beyond this the cache starts over. */
    static final int MAX_CACHED_POLICY_SETS = 20_000;

    /**
     * What an access key authenticates as: the secret that verifies its signatures, and the
     * principal its requests act for. {@link #toString()} never shows the secret.
     */
    public record Authenticated(String secretKey, Principal principal) {
        public Authenticated {
            Objects.requireNonNull(secretKey, "secretKey");
            Objects.requireNonNull(principal, "principal");
        }

        @Override
        public String toString() {
            return "Authenticated[" + principal + ", secretKey=<redacted>]";
        }
    }

    /** A new account and its root user's first access key; the secret is shown this once. */
    public record AccountCreated(Account account, String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "AccountCreated[" + account + ", accessKeyId=" + accessKeyId + ", secretAccessKey=<redacted>]";
        }
    }

    /** Temporary credentials issued by AssumeRole. */
    record IssuedSession(String accessKeyId, String secretAccessKey, String sessionToken, long expiryMillis,
            Principal principal) {
        @Override
        public String toString() {
            return "IssuedSession[" + accessKeyId + ", " + principal + ", secret=<redacted>]";
        }
    }

    private static final Pattern ACCOUNT_ID = Pattern.compile("[0-9]{12}");
    private static final Pattern PRINCIPAL_ARN = Pattern.compile("arn:aws:(iam|sts)::([0-9]{12}):(.+)");

    private record CachedSession(byte[] token, Authenticated authenticated, long expiryMillis, long generation,
            SessionTokens.Session session) {}

    private record CachedPolicies(long generation, List<Policy> policies) {}

    private final IdentityStore store;
    private final SessionTokens tokens;
    private final InstantSource clock;
    private final IamIds ids;
    private final String systemRootAccessKey;
    private final Authenticated systemRoot;
    private final ConcurrentHashMap<String, CachedSession> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CachedPolicies> policyCache = new ConcurrentHashMap<>();
    private volatile AuthorizationListener listener = AuthorizationListener.NONE;

    private Iam(IdentityStore store, SessionTokens tokens, InstantSource clock, IamIds ids, String systemRootAccessKey,
            String systemRootSecret) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
        this.ids = ids;
        this.systemRootAccessKey = systemRootAccessKey;
        this.systemRoot = systemRootAccessKey == null ? null
                : new Authenticated(systemRootSecret, Account.system().rootPrincipal());
    }

    /**
     * Opens IAM over its own store (the server opens a RocksKv at {@code <data>/iam}; this then
     * owns it and closes it in {@link #close()}), loading every identity into memory.
     *
     * @param box                 a box under the master key ({@link MasterKey#box}); the keys that seal
     *                            secrets and tokens are derived from it
     * @param systemRootAccessKey the server's root access key, of the system account; null for none
     * @param systemRootSecret    its secret; null exactly when the key is
     * @throws dev.arca.meta.MetadataCorruptException if the store is damaged or was sealed under another master key
     */
    public static Iam open(Kv kv, SecretBox box, InstantSource clock, Entropy entropy, String systemRootAccessKey,
            String systemRootSecret) {
        if ((systemRootAccessKey == null) != (systemRootSecret == null)) {
            throw new IllegalArgumentException("give both the system root access key and its secret, or neither");
        }
        IdentityStore store = new IdentityStore(kv, box.derive(SECRETS_PURPOSE));
        if (systemRootAccessKey != null && store.keyIdTaken(systemRootAccessKey)) {
            throw new IllegalStateException("the system root access key is also an IAM access key");
        }
        return new Iam(store, new SessionTokens(box.derive(TOKENS_PURPOSE)), clock, new IamIds(entropy),
                systemRootAccessKey, systemRootSecret);
    }

    /** The system account's root principal: what the server's root credentials act as. */
    public static Principal systemRootPrincipal() {
        return Account.system().rootPrincipal();
    }

    // ---------------------------------------------------------------- authentication

    /**
     * What {@code accessKeyId} authenticates as. A map lookup for long-term keys; a temporary key
     * (ASIA…) is checked against its session token, and the token's opening is cached.
     *
     * @param sessionToken the request's X-Amz-Security-Token, or null if it had none
     * @return empty for an unknown or inactive key
     * @throws StoreException INVALID_TOKEN for a temporary key without a valid token (altered,
     *                        foreign, for another key, of a deleted role or account), or a
     *                        long-term key with a token; EXPIRED_TOKEN for an expired one
     */
    public Optional<Authenticated> authenticate(String accessKeyId, String sessionToken) {
        if (accessKeyId == null) {
            return Optional.empty();
        }
        // The root key comes first: its form is free, so it may even look like a temporary key.
        if (systemRoot != null && systemRootAccessKey.equals(accessKeyId)) {
            if (sessionToken != null) {
                throw SessionTokens.invalid();
            }
            return Optional.of(systemRoot);
        }
        if (accessKeyId.startsWith(IamIds.TEMPORARY_KEY_PREFIX)) {
            return Optional.of(session(accessKeyId, sessionToken));
        }
        IdentityStore.ActiveKey key = store.activeKey(accessKeyId).orElse(null);
        if (key == null) {
            return Optional.empty();
        }
        if (sessionToken != null) {
            throw SessionTokens.invalid();
        }
        return Optional.of(key.authenticated());
    }

    private Authenticated session(String accessKeyId, String sessionToken) {
        if (sessionToken == null) {
            throw SessionTokens.invalid();
        }
        long now = clock.millis();
        long generation = store.generation();
        byte[] tokenBytes = sessionToken.getBytes(StandardCharsets.UTF_8);
        CachedSession cached = sessions.get(accessKeyId);
        if (cached != null && MessageDigest.isEqual(cached.token, tokenBytes)) {
            if (now >= cached.expiryMillis) {
                sessions.remove(accessKeyId, cached);
                throw SessionTokens.expired();
            }
            if (cached.generation == generation) {
                return cached.authenticated;
            }
            // The store changed since: the role may be gone. Check again (cheap: no decryption).
            Authenticated auth;
            try {
                auth = resolve(cached.session);
            } catch (StoreException e) {
                sessions.remove(accessKeyId, cached);
                throw e;
            }
            sessions.put(accessKeyId, new CachedSession(cached.token, auth, cached.expiryMillis, generation, cached.session));
            return auth;
        }
        SessionTokens.Session s = tokens.open(sessionToken);
        if (!s.accessKeyId().equals(accessKeyId)) {
            throw SessionTokens.invalid();
        }
        if (now >= s.expiryMillis()) {
            throw SessionTokens.expired();
        }
        Authenticated auth = resolve(s);
        if (sessions.size() >= MAX_CACHED_SESSIONS) {
            sessions.clear();
        }
        sessions.put(accessKeyId, new CachedSession(tokenBytes, auth, s.expiryMillis(), generation, s));
        return auth;
    }

    /** The principal of a session whose role (the same role, not a namesake) still exists. */
    private Authenticated resolve(SessionTokens.Session s) {
        Account account = store.account(s.accountId()).orElseThrow(SessionTokens::invalid);
        Role role = store.role(s.accountId(), s.roleName()).orElseThrow(SessionTokens::invalid);
        if (!role.roleId().equals(s.roleId())) {
            throw SessionTokens.invalid();
        }
        return new Authenticated(s.secret(), sessionPrincipal(account, role, s.sessionName()));
    }

    // ---------------------------------------------------------------- policies and accounts

    /**
     * The compiled identity policies of a principal: a user's inline and attached policies and
     * those of its groups; an assumed role's role's inline and attached policies; nothing for an
     * account root or anonymous. Cached until the store changes.
     */
    public List<Policy> identityPolicies(Principal p) {
        String key = switch (p.kind()) {
            case USER -> p.userId();
            case ASSUMED_ROLE -> {
                int colon = p.userId().indexOf(':');
                yield colon < 0 ? p.userId() : p.userId().substring(0, colon);
            }
            case ACCOUNT_ROOT, ANONYMOUS -> null;
        };
        if (key == null) {
            return List.of();
        }
        long generation = store.generation();
        CachedPolicies cached = policyCache.get(key);
        if (cached != null && cached.generation == generation) {
            return cached.policies;
        }
        List<Policy> policies = store.identityPolicies(p);
        if (policyCache.size() >= MAX_CACHED_POLICY_SETS) {
            policyCache.clear();
        }
        // Tagged with the generation read before the store was: a change in between only makes it stale sooner.
        policyCache.put(key, new CachedPolicies(generation, policies));
        return policies;
    }

    public Optional<Account> account(String id) {
        return store.account(id);
    }

    public Optional<Account> accountByCanonicalId(String canonicalId) {
        return store.accountByCanonicalId(canonicalId);
    }

    /** Every account, the system account included, ordered by id. */
    public List<Account> accounts() {
        return store.accounts();
    }

    /**
     * Creates an account (for the admin API: the caller checks that it is the system root) with
     * a root access key, whose secret is returned this once.
     *
     * @throws StoreException VALIDATION_ERROR for a bad name, ENTITY_ALREADY_EXISTS for a taken
     *                        one, LIMIT_EXCEEDED past {@link IamLimits#ACCOUNTS}
     */
    public AccountCreated createAccount(String name) {
        IamNames.accountName(name);
        String id;
        do {
            id = ids.accountId();
        } while (store.account(id).isPresent());
        Account account = new Account(id, name, ids.canonicalId(), clock.millis());
        AccessKey key = new AccessKey(newAccessKeyId(), id, null, AccessKey.Status.ACTIVE, clock.millis());
        String secret = ids.secret();
        store.createAccount(account, key, secret);
        return new AccountCreated(account, key.accessKeyId(), secret);
    }

    /**
     * Deletes an account that has no users, groups, roles or managed policies left, with its root
     * keys. The caller checks that it owns no buckets.
     *
     * @throws StoreException NO_SUCH_ENTITY, DELETE_CONFLICT, or VALIDATION_ERROR for the system account
     */
    public void deleteAccount(String id) {
        store.deleteAccount(id);
    }

    /**
     * The first principal a resource or trust policy names that does not exist (an account id or
     * root ARN of no account, a user or role ARN of no such user or role, a canonical id of no
     * account), or empty when all exist. AWS refuses such policies ("Invalid principal in policy"),
     * and so should every caller that stores a policy with principals.
     */
    public Optional<String> missingPrincipal(Policy policy) {
        for (String entry : policy.principals()) {
            if (!principalExists(entry)) {
                return Optional.of(entry);
            }
        }
        for (String canonical : policy.canonicalUsers()) {
            if (store.accountByCanonicalId(canonical).isEmpty()) {
                return Optional.of(canonical);
            }
        }
        return Optional.empty();
    }

    private boolean principalExists(String entry) {
        if (ACCOUNT_ID.matcher(entry).matches()) {
            return store.account(entry).isPresent();
        }
        Matcher m = PRINCIPAL_ARN.matcher(entry);
        if (!m.matches() || store.account(m.group(2)).isEmpty()) {
            return false;
        }
        String accountId = m.group(2);
        String resource = m.group(3);
        String last = resource.substring(resource.lastIndexOf('/') + 1);
        if (m.group(1).equals("sts")) { // assumed-role/ROLE/SESSION: the role must exist
            String[] parts = resource.split("/", -1);
            return parts.length == 3 && parts[0].equals("assumed-role") && store.role(accountId, parts[1]).isPresent();
        }
        if (resource.equals("root")) {
            return true;
        }
        if (resource.startsWith("user/")) {
            return store.user(accountId, last).filter(u -> u.arn().equals(entry)).isPresent();
        }
        if (resource.startsWith("role/")) {
            return store.role(accountId, last).filter(r -> r.arn().equals(entry)).isPresent();
        }
        return false;
    }

    /** Sets the audit hook told of every authorization decision (IAM and STS here; S3 by the S3 layer). */
    public void listener(AuthorizationListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public AuthorizationListener listener() {
        return listener;
    }

    /** Closes the store. */
    @Override
    public void close() {
        store.close();
    }

    // ---------------------------------------------------------------- for IamService

    IdentityStore store() {
        return store;
    }

    InstantSource clock() {
        return clock;
    }

    IamIds ids() {
        return ids;
    }

    void decided(Principal p, String action, String resource, Decision d, String reason) {
        listener.decided(p, action, resource, d, reason);
    }

    /** A new long-term key id: never the system root's, never one in use. */
    String newAccessKeyId() {
        while (true) {
            String id = ids.accessKeyId();
            if (!id.equals(systemRootAccessKey) && !store.keyIdTaken(id)) {
                return id;
            }
        }
    }

    /** Issues temporary credentials for a session of {@code role}, valid for {@code seconds}. */
    IssuedSession issueSession(Account account, Role role, String sessionName, int seconds) {
        String keyId;
        do {
            keyId = ids.temporaryAccessKeyId();
        } while (keyId.equals(systemRootAccessKey));
        String secret = ids.secret();
        long expiry = clock.millis() + seconds * 1000L;
        String token = tokens.issue(new SessionTokens.Session(keyId, secret, account.id(), role.name(), role.roleId(),
                sessionName, expiry));
        return new IssuedSession(keyId, secret, token, expiry, sessionPrincipal(account, role, sessionName));
    }

    static Principal userPrincipal(Account account, User user) {
        return new Principal(Principal.Kind.USER, account.id(), account.canonicalId(), user.name(), user.userId(),
                user.arn(), null);
    }

    static Principal sessionPrincipal(Account account, Role role, String sessionName) {
        return new Principal(Principal.Kind.ASSUMED_ROLE, account.id(), account.canonicalId(), role.name(),
                role.roleId() + ":" + sessionName, Arns.assumedRole(account.id(), role.name(), sessionName), sessionName);
    }

    static StoreException accessDenied(String message) {
        return StoreException.of(FailureKind.ACCESS_DENIED, message);
    }
}
