/**
 * A minimal blocking HTTP/1.1 client: one keep-alive connection per thread, fixed-length request
 * bodies written from a byte array in bounded pieces, response bodies streamed in bulk through a
 * reusable buffer. Made for measuring servers, so it allocates little and copies once.
 */
package dev.arca.client.http;
