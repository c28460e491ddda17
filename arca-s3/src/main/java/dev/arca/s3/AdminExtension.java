package dev.arca.s3;

import java.util.Map;

/**
 * One admin API resource served under {@code /_arca/admin/<name>} by code outside the S3 layer
 * (restore jobs, quarantine, protected buckets), for the system root only like the rest of the admin
 * API. Implementations are thread-safe.
 */
public interface AdminExtension {
    /** The path segment after {@code /_arca/admin/}: lower-case letters and '-'. */
    String name();

    /**
     * Serves one request and returns its JSON answer (status 200). Expected failures are
     * {@link dev.arca.core.StoreException}s (InvalidRequest for bad parameters, MethodNotAllowed...).
     *
     * @param method upper-case HTTP method
     * @param query  the decoded query parameters (a parameter without value maps to "")
     */
    String handle(String method, Map<String, String> query);
}
