package dev.arca.iam;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.IdentityStore.Holder;
import dev.arca.iam.policy.ConditionKeys;
import dev.arca.iam.policy.Decision;
import dev.arca.iam.policy.Policy;
import dev.arca.iam.policy.PolicyException;
import dev.arca.iam.policy.PolicyKind;
import dev.arca.iam.policy.RequestContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Executes IAM and STS actions of the AWS query API for an authenticated caller, with the
 * parameters AWS names (UserName, PolicyDocument, MaxItems, …) already form-decoded. Every action
 * acts in the caller's own account (cross-account IAM is not supported) and is authorized first:
 * anonymous callers never; the account's root user always; anyone else when their identity
 * policies allow "iam:ACTION" on the target's ARN. Every decision goes to the {@link Iam}'s
 * {@link AuthorizationListener}. Nothing is stored when an action fails. Thread-safe.
 */
public final class IamService {
    public static final String IAM = "iam";
    public static final String STS = "sts";
    /** The API versions the query protocol names in its Version parameter. */
    public static final String IAM_VERSION = "2010-05-08";
    public static final String STS_VERSION = "2011-06-15";

    private static final Set<String> IAM_ACTIONS = Set.of("CreateUser", "GetUser", "ListUsers", "DeleteUser",
            "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey",
            "PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy",
            "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies", "ListGroupsForUser",
            "CreatePolicy", "GetPolicy", "GetPolicyVersion", "ListPolicies", "DeletePolicy",
            "CreateGroup", "GetGroup", "ListGroups", "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup",
            "PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy",
            "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies",
            "CreateRole", "GetRole", "ListRoles", "DeleteRole", "UpdateAssumeRolePolicy",
            "PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy",
            "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies");
    private static final Set<String> STS_ACTIONS = Set.of("AssumeRole", "GetCallerIdentity");
    /** AssumeRole parameters for features Arca lacks: refused rather than silently ignored. */
    private static final List<String> UNSUPPORTED_ASSUME_ROLE_PARAMS = List.of("Policy", "PolicyArns.", "Tags.",
            "TransitiveTagKeys.", "SerialNumber", "TokenCode", "SourceIdentity", "ProvidedContexts.");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role(/(?:[\\u0021-\\u007E]*/)?)([^/]+)");
    private static final Pattern POLICY_ARN = Pattern.compile("arn:aws:iam::([0-9]{12}|aws):policy/[\\u0021-\\u007E]+");
    private static final int MAX_ARN = 2048;

    private final Iam iam;
    private final IdentityStore store;

    public IamService(Iam iam) {
        this.iam = Objects.requireNonNull(iam, "iam");
        this.store = iam.store();
    }

    /** Whether {@code action} is an action of {@code service} ("iam" or "sts") that this service runs. */
    public boolean supports(String service, String action) {
        return switch (service) {
            case IAM -> IAM_ACTIONS.contains(action);
            case STS -> STS_ACTIONS.contains(action);
            default -> false;
        };
    }

