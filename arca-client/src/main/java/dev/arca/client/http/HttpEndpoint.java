package dev.arca.client.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where to connect: a host and port, over plain HTTP or HTTPS.
 *
 * @param host a host name or IP literal; IPv6 literals without brackets
 * @param port the TCP port
 * @param tls whether to speak TLS (an {@code https://} endpoint)
 */
public record HttpEndpoint(String host, int port, boolean tls) {

    /** The port used when an http URL names none. */
    public static final int DEFAULT_PORT = 80;
    /** The port used when an https URL names none. */
    public static final int DEFAULT_TLS_PORT = 443;
    private static final int MAX_PORT = 65_535;

    /** Checks the port range and that a host is present. */
    public HttpEndpoint {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > MAX_PORT) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** A plain-HTTP endpoint. */
    public HttpEndpoint(String host, int port) {
        this(host, port, false);
    }

    /**
     * Parses {@code http://host[:port][/]} or {@code https://host[:port][/]}. Anything else (a
     * path, a query, user info) is rejected, because this client does not prefix request targets.
     *
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static HttpEndpoint parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("only http:// and https:// endpoints are supported: " + url);
        }
        boolean tls = scheme.equals("https");
        String host = uri.getHost();
        if (host == null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("endpoint needs a host (and no user info): " + url);
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("endpoint must not have a path or query: " + url);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new HttpEndpoint(host, uri.getPort() != -1 ? uri.getPort() : tls ? DEFAULT_TLS_PORT : DEFAULT_PORT, tls);
    }

    /** The value of the Host header: the port is left out when it is the default one. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == (tls ? DEFAULT_TLS_PORT : DEFAULT_PORT) ? h : h + ":" + port;
    }

    /** The endpoint as a URL, for reports. */
    public String url() {
        return (tls ? "https://" : "http://") + hostHeader();
    }
}
