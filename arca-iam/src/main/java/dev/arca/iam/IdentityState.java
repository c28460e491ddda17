package dev.arca.iam;

import dev.arca.iam.policy.Policy;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The in-memory state {@link IdentityStore} keeps of each account, guarded by its lock: every
 * identity with its compiled policies, attachments, memberships and keys, by folded name.
 */
final class IdentityState {
    private IdentityState() {}

    /** A policy document's size as IAM counts it: characters other than whitespace. */
    static int nonWhitespace(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    record Compiled(InlinePolicy policy, Policy compiled) {}

    /** What users, groups and roles share: inline policies and attached managed policies. */
    abstract static class Identity {
        final TreeMap<String, Compiled> inline = new TreeMap<>();
        /** Folded names of attached managed policies (always of the same account). */
        final TreeSet<String> attached = new TreeSet<>();

        int inlineChars() {
            int n = 0;
            for (Compiled c : inline.values()) {
                n += nonWhitespace(c.policy.document());
            }
            return n;
        }
    }

    static final class UserState extends Identity {
        final User user;
        final TreeSet<String> groups = new TreeSet<>();
        final TreeSet<String> keys = new TreeSet<>();

        UserState(User user) {
            this.user = user;
        }
    }

    static final class GroupState extends Identity {
        final Group group;
        final TreeSet<String> members = new TreeSet<>();

        GroupState(Group group) {
            this.group = group;
        }
    }

    static final class RoleState extends Identity {
        Role role;
        Policy trust;

        RoleState(Role role, Policy trust) {
            this.role = role;
            this.trust = trust;
        }
    }

    static final class PolicyState {
        final ManagedPolicy policy;
        final Policy compiled;
        int attachments;

        PolicyState(ManagedPolicy policy, Policy compiled) {
            this.policy = policy;
            this.compiled = compiled;
        }
    }

    static final class AccountState {
        final Account account;
        final TreeMap<String, UserState> users = new TreeMap<>();
        final TreeMap<String, GroupState> groups = new TreeMap<>();
        final TreeMap<String, RoleState> roles = new TreeMap<>();
        final TreeMap<String, PolicyState> policies = new TreeMap<>();
        final TreeSet<String> rootKeys = new TreeSet<>();

        AccountState(Account account) {
            this.account = account;
        }

        boolean hasIdentities() {
            return !users.isEmpty() || !groups.isEmpty() || !roles.isEmpty() || !policies.isEmpty();
        }
    }

    record KeyState(AccessKey key, String secret) {
        @Override
        public String toString() {
            return "KeyState[" + key + ", secret=<redacted>]";
        }
    }
}
