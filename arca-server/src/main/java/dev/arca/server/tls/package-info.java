/**
 * The server's TLS key and certificate: PEM loading and the self-signed certificate generated for
 * the embedded default. The only package that uses Bouncy Castle; the Netty side of TLS lives in
 * {@code dev.arca.server.http}.
 */
package dev.arca.server.tls;
