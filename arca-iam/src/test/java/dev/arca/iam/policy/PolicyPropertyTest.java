package dev.arca.iam.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.iam.Principal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Randomized properties of single policies: adding a Deny statement never turns a denial into an
 * allow (and keeps an explicit deny explicit); removing an Allow statement never widens access;
 * the converse (adding an Allow or removing a Deny never narrows); statement order does not
 * matter; and a policy decides exactly as its statements do one by one (any Deny wins, else any
 * Allow). Prints its seed; replay with -Darca.seed=N.
 */
class PolicyPropertyTest {
    private static final int ITERATIONS = 20_000;

    @Test
    void denyNeverWidensAndRemovingAllowNeverWidens() {
        long seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println("PolicyPropertyTest seed: " + seed + " (replay with -Darca.seed=" + seed + ")");
        PolicyGenerator gen = new PolicyGenerator(new SplittableRandom(seed));
        Map<Decision, Integer> seen = new EnumMap<>(Decision.class);
        for (int i = 0; i < ITERATIONS; i++) {
            PolicyKind kind = PolicyKind.values()[gen.nextInt(PolicyKind.values().length)];
            List<String> statements = gen.statements(kind);
            Policy p = PolicyGenerator.policy(statements, kind);
            Principal who = gen.principal();
            RequestContext ctx = new RequestContext(gen.action(), gen.resource(), who, gen.keys());
            Decision before = p.evaluate(ctx);
            seen.merge(before, 1, Integer::sum);
            String where = "seed " + seed + ", iteration " + i + ", " + ctx + ", policy " + p.json();

            List<String> withDeny = new ArrayList<>(statements);
            withDeny.add(gen.nextInt(withDeny.size() + 1), gen.statement(kind, "Deny"));
            Decision afterDeny = PolicyGenerator.policy(withDeny, kind).evaluate(ctx);
            if (afterDeny == Decision.ALLOW) {
                assertThat(before).as(where).isEqualTo(Decision.ALLOW);
            }
            if (before == Decision.EXPLICIT_DENY) {
                assertThat(afterDeny).as(where).isEqualTo(Decision.EXPLICIT_DENY);
            }

            List<Integer> allows = new ArrayList<>();
            for (int s = 0; s < statements.size(); s++) {
                if (statements.get(s).startsWith("{\"Effect\":\"Allow\"")) {
                    allows.add(s);
                }
            }
            if (!allows.isEmpty()) {
                List<String> fewer = new ArrayList<>(statements);
                fewer.remove((int) allows.get(gen.nextInt(allows.size())));
                Policy q = PolicyGenerator.policy(fewer, kind);
                Decision afterRemove = q == null ? Decision.IMPLICIT_DENY : q.evaluate(ctx);
                if (afterRemove == Decision.ALLOW) {
                    assertThat(before).as(where).isEqualTo(Decision.ALLOW);
                }
            }

            List<String> withAllow = new ArrayList<>(statements);
            withAllow.add(gen.nextInt(withAllow.size() + 1), gen.statement(kind, "Allow"));
            Decision afterAllow = PolicyGenerator.policy(withAllow, kind).evaluate(ctx);
            if (before == Decision.ALLOW) {
                assertThat(afterAllow).as("adding an Allow narrowed access: " + where).isEqualTo(Decision.ALLOW);
            }
            if (before == Decision.EXPLICIT_DENY) {
                assertThat(afterAllow).as(where).isEqualTo(Decision.EXPLICIT_DENY);
            }

            List<String> shuffled = new ArrayList<>(statements);
            java.util.Collections.shuffle(shuffled, new java.util.Random(seed + i));
            assertThat(PolicyGenerator.policy(shuffled, kind).evaluate(ctx)).as("order matters: " + where).isEqualTo(before);

            boolean anyDeny = false;
            boolean anyAllow = false;
            for (String st : statements) {
                Decision one = PolicyGenerator.policy(List.of(st), kind).evaluate(ctx);
                anyDeny |= one == Decision.EXPLICIT_DENY;
                anyAllow |= one == Decision.ALLOW;
            }
            Decision composed = anyDeny ? Decision.EXPLICIT_DENY : anyAllow ? Decision.ALLOW : Decision.IMPLICIT_DENY;
            assertThat(before).as("not the combination of its statements: " + where).isEqualTo(composed);
        }
        System.out.println("PolicyPropertyTest outcomes over " + ITERATIONS + " policies: " + seen);
        // The generator must exercise every outcome, or the properties prove little.
        for (Decision d : Decision.values()) {
            assertThat(seen.getOrDefault(d, 0)).as("outcome %s", d).isGreaterThan(ITERATIONS / 50);
        }
    }
}
