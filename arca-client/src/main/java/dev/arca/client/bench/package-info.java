/**
 * {@code arca-bench}: measures an S3 endpoint with large and small PUT/GET phases and prints one
 * JSON line per phase. Entry point: {@link dev.arca.client.bench.BenchMain}.
 */
package dev.arca.client.bench;
