package dev.arca.iam.policy;

import dev.arca.iam.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Principals, key maps and shorthands shared by the policy tests. */
public final class Fixtures {
    public static final String ACCT_A = "111122223333";
    public static final String ACCT_B = "444455556666";

    private Fixtures() {}

    public static String canonical(String account) {
        return "c0ffee" + account + "0".repeat(64 - 6 - account.length());
    }

    public static Principal root(String account) {
        return new Principal(Principal.Kind.ACCOUNT_ROOT, account, canonical(account), "acct-" + account,
                account, "arn:aws:iam::" + account + ":root", null);
    }

    public static Principal user(String account, String name) {
        return new Principal(Principal.Kind.USER, account, canonical(account), name,
                "AIDA" + name.toUpperCase(Locale.ROOT) + account, "arn:aws:iam::" + account + ":user/" + name, null);
    }

    public static Principal session(String account, String role, String session) {
        return new Principal(Principal.Kind.ASSUMED_ROLE, account, canonical(account), role,
                "AROA" + role.toUpperCase(Locale.ROOT) + ":" + session,
                "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session, session);
    }

    /** Condition keys from alternating name, value pairs; a name may repeat for multiple values. Case-insensitive. */
    public static ConditionKeys keys(String... nameValue) {
        Map<String, List<String>> m = new HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.merge(nameValue[i].toLowerCase(Locale.ROOT), List.of(nameValue[i + 1]),
                    (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList());
        }
        return key -> m.getOrDefault(key.toLowerCase(Locale.ROOT), List.of());
    }

    public static RequestContext ctx(Principal p, String action, String resource, ConditionKeys keys) {
        return new RequestContext(action, resource, p, keys);
    }

    public static RequestContext ctx(Principal p, String action, String resource) {
        return new RequestContext(action, resource, p, ConditionKeys.NONE);
    }

    /** An identity policy of one Allow statement around the given JSON fragment members. */
    public static Policy identity(String statementsJson) {
        return Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":" + statementsJson + "}", PolicyKind.INLINE);
    }

    public static Policy bucket(String statementsJson) {
        return Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":" + statementsJson + "}", PolicyKind.BUCKET);
    }
}