    /**
     * Runs one action.
     *
     * @param service "iam" or "sts"
     * @param params  the request's parameters, decoded (Action and Version may be among them)
     * @param caller  the authenticated principal
     * @param keys    the request's condition keys (aws:SourceIp, aws:SecureTransport, …); null for none
     * @throws StoreException ACCESS_DENIED, NO_SUCH_ENTITY, ENTITY_ALREADY_EXISTS, DELETE_CONFLICT,
     *                        LIMIT_EXCEEDED, MALFORMED_POLICY_DOCUMENT or VALIDATION_ERROR
     * @throws IllegalArgumentException for an action {@link #supports} denies
     */
    public IamResult handle(String service, String action, Map<String, String> params, Principal caller,
            ConditionKeys keys) {
        if (!supports(service, action)) {
            throw new IllegalArgumentException("unsupported action " + service + ":" + action);
        }
        Call c = new Call(service, action, params, caller, keys == null ? ConditionKeys.NONE : keys);
        if (caller.isAnonymous()) {
            iam.decided(caller, c.fullAction(), "*", Decision.IMPLICIT_DENY, "anonymous callers cannot use " + service);
            throw Iam.accessDenied("Anonymous callers are not authorized to perform: " + c.fullAction());
        }
        return switch (action) {
            case "CreateUser" -> createUser(c);
            case "GetUser" -> getUser(c);
            case "ListUsers" -> listUsers(c);
            case "DeleteUser" -> deleteUser(c);
            case "CreateAccessKey" -> createAccessKey(c);
            case "ListAccessKeys" -> listAccessKeys(c);
            case "UpdateAccessKey" -> updateAccessKey(c);
            case "DeleteAccessKey" -> deleteAccessKey(c);
            case "PutUserPolicy" -> putInline(c, Holder.USER);
            case "GetUserPolicy" -> getInline(c, Holder.USER);
            case "ListUserPolicies" -> listInline(c, Holder.USER);
            case "DeleteUserPolicy" -> deleteInline(c, Holder.USER);
            case "AttachUserPolicy" -> attach(c, Holder.USER);
            case "DetachUserPolicy" -> detach(c, Holder.USER);
            case "ListAttachedUserPolicies" -> listAttached(c, Holder.USER);
            case "ListGroupsForUser" -> listGroupsForUser(c);
            case "CreatePolicy" -> createPolicy(c);
            case "GetPolicy" -> getPolicy(c);
            case "GetPolicyVersion" -> getPolicyVersion(c);
            case "ListPolicies" -> listPolicies(c);
            case "DeletePolicy" -> deletePolicy(c);
            case "CreateGroup" -> createGroup(c);
            case "GetGroup" -> getGroup(c);
            case "ListGroups" -> listGroups(c);
            case "DeleteGroup" -> deleteGroup(c);
            case "AddUserToGroup" -> membership(c, true);
            case "RemoveUserFromGroup" -> membership(c, false);
            case "PutGroupPolicy" -> putInline(c, Holder.GROUP);
            case "GetGroupPolicy" -> getInline(c, Holder.GROUP);
            case "ListGroupPolicies" -> listInline(c, Holder.GROUP);
            case "DeleteGroupPolicy" -> deleteInline(c, Holder.GROUP);
            case "AttachGroupPolicy" -> attach(c, Holder.GROUP);
            case "DetachGroupPolicy" -> detach(c, Holder.GROUP);
            case "ListAttachedGroupPolicies" -> listAttached(c, Holder.GROUP);
            case "CreateRole" -> createRole(c);
            case "GetRole" -> getRole(c);
            case "ListRoles" -> listRoles(c);
            case "DeleteRole" -> deleteRole(c);
            case "UpdateAssumeRolePolicy" -> updateAssumeRolePolicy(c);
            case "PutRolePolicy" -> putInline(c, Holder.ROLE);
            case "GetRolePolicy" -> getInline(c, Holder.ROLE);
            case "ListRolePolicies" -> listInline(c, Holder.ROLE);
            case "DeleteRolePolicy" -> deleteInline(c, Holder.ROLE);
            case "AttachRolePolicy" -> attach(c, Holder.ROLE);
            case "DetachRolePolicy" -> detach(c, Holder.ROLE);
            case "ListAttachedRolePolicies" -> listAttached(c, Holder.ROLE);
            case "AssumeRole" -> assumeRole(c);
            case "GetCallerIdentity" -> getCallerIdentity(c);
            default -> throw new IllegalArgumentException("unsupported action " + action);
        };
    }

    /** One request: its action, parameters and caller. */
    private record Call(String service, String action, Map<String, String> params, Principal caller, ConditionKeys keys) {
        String fullAction() {
            return service + ":" + action;
        }

        String account() {
            return caller.accountId();
        }

        String param(String name) {
            return params.get(name);
        }

        /** A parameter that must be present (and not empty). */
        String required(String name) {
            String v = params.get(name);
            if (v == null || v.isEmpty()) {
                throw IamNames.invalid("1 validation error detected: Value null at '" + camel(name)
                        + "' failed to satisfy constraint: Member must not be null");
            }
            return v;
        }

        IamResult.Builder result() {
            return new IamResult.Builder();
        }

        IamResult done(IamResult.Builder b) {
            return new IamResult(action, b.build());
        }

        IamResult empty() {
            return IamResult.empty(action);
        }
    }

    // ---------------------------------------------------------------- authorization

    /** Authorizes an IAM action on {@code resource} in the caller's account; throws AccessDenied if denied. */
    private void authorize(Call c, String resource) {
        authorize(c, resource, c.keys);
    }

    private void authorize(Call c, String resource, ConditionKeys keys) {
        Principal p = c.caller;
        if (p.kind() == Principal.Kind.ACCOUNT_ROOT) {
            iam.decided(p, c.fullAction(), resource, Decision.ALLOW, "root user of the account");
            return;
        }
        Authorizer.Authorization a = Authorizer.authorize(new Authorizer.AuthorizationRequest(p, c.fullAction(), resource,
                p.accountId(), iam.identityPolicies(p), null, keys));
        iam.decided(p, c.fullAction(), resource, a.decision(), a.reason());
        if (!a.allowed()) {
            throw denied(c, resource, a.decision());
        }
    }

