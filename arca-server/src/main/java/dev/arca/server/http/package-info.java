/**
 * The HTTP/1.1 transport: the only package in Arca that imports Netty. {@link
 * dev.arca.server.http.NettyHttpServer} adapts Netty to the transport-neutral contract in
 * {@code dev.arca.s3.http}: each request runs its handler on a virtual thread, request and response
 * bodies stream with bounded buffering in both directions, and keep-alive, pipelining and
 * {@code Expect: 100-continue} follow HTTP/1.1. TLS ({@link dev.arca.server.http.ServerTls}) is a
 * second listener whose connections start with an {@code SslHandler}.
 */
package dev.arca.server.http;
