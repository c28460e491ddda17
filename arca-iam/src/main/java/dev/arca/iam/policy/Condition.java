package dev.arca.iam.policy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One compiled condition: an operator, one key, and the policy's values for it. Values are parsed
 * at compile time (numbers, dates, CIDRs, wildcard patterns), so evaluation only parses the
 * request's values.
 *
 * <p>Semantics, as in AWS: several values for one key are ORed; a negated operator (StringNotEquals,
 * NotIpAddress, …) holds when the request value matches none of them. When the request has no value
 * for the key: ...IfExists holds, ForAllValues holds (vacuously), ForAnyValue fails, a negated
 * operator holds and any other operator fails. Null tests presence only. A value that cannot be
 * evaluated (a policy variable with no value, a request value that is not a number for a Numeric
 * operator) makes the condition fail, whichever the operator's polarity: AWS treats such a
 * statement as not applying.
 */
final class Condition {
    /** Longest condition key accepted. */
    static final int MAX_KEY_LENGTH = 256;
    /** Longest number accepted by the Numeric operators; bounds BigDecimal work. */
    static final int MAX_NUMBER_CHARS = 40;
    /** Longest date accepted by the Date operators. */
    static final int MAX_DATE_CHARS = 64;
    /** An ARN has six colon-separated segments: arn:partition:service:region:account:resource. */
    static final int ARN_SEGMENTS = 6;
    /** Service prefixes a condition key may have. */
    static final Set<String> KEY_PREFIXES = Set.of("aws", "s3", "iam", "sts");

    enum Type { STRING, STRING_IGNORE_CASE, STRING_LIKE, NUMERIC, DATE, BOOL, IP, ARN, NULL }

    enum Cmp { EQ, LT, LE, GT, GE }

    /** The base operators; prefixes (ForAnyValue:/ForAllValues:) and the IfExists suffix are separate. */
    enum Operator {
        STRING_EQUALS("StringEquals", Type.STRING, false, Cmp.EQ),
        STRING_NOT_EQUALS("StringNotEquals", Type.STRING, true, Cmp.EQ),
        STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", Type.STRING_IGNORE_CASE, false, Cmp.EQ),
        STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", Type.STRING_IGNORE_CASE, true, Cmp.EQ),
        STRING_LIKE("StringLike", Type.STRING_LIKE, false, Cmp.EQ),
        STRING_NOT_LIKE("StringNotLike", Type.STRING_LIKE, true, Cmp.EQ),
        NUMERIC_EQUALS("NumericEquals", Type.NUMERIC, false, Cmp.EQ),
        NUMERIC_NOT_EQUALS("NumericNotEquals", Type.NUMERIC, true, Cmp.EQ),
        NUMERIC_LESS_THAN("NumericLessThan", Type.NUMERIC, false, Cmp.LT),
        NUMERIC_LESS_THAN_EQUALS("NumericLessThanEquals", Type.NUMERIC, false, Cmp.LE),
        NUMERIC_GREATER_THAN("NumericGreaterThan", Type.NUMERIC, false, Cmp.GT),
        NUMERIC_GREATER_THAN_EQUALS("NumericGreaterThanEquals", Type.NUMERIC, false, Cmp.GE),
        DATE_EQUALS("DateEquals", Type.DATE, false, Cmp.EQ),
        DATE_NOT_EQUALS("DateNotEquals", Type.DATE, true, Cmp.EQ),
        DATE_LESS_THAN("DateLessThan", Type.DATE, false, Cmp.LT),
        DATE_LESS_THAN_EQUALS("DateLessThanEquals", Type.DATE, false, Cmp.LE),
        DATE_GREATER_THAN("DateGreaterThan", Type.DATE, false, Cmp.GT),
        DATE_GREATER_THAN_EQUALS("DateGreaterThanEquals", Type.DATE, false, Cmp.GE),
        BOOL("Bool", Type.BOOL, false, Cmp.EQ),
        IP_ADDRESS("IpAddress", Type.IP, false, Cmp.EQ),
        NOT_IP_ADDRESS("NotIpAddress", Type.IP, true, Cmp.EQ),
        ARN_EQUALS("ArnEquals", Type.ARN, false, Cmp.EQ),
        ARN_LIKE("ArnLike", Type.ARN, false, Cmp.EQ),
        ARN_NOT_EQUALS("ArnNotEquals", Type.ARN, true, Cmp.EQ),
        ARN_NOT_LIKE("ArnNotLike", Type.ARN, true, Cmp.EQ),
        NULL("Null", Type.NULL, false, Cmp.EQ);