    private static StoreException denied(Call c, String resource, Decision d) {
        String kind = switch (c.caller.kind()) {
            case ACCOUNT_ROOT -> "Account";
            case ASSUMED_ROLE -> "Assumed role";
            default -> "User";
        };
        return Iam.accessDenied(kind + ": " + c.caller.arn() + " is not authorized to perform: " + c.fullAction()
                + " on resource: " + resource + (d == Decision.EXPLICIT_DENY ? " with an explicit deny" : ""));
    }

    /** The condition keys plus iam:PolicyARN, which AWS sets for attach and detach. */
    private static ConditionKeys withPolicyArn(ConditionKeys keys, String policyArn) {
        return key -> "iam:PolicyARN".equalsIgnoreCase(key) ? List.of(policyArn) : keys.values(key);
    }

    // ---------------------------------------------------------------- ARNs of targets

    private String userArn(Call c, String name) {
        return store.user(c.account(), name).map(User::arn).orElse(Arns.iam(c.account(), "user", "/", name));
    }

    private String groupArn(Call c, String name) {
        return store.group(c.account(), name).map(Group::arn).orElse(Arns.iam(c.account(), "group", "/", name));
    }

    private String roleArn(Call c, String name) {
        return store.role(c.account(), name).map(Role::arn).orElse(Arns.iam(c.account(), "role", "/", name));
    }

    private String holderArn(Call c, Holder kind, String name) {
        return switch (kind) {
            case USER -> userArn(c, name);
            case GROUP -> groupArn(c, name);
            case ROLE -> roleArn(c, name);
        };
    }

    private static String holderName(Call c, Holder kind) {
        return switch (kind) {
            case USER -> IamNames.userName(c.required("UserName"), "userName");
            case GROUP -> IamNames.groupName(c.required("GroupName"), "groupName");
            case ROLE -> IamNames.roleName(c.required("RoleName"), "roleName");
        };
    }

    private static String holderParam(Holder kind) {
        return switch (kind) {
            case USER -> "UserName";
            case GROUP -> "GroupName";
            case ROLE -> "RoleName";
        };
    }

    // ---------------------------------------------------------------- users

    private IamResult createUser(Call c) {
        String name = IamNames.userName(c.required("UserName"), "userName");
        String path = IamNames.path(c.param("Path"), "path");
        authorize(c, Arns.iam(c.account(), "user", path, name));
        User user = new User(c.account(), name, iam.ids().uniqueId(IamIds.USER_PREFIX), path, iam.clock().millis());
        store.createUser(user);
        return c.done(c.result().node("User", user(user)));
    }

    private IamResult getUser(Call c) {
        String name = c.param("UserName");
        if (name == null) {
            switch (c.caller.kind()) {
                case ACCOUNT_ROOT -> {
                    authorize(c, c.caller.arn());
                    Account a = store.account(c.account()).orElseThrow();
                    return c.done(c.result().node("User", new IamResult.Builder().text("UserId", a.id())
                            .text("Arn", a.rootArn()).text("CreateDate", date(a.createdMillis()))));
                }
                case USER -> name = c.caller.name();
                default -> throw nonUserCredentials();
            }
        }
        String target = IamNames.userName(name, "userName");
        authorize(c, userArn(c, target));
        User user = store.user(c.account(), target).orElseThrow(() -> noSuchUser(target));
        return c.done(c.result().node("User", user(user)));
    }

    private IamResult listUsers(Call c) {
        String prefix = IamNames.path(c.param("PathPrefix"), "pathPrefix");
        authorize(c, Arns.iam(c.account(), "user", prefix, ""));
        List<User> users = store.users(c.account()).stream().filter(u -> u.path().startsWith(prefix)).toList();
        Page<User> page = page(c, users, u -> IamNames.fold(u.name()));
        return c.done(page.render(c.result().members("Users", page.items, IamService::user)));
    }

    private IamResult deleteUser(Call c) {
        String name = IamNames.userName(c.required("UserName"), "userName");
        authorize(c, userArn(c, name));
        store.deleteUser(c.account(), name);
        return c.empty();
    }

    private IamResult listGroupsForUser(Call c) {
        String name = IamNames.userName(c.required("UserName"), "userName");
        authorize(c, userArn(c, name));
        List<Group> groups = store.groupsForUser(c.account(), name);
        Page<Group> page = page(c, groups, g -> IamNames.fold(g.name()));
        return c.done(page.render(c.result().members("Groups", page.items, IamService::group)));
    }

    private static IamResult.Builder user(User u) {
        return new IamResult.Builder().text("Path", u.path()).text("UserName", u.name()).text("UserId", u.userId())
                .text("Arn", u.arn()).text("CreateDate", date(u.createdMillis()));
    }

    private static StoreException noSuchUser(String name) {
        return StoreException.of(FailureKind.NO_SUCH_ENTITY, "The user with name " + name + " cannot be found.");
    }

    private static StoreException nonUserCredentials() {
        return IamNames.invalid("Must specify userName when calling with non-User credentials");
    }

