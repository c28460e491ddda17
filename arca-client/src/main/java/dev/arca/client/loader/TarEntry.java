package dev.arca.client.loader;

/**
 * A regular file in a tar archive.
 *
 * @param name the full path: PAX {@code path}, GNU long name, or ustar prefix + name
 * @param size the content length in bytes
 */
public record TarEntry(String name, long size) {
}