        final String awsName;
        final Type type;
        final boolean negated;
        final Cmp cmp;

        Operator(String awsName, Type type, boolean negated, Cmp cmp) {
            this.awsName = awsName;
            this.type = type;
            this.negated = negated;
            this.cmp = cmp;
        }

        static Operator byName(String name) {
            for (Operator o : values()) {
                if (o.awsName.equals(name)) {
                    return o;
                }
            }
            return null;
        }
    }

    /** The set operator prefix for multivalued keys. */
    enum SetOp { NONE, FOR_ANY_VALUE, FOR_ALL_VALUES }

    private static final int MATCH = 1;
    private static final int NO_MATCH = 0;
    private static final int UNKNOWN = -1;

    private final Operator op;
    private final SetOp set;
    private final boolean ifExists;
    private final String key;
    /** Per type: Template (strings), Glob or Template (like), Glob[] or Template (ARN), BigDecimal, Instant, Boolean, Cidr. */
    private final Object[] values;
    private final List<String> rawValues;

    private Condition(Operator op, SetOp set, boolean ifExists, String key, Object[] values, List<String> rawValues) {
        this.op = op;
        this.set = set;
        this.ifExists = ifExists;
        this.key = key;
        this.values = values;
        this.rawValues = rawValues;
    }

    /** Parsed operator name: base operator plus qualifiers. */
    record OperatorName(Operator op, SetOp set, boolean ifExists) {
        static OperatorName parse(String name) {
            String s = name;
            SetOp set = SetOp.NONE;
            if (s.startsWith("ForAnyValue:")) {
                set = SetOp.FOR_ANY_VALUE;
                s = s.substring("ForAnyValue:".length());
            } else if (s.startsWith("ForAllValues:")) {
                set = SetOp.FOR_ALL_VALUES;
                s = s.substring("ForAllValues:".length());
            }
            boolean ifExists = false;
            if (s.endsWith("IfExists")) {
                ifExists = true;
                s = s.substring(0, s.length() - "IfExists".length());
            }
            Operator op = Operator.byName(s);
            // Null already tests presence: AWS has no NullIfExists nor set forms of it.
            if (op == null || (op == Operator.NULL && (ifExists || set != SetOp.NONE))) {
                throw new PolicyException("Unknown condition operator: " + name);
            }
            return new OperatorName(op, set, ifExists);
        }
    }

