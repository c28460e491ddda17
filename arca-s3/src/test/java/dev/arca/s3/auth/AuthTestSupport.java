package dev.arca.s3.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The AWS documentation's example credentials and time, and small helpers. */
final class AuthTestSupport {
    static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String REGION = "us-east-1";
    static final String HOST = "examplebucket.s3.amazonaws.com";
    /** 20130524T000000Z, the time of every AWS example. */
    static final Instant T0 = Instant.parse("2013-05-24T00:00:00Z");

    static final Credential CREDENTIAL = new Credential(ACCESS_KEY, SECRET_KEY, "owner-1", "alice");
    static final CredentialProvider PROVIDER =
            (id, token) -> id.equals(ACCESS_KEY) ? Optional.of(CREDENTIAL) : Optional.empty();
    static final SigV4Signer SIGNER = new SigV4Signer(ACCESS_KEY, SECRET_KEY, REGION);

    private AuthTestSupport() {}

    static SigV4Authenticator authenticator(Instant now) {
        return new SigV4Authenticator(PROVIDER, InstantSource.fixed(now), REGION);
    }

    static AuthenticatedRequest authenticate(TestExchange exchange) {
        return authenticator(T0).authenticate(exchange);
    }

    static Headers headers(String... namesAndValues) {
        Headers h = new Headers();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    static Headers copy(Headers headers) {
        Headers out = new Headers();
        headers.asMap().forEach((name, values) -> values.forEach(v -> out.add(name, v)));
        return out;
    }

    static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** {@code body} with the first occurrence of {@code from} replaced (the text must occur). */
    static byte[] replaceFirst(byte[] body, String from, String to) {
        String s = text(body);
        int at = s.indexOf(from);
        assertThat(at).as("'%s' occurs in the body", from).isNotNegative();
        return ascii(s.substring(0, at) + to + s.substring(at + from.length()));
    }

    /** Runs {@code call}, asserts it threw a StoreException of {@code kind}, and returns it. */
    static StoreException failsWith(FailureKind kind, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(StoreException.class);
        StoreException e = (StoreException) thrown;
        assertThat(e.kind()).as("failure kind of: %s", e.getMessage()).isEqualTo(kind);
        return e;
    }
}
