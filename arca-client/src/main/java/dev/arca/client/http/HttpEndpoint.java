package dev.arca.client.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where to connect: a plain-HTTP host and port.
 *
 * @param host a host name or IP literal; IPv6 literals without brackets
 * @param port the TCP port
 */
public record HttpEndpoint(String host, int port) {

    /** The port used when a URL names none. */
    public static final int DEFAULT_PORT = 80;
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

    /**
     * Parses {@code http://host[:port][/]}. Anything else (https, a path, a query, user info) is
     * rejected, because this client neither speaks TLS nor prefixes request targets.
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
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException("only http:// endpoints are supported: " + url);
        }
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
        return new HttpEndpoint(host, uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort());
    }

    /** The value of the Host header: the port is left out when it is the default one. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == DEFAULT_PORT ? h : h + ":" + port;
    }

    /** The endpoint as a URL, for reports. */
    public String url() {
        return "http://" + hostHeader();
    }
}
