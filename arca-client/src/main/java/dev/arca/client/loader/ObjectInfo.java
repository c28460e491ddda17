package dev.arca.client.loader;

/**
 * What the first ranged GET of an object told the loader.
 *
 * @param key the object key
 * @param size the object's size, from {@code Content-Range} (0 for an empty object, which answers
 *     a ranged GET with 416 and {@code bytes *}{@code /0})
 * @param etag the ETag exactly as the server sent it (quoted), or null if it sent none
 */
public record ObjectInfo(String key, long size, String etag) {
}
