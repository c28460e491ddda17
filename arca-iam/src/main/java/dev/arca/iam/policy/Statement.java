package dev.arca.iam.policy;

import java.util.List;

/**
 * One compiled policy statement. A statement applies to a request when its action, resource,
 * principal and every condition match; what it then does is its effect.
 *
 * @param label        the Sid, or "#index" when the statement has none (for audit reasons)
 * @param allow        Effect Allow (true) or Deny (false)
 * @param actions      Action or NotAction patterns (case-insensitive)
 * @param notAction    whether {@code actions} came from NotAction
 * @param resources    Resource or NotResource patterns; empty for trust policies, which have none
 * @param notResource  whether {@code resources} came from NotResource
 * @param principals   Principal or NotPrincipal; null for identity policies
 * @param notPrincipal whether {@code principals} came from NotPrincipal
 * @param conditions   all must hold
 */
record Statement(String label, boolean allow, List<Glob> actions, boolean notAction, List<Template> resources,
        boolean notResource, Principals principals, boolean notPrincipal, List<Condition> conditions) {

    /** How this statement applies to the request: NONE, or how the principal matched (DIRECT for identity policies). */
    Principals.Grant match(RequestContext ctx) {
        if (!actionMatches(ctx.action())) {
            return Principals.Grant.NONE;
        }
        Principals.Grant grant = Principals.Grant.DIRECT;
        if (principals != null) {
            if (notPrincipal) {
                grant = principals.notPrincipalApplies(ctx.principal()) ? Principals.Grant.DIRECT : Principals.Grant.NONE;
            } else {
                grant = principals.match(ctx.principal());
            }
            if (grant == Principals.Grant.NONE) {
                return grant;
            }
        }
        if (!resources.isEmpty() && !resourceMatches(ctx)) {
            return Principals.Grant.NONE;
        }
        for (Condition c : conditions) {
            if (!c.test(ctx)) {
                return Principals.Grant.NONE;
            }
        }
        return grant;
    }

    private boolean actionMatches(String action) {
        boolean any = false;
        for (Glob g : actions) {
            if (g.matches(action)) {
                any = true;
                break;
            }
        }
        return any != notAction;
    }

    private boolean resourceMatches(RequestContext ctx) {
        String resource = ctx.resource();
        for (Template t : resources) {
            Glob g = t.hasVariables() ? t.resolveGlob(ctx, false) : t.glob();
            if (g == null) {
                // A variable without a value makes the element not apply: Resource matches nothing,
                // and NotResource cannot show the resource is excluded.
                return false;
            }
            if (g.matches(resource)) {
                return !notResource;
            }
        }
        return notResource;
    }
}
