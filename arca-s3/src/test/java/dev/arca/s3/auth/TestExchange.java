package dev.arca.s3.auth;

import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;

/** A fixed request to drive the authenticator with. */
record TestExchange(
        String method,
        String rawPath,
        String rawQuery,
        Headers headers,
        InputStream body,
        long contentLength,
        InetSocketAddress remoteAddress,
        boolean secure)
        implements HttpExchange {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    static TestExchange of(String method, String rawPath, String rawQuery, Headers headers, byte[] body) {
        return new TestExchange(
                method, rawPath, rawQuery, headers, new ByteArrayInputStream(body), body.length, CLIENT, false);
    }

    static TestExchange of(String method, String rawPath, String rawQuery, Headers headers) {
        return of(method, rawPath, rawQuery, headers, new byte[0]);
    }

    /** The same request whose body stream hands out at most {@code maxPerRead} bytes per read. */
    TestExchange trickling(int maxPerRead) {
        return new TestExchange(
                method, rawPath, rawQuery, headers, new TricklingInputStream(body, maxPerRead), contentLength,
                remoteAddress, secure);
    }
}
