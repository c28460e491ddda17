package dev.arca.iam.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A policy string that may hold policy variables ({@code ${aws:username}}, {@code ${s3:prefix}},
 * {@code ${key, 'default'}}) and the escapes {@code ${*}}, {@code ${?}}, {@code ${$}}. Parsed once;
 * a string without variables compiles to a constant. A variable's value is always literal text: a
 * '*' in a user name is not a wildcard.
 *
 * <p>A variable resolves when its key has exactly one value in the request (a multivalued key
 * cannot be substituted); otherwise its default is used, and without a default the whole string
 * is unresolved, which the caller treats as "this element does not apply".
 */
final class Template {
    /** Longest variable name accepted; real keys are far shorter. */
    static final int MAX_VARIABLE_NAME = 128;

    private sealed interface Part permits Text, Literal, Var {}

    /** Policy text: '*' and '?' in it are wildcards where the caller globs. */
    private record Text(String text) implements Part {}

    /** A character from an escape: never a wildcard. */
    private record Literal(char c) implements Part {}

    private record Var(String key, String fallback) implements Part {}

    private final String raw;
    private final List<Part> parts;
    private final boolean variables;
    /** The case-sensitive glob, precompiled when there are no variables. */
    private final Glob glob;

    private Template(String raw, List<Part> parts) {
        this.raw = raw;
        this.parts = parts;
        this.variables = parts.stream().anyMatch(p -> p instanceof Var);
        this.glob = variables ? null : Glob.ofTokens(resolveTokens(null), false);
    }

    /**
     * Parses a policy string.
     *
     * @param substitute whether policy variables apply (Version 2012-10-17); if not, the text is
     *                   taken as written, "${" included
     */
    static Template parse(String raw, boolean substitute) {
        if (!substitute || !raw.contains("${")) {
            return new Template(raw, List.of(new Text(raw)));
        }
        List<Part> parts = new ArrayList<>();
        int i = 0;
        int textStart = 0;
        while (true) {
            int v = raw.indexOf("${", i);
            if (v < 0) {
                break;
            }
            if (v > textStart) {
                parts.add(new Text(raw.substring(textStart, v)));
            }
            i = parseVariable(raw, v + 2, parts);
            textStart = i;
        }
        if (textStart < raw.length()) {
            parts.add(new Text(raw.substring(textStart)));
        }
        return new Template(raw, List.copyOf(parts));
    }

    /** Parses the body of one ${...} starting after "${"; returns the index after the closing brace. */
    private static int parseVariable(String raw, int start, List<Part> out) {
        int close = raw.indexOf('}', start);
        if (close == start + 1) {
            char c = raw.charAt(start);
            if (c == '*' || c == '?' || c == '$') {
                out.add(new Literal(c));
                return close + 1;
            }
        }
        int i = start;
        while (i < raw.length() && raw.charAt(i) == ' ') {
            i++;
        }
        int nameStart = i;
        while (i < raw.length() && isNameChar(raw.charAt(i))) {
            i++;
        }
        String name = raw.substring(nameStart, i);
        if (name.isEmpty() || name.length() > MAX_VARIABLE_NAME || name.indexOf(':') <= 0) {
            throw invalid(raw);
        }
        while (i < raw.length() && raw.charAt(i) == ' ') {
            i++;
        }
        String fallback = null;
        if (i < raw.length() && raw.charAt(i) == ',') {
            i++;
            while (i < raw.length() && raw.charAt(i) == ' ') {
                i++;
            }
            if (i >= raw.length() || raw.charAt(i) != '\'') {
                throw invalid(raw);
            }
            i++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= raw.length()) {
                    throw invalid(raw);
                }
                char c = raw.charAt(i++);
                if (c == '\'') {
                    if (i < raw.length() && raw.charAt(i) == '\'') {
                        sb.append('\''); // '' is an escaped quote
                        i++;
                        continue;
                    }
                    break;
                }
                sb.append(c);
            }
            fallback = sb.toString();
            while (i < raw.length() && raw.charAt(i) == ' ') {
                i++;
            }
        }
        if (i >= raw.length() || raw.charAt(i) != '}') {
            throw invalid(raw);
        }
        out.add(new Var(name, fallback));
        return i + 1;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == ':' || c == '/' || c == '-' || c == '_' || c == '.' || c == '@' || c == '+' || c == '=';
    }

    private static PolicyException invalid(String raw) {
        return new PolicyException("Invalid policy variable in \"" + raw + "\"");
    }

    String raw() {
        return raw;
    }

    boolean hasVariables() {
        return variables;
    }

    /** The string with escapes applied, for a template without variables. */
    String constant() {
        if (variables) {
            throw new IllegalStateException("template has variables: " + raw);
        }
        return resolve(null);
    }

    /** The precompiled case-sensitive glob of a template without variables; null if it has variables. */
    Glob glob() {
        return glob;
    }

    /** The string with variables substituted, or null when a variable has no value. */
    String resolve(RequestContext ctx) {
        if (parts.size() == 1 && parts.getFirst() instanceof Text(String t)) {
            return t;
        }
        StringBuilder sb = new StringBuilder(raw.length() + 16);
        for (Part p : parts) {
            switch (p) {
                case Text(String t) -> sb.append(t);
                case Literal(char c) -> sb.append(c);
                case Var v -> {
                    String value = value(v, ctx);
                    if (value == null) {
                        return null;
                    }
                    sb.append(value);
                }
            }
        }
        return sb.toString();
    }

    /** The glob with variables substituted as literal text, or null when a variable has no value. */
    Glob resolveGlob(RequestContext ctx, boolean ignoreCase) {
        int[] tokens = resolveTokens(ctx);
        return tokens == null ? null : Glob.ofTokens(tokens, ignoreCase);
    }

    /**
     * Glob tokens (see {@link Glob}) with variables substituted as literal characters, or null when
     * a variable has no value.
     */
    int[] resolveTokens(RequestContext ctx) {
        int[] tokens = new int[raw.length() + 16];
        int n = 0;
        for (Part p : parts) {
            String literal;
            switch (p) {
                case Text(String t) -> {
                    tokens = ensure(tokens, n + t.length());
                    for (int k = 0; k < t.length(); k++) {
                        char c = t.charAt(k);
                        tokens[n++] = c == '*' ? Glob.STAR : c == '?' ? Glob.ONE : c;
                    }
                    continue;
                }
                case Literal(char c) -> literal = String.valueOf(c);
                case Var v -> {
                    literal = value(v, ctx);
                    if (literal == null) {
                        return null;
                    }
                }
            }
            tokens = ensure(tokens, n + literal.length());
            for (int k = 0; k < literal.length(); k++) {
                tokens[n++] = literal.charAt(k);
            }
        }
        return java.util.Arrays.copyOf(tokens, n);
    }

    private static int[] ensure(int[] a, int size) {
        return size <= a.length ? a : java.util.Arrays.copyOf(a, Math.max(size, a.length * 2));
    }

    private static String value(Var v, RequestContext ctx) {
        if (ctx != null) {
            List<String> values = ctx.values(v.key());
            if (values.size() == 1) {
                return values.getFirst();
            }
        }
        return v.fallback();
    }

    @Override
    public String toString() {
        return raw;
    }
}
