package dev.arca.iam.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GlobAndCidrTest {
    @Test
    void globBasics() {
        assertThat(Glob.of("*", false).matches("")).isTrue();
        assertThat(Glob.of("", false).matches("")).isTrue();
        assertThat(Glob.of("", false).matches("a")).isFalse();
        assertThat(Glob.of("a*", false).matches("a")).isTrue();
        assertThat(Glob.of("a*", false).matches("ba")).isFalse();
        assertThat(Glob.of("*a", false).matches("ba")).isTrue();
        assertThat(Glob.of("a?c", false).matches("abc")).isTrue();
        assertThat(Glob.of("a?c", false).matches("ac")).isFalse();
        assertThat(Glob.of("a*b*c", false).matches("axxbyyc")).isTrue();
        assertThat(Glob.of("a*b*c", false).matches("axxbyy")).isFalse();
        assertThat(Glob.of("S3:Get*", true).matches("s3:getobject")).isTrue();
        assertThat(Glob.of("s3:get*", false).matches("s3:GetObject")).isFalse();
        assertThat(Glob.of("a**b", false).matches("ab")).isTrue();
    }

    @Test
    void globAgreesWithARegexReference() {
        long seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println("GlobAndCidrTest seed: " + seed + " (replay with -Darca.seed=" + seed + ")");
        SplittableRandom rnd = new SplittableRandom(seed);
        String alphabet = "ab*?";
        for (int i = 0; i < 50_000; i++) {
            String pattern = random(rnd, alphabet, 8);
            String text = random(rnd, "ab", 10);
            boolean ignoreCase = rnd.nextBoolean();
            if (ignoreCase && rnd.nextBoolean()) {
                text = text.toUpperCase(java.util.Locale.ROOT);
            }
            StringBuilder re = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            boolean expected = Pattern.compile(re.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE : 0))
                    .matcher(text).matches();
            assertThat(Glob.of(pattern, ignoreCase).matches(text)).as("seed %d: %s vs %s", seed, pattern, text).isEqualTo(expected);
        }
    }

    private static String random(SplittableRandom rnd, String alphabet, int maxLen) {
        int n = rnd.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void pathologicalPatternsStayCheap() {
        // A backtracking regex takes exponential time on this; the iterative matcher is quadratic at worst.
        String pattern = "*a".repeat(50) + "b";
        String text = "a".repeat(10_000);
        assertThat(Glob.of(pattern, false).matches(text)).isFalse();
        assertThat(Glob.of(pattern, false).matches(text + "b")).isTrue();
    }

    @Test
    void cidrParsing() {
        assertThat(Cidr.parse("192.0.2.0/24")).isEqualTo(new Cidr(new byte[] {(byte) 192, 0, 2, 0}, 24));
        assertThat(Cidr.parse("192.0.2.77/24")).isEqualTo(Cidr.parse("192.0.2.0/24"));
        assertThat(Cidr.parse("10.1.2.3")).isEqualTo(new Cidr(new byte[] {10, 1, 2, 3}, 32));
        assertThat(Cidr.parse("::/0").prefix()).isZero();
        assertThat(Cidr.parse("::1").network()).hasSize(16);
        assertThat(Cidr.parse("2001:db8::ff00:42:8329")).isNotNull();
        assertThat(Cidr.parse("2001:0db8:0000:0000:0000:ff00:0042:8329")).isEqualTo(Cidr.parse("2001:db8::ff00:42:8329"));
        assertThat(Cidr.parse("::ffff:192.0.2.1/128")).isNotNull();
        assertThat(Cidr.parse("1::")).isNotNull();
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/", "1.2.3.4/33",
                "1.2.3.4/08", "1.2.3.4/-1", "a.b.c.d", "1.2.3.4 ", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
                ":1::", "1:", "12345::", "::g", "fe80::1%eth0", "::/129", "localhost", "1.2.3.4/24/1"}) {
            assertThat(Cidr.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void cidrContains() {
        Cidr v4 = Cidr.parse("10.20.0.0/14");
        assertThat(v4.contains(Cidr.parseAddress("10.23.255.255"))).isTrue();
        assertThat(v4.contains(Cidr.parseAddress("10.24.0.0"))).isFalse();
        assertThat(v4.contains(Cidr.parseAddress("::ffff:10.21.0.1"))).isTrue();
        assertThat(v4.contains(Cidr.parseAddress("::10.21.0.1"))).isFalse();
        Cidr v6 = Cidr.parse("2001:db8:abcd::/45");
        assertThat(v6.contains(Cidr.parseAddress("2001:db8:abcf:1::1"))).isTrue();
        assertThat(v6.contains(Cidr.parseAddress("2001:db8:abd0::1"))).isFalse();
        assertThat(v6.contains(Cidr.parseAddress("10.0.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.parseAddress("255.255.255.255"))).isTrue();
    }
}