    // ---------------------------------------------------------------- access keys

    /**
     * Whose keys a key action is about: UserName, else the caller's own (its user, or for the
     * account root its root keys: null). The authorization target is that user, or the root.
     */
    private record KeyOwner(String userName, String arn) {}

    private KeyOwner keyOwner(Call c) {
        String name = c.param("UserName");
        if (name != null) {
            IamNames.userName(name, "userName");
            return new KeyOwner(name, userArn(c, name));
        }
        return switch (c.caller.kind()) {
            case ACCOUNT_ROOT -> new KeyOwner(null, c.caller.arn());
            case USER -> new KeyOwner(c.caller.name(), c.caller.arn());
            default -> throw nonUserCredentials();
        };
    }

    private IamResult createAccessKey(Call c) {
        KeyOwner owner = keyOwner(c);
        authorize(c, owner.arn);
        String secret = iam.ids().secret();
        AccessKey key = new AccessKey(iam.newAccessKeyId(), c.account(), owner.userName, AccessKey.Status.ACTIVE,
                iam.clock().millis());
        store.createAccessKey(key, secret);
        return c.done(c.result().node("AccessKey", new IamResult.Builder().text("UserName", key.userName())
                .text("AccessKeyId", key.accessKeyId()).text("Status", key.status().awsName())
                .text("SecretAccessKey", secret).text("CreateDate", date(key.createdMillis()))));
    }

    private IamResult listAccessKeys(Call c) {
        KeyOwner owner = keyOwner(c);
        authorize(c, owner.arn);
        List<AccessKey> keys = store.accessKeys(c.account(), owner.userName);
        Page<AccessKey> page = page(c, keys, AccessKey::accessKeyId);
        return c.done(page.render(c.result().members("AccessKeyMetadata", page.items,
                k -> new IamResult.Builder().text("UserName", k.userName()).text("AccessKeyId", k.accessKeyId())
                        .text("Status", k.status().awsName()).text("CreateDate", date(k.createdMillis())))));
    }

