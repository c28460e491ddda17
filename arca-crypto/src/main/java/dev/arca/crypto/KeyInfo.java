package dev.arca.crypto;

import java.util.List;

/**
 * What the key service tells about one named KEK (never its material).
 *
 * @param keyId             the key's id
 * @param description       free text given at creation
 * @param enabled           false once disabled: nothing sealed by it can be unsealed or created
 * @param currentGeneration the generation new DEKs are sealed with
 * @param generations       every generation whose material is still held, ascending
 * @param createdMillis     creation time
 */
public record KeyInfo(String keyId, String description, boolean enabled, int currentGeneration,
        List<Integer> generations, long createdMillis) {
    public KeyInfo {
        generations = List.copyOf(generations);
    }
}
