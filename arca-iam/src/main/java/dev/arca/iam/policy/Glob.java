package dev.arca.iam.policy;

/**
 * A compiled IAM wildcard pattern: {@code *} matches any run of characters (including none and
 * including '/' and ':'), {@code ?} exactly one. Matching is iterative with a single backtrack
 * point, so it is O(pattern × text) in the worst case and never exponential, unlike a regex.
 *
 * <p>A pattern is a sequence of tokens: a character code, {@link #STAR} or {@link #ONE}. A literal
 * '*' (from the policy escape {@code ${*}} or a substituted variable value) is the character code
 * 42 and matches only itself.
 */
final class Glob {
    static final int STAR = -1;
    static final int ONE = -2;

    private enum Shape { EXACT, ANY, PREFIX, GENERAL }

    private final int[] tokens;
    private final boolean ignoreCase;
    private final Shape shape;
    /** The literal for EXACT, or the literal prefix for PREFIX (lower-cased when ignoring case). */
    private final String literal;

    private Glob(int[] tokens, boolean ignoreCase) {
        this.tokens = tokens;
        this.ignoreCase = ignoreCase;
        int stars = 0;
        int ones = 0;
        for (int t : tokens) {
            if (t == STAR) {
                stars++;
            } else if (t == ONE) {
                ones++;
            }
        }
        if (stars == 0 && ones == 0) {
            shape = Shape.EXACT;
            literal = text(tokens, tokens.length);
        } else if (ones == 0 && stars == 1 && tokens[tokens.length - 1] == STAR) {
            shape = tokens.length == 1 ? Shape.ANY : Shape.PREFIX;
            literal = text(tokens, tokens.length - 1);
        } else {
            shape = Shape.GENERAL;
            literal = null;
        }
    }

    private String text(int[] t, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) t[i]);
        }
        return ignoreCase ? sb.toString().toLowerCase(java.util.Locale.ROOT) : sb.toString();
    }

    /** A pattern where '*' and '?' are wildcards and every other character is literal. */
    static Glob of(String pattern, boolean ignoreCase) {
        int[] t = new int[pattern.length()];
        for (int i = 0; i < t.length; i++) {
            char c = pattern.charAt(i);
            t[i] = c == '*' ? STAR : c == '?' ? ONE : fold(c, ignoreCase);
        }
        return new Glob(t, ignoreCase);
    }

    /** A pattern from tokens already built (wildcards and literal characters distinguished). */
    static Glob ofTokens(int[] tokens, boolean ignoreCase) {
        if (ignoreCase) {
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] >= 0) {
                    tokens[i] = fold((char) tokens[i], true);
                }
            }
        }
        return new Glob(tokens, ignoreCase);
    }

    private static int fold(char c, boolean ignoreCase) {
        return ignoreCase ? Character.toLowerCase(c) : c;
    }

    boolean matches(String s) {
        return switch (shape) {
            case ANY -> true;
            case EXACT -> ignoreCase ? s.equalsIgnoreCase(literal) : s.equals(literal);
            case PREFIX -> s.regionMatches(ignoreCase, 0, literal, 0, literal.length());
            case GENERAL -> general(s);
        };
    }

    private boolean general(String s) {
        int[] t = tokens;
        int p = 0;
        int i = 0;
        int starP = -1;
        int starI = 0;
        int n = s.length();
        while (i < n) {
            if (p < t.length && t[p] != STAR && (t[p] == ONE || t[p] == fold(s.charAt(i), ignoreCase))) {
                p++;
                i++;
            } else if (p < t.length && t[p] == STAR) {
                starP = p++;
                starI = i;
            } else if (starP >= 0) {
                // Let the last '*' swallow one more character and retry; earlier stars never need revisiting.
                p = starP + 1;
                i = ++starI;
            } else {
                return false;
            }
        }
        while (p < t.length && t[p] == STAR) {
            p++;
        }
        return p == t.length;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int x : tokens) {
            sb.append(x == STAR ? "*" : x == ONE ? "?" : String.valueOf((char) x));
        }
        return sb.toString();
    }
}