    private IamResult updateAccessKey(Call c) {
        KeyOwner owner = keyOwner(c);
        String keyId = c.required("AccessKeyId");
        String statusParam = c.required("Status");
        AccessKey.Status status = AccessKey.Status.parse(statusParam);
        if (status == null) {
            throw IamNames.invalid("1 validation error detected: Value '" + statusParam
                    + "' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
        }
        authorize(c, owner.arn);
        store.updateAccessKey(c.account(), owner.userName, keyId, status);
        return c.empty();
    }

    private IamResult deleteAccessKey(Call c) {
        KeyOwner owner = keyOwner(c);
        String keyId = c.required("AccessKeyId");
        authorize(c, owner.arn);
        store.deleteAccessKey(c.account(), owner.userName, keyId);
        return c.empty();
    }

    // ---------------------------------------------------------------- inline policies

    private IamResult putInline(Call c, Holder kind) {
        String owner = holderName(c, kind);
        String name = IamNames.policyName(c.required("PolicyName"), "policyName");
        String document = c.required("PolicyDocument");
        authorize(c, holderArn(c, kind, owner));
        Policy compiled = parse(document, PolicyKind.INLINE);
        store.putInlinePolicy(c.account(), kind, owner, new InlinePolicy(name, document), compiled);
        return c.empty();
    }

    private IamResult getInline(Call c, Holder kind) {
        String owner = holderName(c, kind);
        String name = IamNames.policyName(c.required("PolicyName"), "policyName");
        authorize(c, holderArn(c, kind, owner));
        InlinePolicy p = store.inlinePolicy(c.account(), kind, owner, name)
                .orElseThrow(() -> StoreException.of(FailureKind.NO_SUCH_ENTITY, IdentityStore.noSuchInline(kind, name)));
        return c.done(c.result().text(holderParam(kind), owner).text("PolicyName", p.name())
                .text("PolicyDocument", urlEncode(p.document())));
    }

    private IamResult listInline(Call c, Holder kind) {
        String owner = holderName(c, kind);
        authorize(c, holderArn(c, kind, owner));
        List<String> names = store.inlinePolicies(c.account(), kind, owner).stream().map(InlinePolicy::name).toList();
        Page<String> page = page(c, names, IamNames::fold);
        return c.done(page.render(c.result().textMembers("PolicyNames", page.items)));
    }

    private IamResult deleteInline(Call c, Holder kind) {
        String owner = holderName(c, kind);
        String name = IamNames.policyName(c.required("PolicyName"), "policyName");
        authorize(c, holderArn(c, kind, owner));
        store.deleteInlinePolicy(c.account(), kind, owner, name);
        return c.empty();
    }

    // ---------------------------------------------------------------- attachments

    private IamResult attach(Call c, Holder kind) {
        String owner = holderName(c, kind);
        String arn = policyArn(c.required("PolicyArn"));
        authorize(c, holderArn(c, kind, owner), withPolicyArn(c.keys, arn));
        store.attachPolicy(c.account(), kind, owner, arn);
        return c.empty();
    }

    private IamResult detach(Call c, Holder kind) {
        String owner = holderName(c, kind);
        String arn = policyArn(c.required("PolicyArn"));
        authorize(c, holderArn(c, kind, owner), withPolicyArn(c.keys, arn));
        store.detachPolicy(c.account(), kind, owner, arn);
        return c.empty();
    }

    private IamResult listAttached(Call c, Holder kind) {
        String owner = holderName(c, kind);
        String prefix = IamNames.path(c.param("PathPrefix"), "pathPrefix");
        authorize(c, holderArn(c, kind, owner));
        List<ManagedPolicy> attached = store.attachedPolicies(c.account(), kind, owner).stream()
                .filter(p -> p.path().startsWith(prefix)).toList();
        Page<ManagedPolicy> page = page(c, attached, p -> IamNames.fold(p.name()));
        return c.done(page.render(c.result().members("AttachedPolicies", page.items,
                p -> new IamResult.Builder().text("PolicyName", p.name()).text("PolicyArn", p.arn()))));
    }

    // ---------------------------------------------------------------- managed policies

    private IamResult createPolicy(Call c) {
        String name = IamNames.policyName(c.required("PolicyName"), "policyName");
        String path = IamNames.path(c.param("Path"), "path");
        String description = IamNames.description(c.param("Description"), "description");
        String document = c.required("PolicyDocument");
        authorize(c, Arns.iam(c.account(), "policy", path, name));
        Policy compiled = parse(document, PolicyKind.MANAGED);
        ManagedPolicy p = new ManagedPolicy(c.account(), name, iam.ids().uniqueId(IamIds.POLICY_PREFIX), path, document,
                description, iam.clock().millis());
        store.createPolicy(p, compiled);
        return c.done(c.result().node("Policy", policy(p, 0)));
    }

    private IamResult getPolicy(Call c) {
        String arn = policyArn(c.required("PolicyArn"));
        authorize(c, arn);
        ManagedPolicy p = store.policyByArn(c.account(), arn);
        return c.done(c.result().node("Policy", policy(p, store.attachmentCount(c.account(), p.name()))));
    }

    private IamResult getPolicyVersion(Call c) {
        String arn = policyArn(c.required("PolicyArn"));
        String version = c.required("VersionId");
        authorize(c, arn);
        ManagedPolicy p = store.policyByArn(c.account(), arn);
        if (!ManagedPolicy.DEFAULT_VERSION.equals(version)) {
            throw StoreException.of(FailureKind.NO_SUCH_ENTITY, "Policy " + arn + " version " + version + " does not exist.");
        }
        return c.done(c.result().node("PolicyVersion", new IamResult.Builder()
                .text("Document", urlEncode(p.document())).text("VersionId", p.defaultVersion())
                .bool("IsDefaultVersion", true).text("CreateDate", date(p.createdMillis()))));
    }

    private IamResult listPolicies(Call c) {
        String scope = c.param("Scope") == null ? "All" : c.param("Scope");
        if (!Set.of("All", "AWS", "Local").contains(scope)) {
            throw IamNames.invalid("1 validation error detected: Value '" + scope
                    + "' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]");
        }
        boolean onlyAttached = "true".equalsIgnoreCase(c.param("OnlyAttached"));
        String prefix = IamNames.path(c.param("PathPrefix"), "pathPrefix");
        authorize(c, "*"); // ListPolicies has no resource type in AWS
        List<ManagedPolicy> policies = "AWS".equals(scope) ? List.of() // no AWS managed policies here
                : store.policies(c.account()).stream().filter(p -> p.path().startsWith(prefix))
                        .filter(p -> !onlyAttached || store.attachmentCount(c.account(), p.name()) > 0).toList();
        Page<ManagedPolicy> page = page(c, policies, p -> IamNames.fold(p.name()));
        return c.done(page.render(c.result().members("Policies", page.items,
                p -> policy(p, store.attachmentCount(c.account(), p.name())))));
    }

    private IamResult deletePolicy(Call c) {
        String arn = policyArn(c.required("PolicyArn"));
        authorize(c, arn);
        store.deletePolicy(c.account(), arn);
        return c.empty();
    }

    private static IamResult.Builder policy(ManagedPolicy p, int attachments) {
        return new IamResult.Builder().text("PolicyName", p.name()).text("PolicyId", p.policyId()).text("Arn", p.arn())
                .text("Path", p.path()).text("DefaultVersionId", p.defaultVersion()).text("AttachmentCount", attachments)
                .text("PermissionsBoundaryUsageCount", 0).bool("IsAttachable", true).text("Description", p.description())
                .text("CreateDate", date(p.createdMillis())).text("UpdateDate", date(p.createdMillis()));
    }

    /** A syntactically valid policy ARN; which account it names is checked where it is used. */
    private static String policyArn(String arn) {
        if (arn.length() > MAX_ARN || !POLICY_ARN.matcher(arn).matches()) {
            throw IamNames.invalid("ARN " + arn + " is not valid.");
        }
        return arn;
    }

    // ---------------------------------------------------------------- groups

    private IamResult createGroup(Call c) {
        String name = IamNames.groupName(c.required("GroupName"), "groupName");
        String path = IamNames.path(c.param("Path"), "path");
        authorize(c, Arns.iam(c.account(), "group", path, name));
        Group g = new Group(c.account(), name, iam.ids().uniqueId(IamIds.GROUP_PREFIX), path, iam.clock().millis());
        store.createGroup(g);
        return c.done(c.result().node("Group", group(g)));
    }

    private IamResult getGroup(Call c) {
        String name = IamNames.groupName(c.required("GroupName"), "groupName");
        authorize(c, groupArn(c, name));
        Group g = store.group(c.account(), name).orElseThrow(() -> StoreException.of(FailureKind.NO_SUCH_ENTITY,
                "The group with name " + name + " cannot be found."));
        List<User> members = store.groupMembers(c.account(), name);
        Page<User> page = page(c, members, u -> IamNames.fold(u.name()));
        return c.done(page.render(c.result().node("Group", group(g)).members("Users", page.items, IamService::user)));
    }

    private IamResult listGroups(Call c) {
        String prefix = IamNames.path(c.param("PathPrefix"), "pathPrefix");
        authorize(c, Arns.iam(c.account(), "group", prefix, ""));
        List<Group> groups = store.groups(c.account()).stream().filter(g -> g.path().startsWith(prefix)).toList();
        Page<Group> page = page(c, groups, g -> IamNames.fold(g.name()));
        return c.done(page.render(c.result().members("Groups", page.items, IamService::group)));
    }

    private IamResult deleteGroup(Call c) {
        String name = IamNames.groupName(c.required("GroupName"), "groupName");
        authorize(c, groupArn(c, name));
        store.deleteGroup(c.account(), name);
        return c.empty();
    }

    private IamResult membership(Call c, boolean add) {
        String group = IamNames.groupName(c.required("GroupName"), "groupName");
        String user = IamNames.userName(c.required("UserName"), "userName");
        authorize(c, groupArn(c, group));
        if (add) {
            store.addUserToGroup(c.account(), group, user);
        } else {
            store.removeUserFromGroup(c.account(), group, user);
        }
        return c.empty();
    }

    private static IamResult.Builder group(Group g) {
        return new IamResult.Builder().text("Path", g.path()).text("GroupName", g.name()).text("GroupId", g.groupId())
                .text("Arn", g.arn()).text("CreateDate", date(g.createdMillis()));
    }

    // ---------------------------------------------------------------- roles

    private IamResult createRole(Call c) {
        String name = IamNames.roleName(c.required("RoleName"), "roleName");
        String path = IamNames.path(c.param("Path"), "path");
        String description = IamNames.description(c.param("Description"), "description");
        String document = c.required("AssumeRolePolicyDocument");
        int maxSession = intParam(c, "MaxSessionDuration", IamLimits.DEFAULT_SESSION_SECONDS,
                IamLimits.MIN_MAX_SESSION_SECONDS, IamLimits.MAX_MAX_SESSION_SECONDS);
        authorize(c, Arns.iam(c.account(), "role", path, name));
        Policy trust = parseTrust(document);
        Role role = new Role(c.account(), name, iam.ids().uniqueId(IamIds.ROLE_PREFIX), path, document, maxSession,
                description, iam.clock().millis());
        store.createRole(role, trust);
        return c.done(c.result().node("Role", role(role)));
    }

    private IamResult getRole(Call c) {
        String name = IamNames.roleName(c.required("RoleName"), "roleName");
        authorize(c, roleArn(c, name));
        Role role = store.role(c.account(), name).orElseThrow(() -> noSuchRole(name));
        return c.done(c.result().node("Role", role(role)));
    }

    private IamResult listRoles(Call c) {
        String prefix = IamNames.path(c.param("PathPrefix"), "pathPrefix");
        authorize(c, Arns.iam(c.account(), "role", prefix, ""));
        List<Role> roles = store.roles(c.account()).stream().filter(r -> r.path().startsWith(prefix)).toList();
        Page<Role> page = page(c, roles, r -> IamNames.fold(r.name()));
        return c.done(page.render(c.result().members("Roles", page.items, IamService::role)));
    }

    private IamResult deleteRole(Call c) {
        String name = IamNames.roleName(c.required("RoleName"), "roleName");
        authorize(c, roleArn(c, name));
        store.deleteRole(c.account(), name);
        return c.empty();
    }

    private IamResult updateAssumeRolePolicy(Call c) {
        String name = IamNames.roleName(c.required("RoleName"), "roleName");
        String document = c.required("PolicyDocument");
        authorize(c, roleArn(c, name));
        Policy trust = parseTrust(document);
        store.updateTrustPolicy(c.account(), name, document, trust);
        return c.empty();
    }

    private static IamResult.Builder role(Role r) {
        return new IamResult.Builder().text("Path", r.path()).text("RoleName", r.name()).text("RoleId", r.roleId())
                .text("Arn", r.arn()).text("CreateDate", date(r.createdMillis()))
                .text("AssumeRolePolicyDocument", urlEncode(r.trustPolicy())).text("Description", r.description())
                .text("MaxSessionDuration", r.maxSessionDurationSeconds());
    }

    private static StoreException noSuchRole(String name) {
        return StoreException.of(FailureKind.NO_SUCH_ENTITY, "The role with name " + name + " cannot be found.");
    }

    // ---------------------------------------------------------------- STS

    /**
     * AssumeRole. The role's trust policy must allow the caller (as the resource policy, action
     * sts:AssumeRole); then AWS's evaluation decides: within the role's account a trust policy
     * naming the caller suffices, one naming only the account (its root) needs an identity-policy
     * allow too, and across accounts both are always needed. A role that does not exist is
     * AccessDenied, as in AWS, so callers cannot probe for roles.
     */
    private IamResult assumeRole(Call c) {
        for (String name : c.params.keySet()) {
            for (String unsupported : UNSUPPORTED_ASSUME_ROLE_PARAMS) {
                if (unsupported.endsWith(".") ? name.startsWith(unsupported) : name.equals(unsupported)) {
                    throw IamNames.invalid("AssumeRole parameter " + name + " is not supported.");
                }
            }
        }
        String roleArn = c.required("RoleArn");
        String sessionName = IamNames.sessionName(c.required("RoleSessionName"), "roleSessionName");
        int duration = intParam(c, "DurationSeconds", IamLimits.DEFAULT_SESSION_SECONDS, IamLimits.MIN_SESSION_SECONDS,
                IamLimits.MAX_MAX_SESSION_SECONDS);
        Matcher m = roleArn.length() > MAX_ARN ? null : ROLE_ARN.matcher(roleArn);
        if (m == null || !m.matches()) {
            throw IamNames.invalid("1 validation error detected: Value '" + roleArn
                    + "' at 'roleArn' failed to satisfy constraint: Member must be a valid role ARN");
        }
        String action = c.fullAction();
        Principal p = c.caller;
        if (p.kind() == Principal.Kind.ACCOUNT_ROOT) {
            iam.decided(p, action, roleArn, Decision.IMPLICIT_DENY, "roles may not be assumed by root users");
            throw Iam.accessDenied("Roles may not be assumed by root accounts.");
        }
        String roleAccount = m.group(1);
        IdentityStore.RoleTrust rt = store.account(roleAccount).isEmpty() ? null
                : store.roleTrust(roleAccount, m.group(3)).filter(t -> t.role().arn().equals(roleArn)).orElse(null);
        if (rt == null) {
            iam.decided(p, action, roleArn, Decision.IMPLICIT_DENY, "no such role");
            throw denied(c, roleArn, Decision.IMPLICIT_DENY);
        }
        ConditionKeys keys = stsKeys(c.keys, sessionName, c.param("ExternalId"));
        Policy.Evaluation trust = rt.trust().explain(new RequestContext(action, roleArn, p, keys));
        if (trust.decision() != Decision.ALLOW) {
            String reason = trust.decision() == Decision.EXPLICIT_DENY
                    ? "explicit deny in the trust policy, statement " + trust.statement()
                    : "the role's trust policy does not allow the caller";
            iam.decided(p, action, roleArn, trust.decision(), reason);
            throw denied(c, roleArn, trust.decision());
        }
        Authorizer.Authorization a = Authorizer.authorize(new Authorizer.AuthorizationRequest(p, action, roleArn,
                roleAccount, iam.identityPolicies(p), rt.trust(), keys));
        iam.decided(p, action, roleArn, a.decision(), a.reason());
        if (!a.allowed()) {
            throw denied(c, roleArn, a.decision());
        }
        Role role = rt.role();
        if (duration > role.maxSessionDurationSeconds()) {
            throw IamNames.invalid("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        if (p.kind() == Principal.Kind.ASSUMED_ROLE && duration > IamLimits.CHAINED_SESSION_SECONDS) {
            throw IamNames.invalid("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by"
                    + " role chaining.");
        }
        Account account = store.account(roleAccount).orElseThrow(() -> denied(c, roleArn, Decision.IMPLICIT_DENY));
        Iam.IssuedSession s = iam.issueSession(account, role, sessionName, duration);
        return c.done(c.result()
                .node("Credentials", new IamResult.Builder().text("AccessKeyId", s.accessKeyId())
                        .text("SecretAccessKey", s.secretAccessKey()).text("SessionToken", s.sessionToken())
                        .text("Expiration", date(s.expiryMillis())))
                .node("AssumedRoleUser", new IamResult.Builder().text("AssumedRoleId", s.principal().userId())
                        .text("Arn", s.principal().arn())));
    }

    /** The request's keys plus those AssumeRole sets: sts:RoleSessionName and sts:ExternalId. */
    private static ConditionKeys stsKeys(ConditionKeys keys, String sessionName, String externalId) {
        return key -> {
            if ("sts:RoleSessionName".equalsIgnoreCase(key)) {
                return List.of(sessionName);
            }
            if ("sts:ExternalId".equalsIgnoreCase(key)) {
                return externalId == null ? List.of() : List.of(externalId);
            }
            return keys.values(key);
        };
    }

    /** GetCallerIdentity needs no permission, in AWS too: it only says who the caller is. */
    private IamResult getCallerIdentity(Call c) {
        Principal p = c.caller;
        iam.decided(p, c.fullAction(), "*", Decision.ALLOW, "GetCallerIdentity needs no permission");
        return c.done(c.result().text("UserId", p.userId()).text("Account", p.accountId()).text("Arn", p.arn()));
    }

    // ---------------------------------------------------------------- helpers

    /** Parses a trust policy and checks that every principal it names exists. */
    private Policy parseTrust(String document) {
        Policy trust = parse(document, PolicyKind.TRUST);
        iam.missingPrincipal(trust).ifPresent(entry -> {
            throw StoreException.of(FailureKind.MALFORMED_POLICY_DOCUMENT, "Invalid principal in policy: " + entry);
        });
        return trust;
    }

    /** Parses a policy document; a rejected one is MalformedPolicyDocument with the engine's message. */
    private static Policy parse(String document, PolicyKind kind) {
        try {
            return Policy.parse(document, kind);
        } catch (PolicyException e) {
            throw StoreException.of(FailureKind.MALFORMED_POLICY_DOCUMENT, e.getMessage());
        }
    }

    private static int intParam(Call c, String name, int absent, int min, int max) {
        String v = c.param(name);
        if (v == null) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw IamNames.invalid("1 validation error detected: Value '" + v + "' at '" + camel(name)
                    + "' failed to satisfy constraint: Member must be a number");
        }
        if (n < min || n > max) {
            throw IamNames.invalid("1 validation error detected: Value '" + v + "' at '" + camel(name)
                    + "' failed to satisfy constraint: Member must have value " + (n < min
                            ? "greater than or equal to " + min : "less than or equal to " + max));
        }
        return (int) n;
    }

    /** One page of a list, ordered by {@code sortKey}; the marker is the last item's sort key. */
    private record Page<T>(List<T> items, boolean truncated, String marker) {
        IamResult.Builder render(IamResult.Builder b) {
            b.bool("IsTruncated", truncated);
            if (truncated) {
                b.text("Marker", marker);
            }
            return b;
        }
    }

    private static <T> Page<T> page(Call c, List<T> all, Function<T, String> sortKey) {
        int max = intParam(c, "MaxItems", IamLimits.MAX_ITEMS_DEFAULT, 1, IamLimits.MAX_ITEMS_MAX);
        String marker = c.param("Marker");
        List<T> items = new ArrayList<>();
        boolean truncated = false;
        for (T item : all) {
            if (marker != null && sortKey.apply(item).compareTo(marker) <= 0) {
                continue;
            }
            if (items.size() == max) {
                truncated = true;
                break;
            }
            items.add(item);
        }
        return new Page<>(items, truncated, truncated ? sortKey.apply(items.getLast()) : null);
    }

    /** ISO-8601 in UTC to the second, as IAM writes dates. */
    static String date(long millis) {
        return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Percent-encodes a policy document as IAM returns them (RFC 3986: only unreserved characters
     * stay; a space is %20, not '+', since clients decode with a plain URL decoder).
     */
    static String urlEncode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    /** AWS's validation messages name parameters in lower camel case ("userName"). */
    private static String camel(String param) {
        return Character.toLowerCase(param.charAt(0)) + param.substring(1);
    }
}
