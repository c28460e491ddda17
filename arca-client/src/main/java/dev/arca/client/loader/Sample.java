package dev.arca.client.loader;

/**
 * One object of a {@link MapDataset}, read whole and verified.
 *
 * @param key the object key
 * @param data its bytes (owned by the caller)
 */
public record Sample(String key, byte[] data) {
}
