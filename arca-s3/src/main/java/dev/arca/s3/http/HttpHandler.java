package dev.arca.s3.http;

/**
 * Handles one request, called by the transport on a virtual thread; may block. It must not throw
 * for expected failures (it answers them); anything it throws is answered as a 500 by the transport.
 */
@FunctionalInterface
public interface HttpHandler {
    HttpResponse handle(HttpExchange exchange);
}