    /** Compiles one key of one operator block; {@code rawValues} are the policy's values as text. */
    static Condition compile(OperatorName name, String key, List<String> rawValues, boolean variables) {
        checkKey(key);
        if (rawValues.isEmpty()) {
            throw new PolicyException("Condition " + name.op().awsName + " has no values for key " + key);
        }
        Operator op = name.op();
        Object[] compiled = new Object[rawValues.size()];
        for (int i = 0; i < compiled.length; i++) {
            String raw = rawValues.get(i);
            compiled[i] = switch (op.type) {
                case STRING, STRING_IGNORE_CASE -> {
                    Template t = Template.parse(raw, variables);
                    yield t.hasVariables() ? t : t.constant();
                }
                case STRING_LIKE -> {
                    Template t = Template.parse(raw, variables);
                    yield t.hasVariables() ? t : t.glob();
                }
                case ARN -> {
                    Template t = Template.parse(raw, variables);
                    yield t.hasVariables() ? t : arnPattern(t.resolveTokens(null));
                }
                case NUMERIC -> {
                    BigDecimal d = number(raw);
                    if (d == null) {
                        throw new PolicyException("Invalid numeric value for " + op.awsName + ": " + raw);
                    }
                    yield d;
                }
                case DATE -> {
                    Instant t = date(raw);
                    if (t == null) {
                        throw new PolicyException("Invalid date value for " + op.awsName + ": " + raw);
                    }
                    yield t;
                }
                case BOOL, NULL -> {
                    if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
                        throw new PolicyException("Invalid boolean value for " + op.awsName + ": " + raw);
                    }
                    yield raw.equalsIgnoreCase("true");
                }
                case IP -> {
                    Cidr c = Cidr.parse(raw);
                    if (c == null) {
                        throw new PolicyException("Invalid IP address or CIDR block for " + op.awsName + ": " + raw);
                    }
                    yield c;
                }
            };
        }
        return new Condition(op, name.set(), name.ifExists(), key, compiled, List.copyOf(rawValues));
    }

    private static void checkKey(String key) {
        int colon = key.indexOf(':');
        boolean ok = colon > 0 && colon < key.length() - 1 && key.length() <= MAX_KEY_LENGTH
                && KEY_PREFIXES.contains(key.substring(0, colon).toLowerCase(Locale.ROOT));
        for (int i = 0; ok && i < key.length(); i++) {
            char c = key.charAt(i);
            ok = c > ' ' && c < 0x7f;
        }
        if (!ok) {
            throw new PolicyException("Policy has an invalid condition key: " + key);
        }
    }

    /** An ARN pattern compiled per colon-separated segment (the sixth keeps its colons), as ArnLike compares. */
    private static Glob[] arnPattern(int[] tokens) {
        List<Glob> out = new ArrayList<>(ARN_SEGMENTS);
        int start = 0;
        for (int i = 0; i < tokens.length && out.size() < ARN_SEGMENTS - 1; i++) {
            if (tokens[i] == ':') {
                out.add(Glob.ofTokens(Arrays.copyOfRange(tokens, start, i), false));
                start = i + 1;
            }
        }
        out.add(Glob.ofTokens(Arrays.copyOfRange(tokens, start, tokens.length), false));
        return out.toArray(Glob[]::new);
    }

    /** A decimal number, or null: digits with an optional sign and fraction, bounded in length. */
    static BigDecimal number(String s) {
        if (s.isEmpty() || s.length() > MAX_NUMBER_CHARS) {
            return null;
        }
        int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        int digits = 0;
        boolean dot = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !dot && digits > 0) {
                dot = true;
                digits = 0;
            } else {
                return null;
            }
        }
        return digits == 0 ? null : new BigDecimal(s);
    }

    /** A date in the forms AWS accepts (ISO 8601 date or date-time, or epoch seconds), or null. */
    static Instant date(String s) {
        if (s.isEmpty() || s.length() > MAX_DATE_CHARS) {
            return null;
        }
        if (s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return s.length() <= 12 ? Instant.ofEpochSecond(Long.parseLong(s)) : null;
        }
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            char last = s.charAt(s.length() - 1);
            boolean zoned = last == 'Z' || last == 'z' || s.lastIndexOf('+') > 10 || s.lastIndexOf('-') > 10;
            if (zoned) {
                return OffsetDateTime.parse(s.replace('z', 'Z')).toInstant();
            }
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    Operator op() {
        return op;
    }

    SetOp set() {
        return set;
    }

    boolean ifExists() {
        return ifExists;
    }

    String key() {
        return key;
    }

    List<String> rawValues() {
        return rawValues;
    }

    /** Whether this condition holds for the request. */
    boolean test(RequestContext ctx) {
        List<String> requestValues = ctx.values(key);
        if (op == Operator.NULL) {
            boolean absent = requestValues.isEmpty();
            for (Object v : values) {
                if ((Boolean) v == absent) {
                    return true;
                }
            }
            return false;
        }
        if (requestValues.isEmpty()) {
            if (ifExists) {
                return true;
            }
            return switch (set) {
                case FOR_ALL_VALUES -> true;
                case FOR_ANY_VALUE -> false;
                case NONE -> op.negated;
            };
        }
        if (!op.negated) {
            if (set == SetOp.FOR_ALL_VALUES) {
                for (String r : requestValues) {
                    if (matchesAny(r, ctx) != MATCH) {
                        return false;
                    }
                }
                return true;
            }
            for (String r : requestValues) {
                if (matchesAny(r, ctx) == MATCH) {
                    return true;
                }
            }
            return false;
        }
        if (set == SetOp.FOR_ANY_VALUE) {
            for (String r : requestValues) {
                if (matchesAny(r, ctx) == NO_MATCH) {
                    return true;
                }
            }
            return false;
        }
        // Plain or ForAllValues negation: no request value may match any policy value.
        for (String r : requestValues) {
            if (matchesAny(r, ctx) != NO_MATCH) {
                return false;
            }
        }
        return true;
    }

    /** MATCH if the request value matches some policy value, else UNKNOWN if some could not be evaluated, else NO_MATCH. */
    private int matchesAny(String r, RequestContext ctx) {
        int result = NO_MATCH;
        switch (op.type) {
            case STRING, STRING_IGNORE_CASE -> {
                boolean ic = op.type == Type.STRING_IGNORE_CASE;
                for (Object v : values) {
                    String p = v instanceof Template t ? t.resolve(ctx) : (String) v;
                    if (p == null) {
                        result = UNKNOWN;
                    } else if (ic ? p.equalsIgnoreCase(r) : p.equals(r)) {
                        return MATCH;
                    }
                }
            }
            case STRING_LIKE -> {
                for (Object v : values) {
                    Glob g = v instanceof Template t ? t.resolveGlob(ctx, false) : (Glob) v;
                    if (g == null) {
                        result = UNKNOWN;
                    } else if (g.matches(r)) {
                        return MATCH;
                    }
                }
            }
            case ARN -> {
                String[] arn = r.split(":", ARN_SEGMENTS);
                for (Object v : values) {
                    Glob[] g;
                    if (v instanceof Template t) {
                        int[] tokens = t.resolveTokens(ctx);
                        g = tokens == null ? null : arnPattern(tokens);
                    } else {
                        g = (Glob[]) v;
                    }
                    if (g == null) {
                        result = UNKNOWN;
                    } else if (arnMatches(g, arn)) {
                        return MATCH;
                    }
                }
            }
            case NUMERIC -> {
                BigDecimal x = number(r);
                if (x == null) {
                    return UNKNOWN;
                }
                for (Object v : values) {
                    if (compare(x.compareTo((BigDecimal) v))) {
                        return MATCH;
                    }
                }
            }
            case DATE -> {
                Instant x = date(r);
                if (x == null) {
                    return UNKNOWN;
                }
                for (Object v : values) {
                    if (compare(x.compareTo((Instant) v))) {
                        return MATCH;
                    }
                }
            }
            case BOOL -> {
                boolean t = r.equalsIgnoreCase("true");
                if (!t && !r.equalsIgnoreCase("false")) {
                    return UNKNOWN;
                }
                for (Object v : values) {
                    if ((Boolean) v == t) {
                        return MATCH;
                    }
                }
            }
            case IP -> {
                byte[] addr = Cidr.parseAddress(r);
                if (addr == null) {
                    return UNKNOWN;
                }
                for (Object v : values) {
                    if (((Cidr) v).contains(addr)) {
                        return MATCH;
                    }
                }
            }
            case NULL -> throw new IllegalStateException("Null is handled by test()");
        }
        return result;
    }

    private static boolean arnMatches(Glob[] pattern, String[] arn) {
        if (pattern.length != arn.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            if (!pattern[i].matches(arn[i])) {
                return false;
            }
        }
        return true;
    }

    /** Applies the operator's comparison to a compareTo result (request value vs policy value). */
    private boolean compare(int c) {
        return switch (op.cmp) {
            case EQ -> c == 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }

    @Override
    public String toString() {
        return (set == SetOp.FOR_ANY_VALUE ? "ForAnyValue:" : set == SetOp.FOR_ALL_VALUES ? "ForAllValues:" : "")
                + op.awsName + (ifExists ? "IfExists" : "") + " " + key + " " + rawValues;
    }
}
