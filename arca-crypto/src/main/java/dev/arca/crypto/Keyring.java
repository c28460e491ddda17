package dev.arca.crypto;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * An immutable snapshot of the keyring: the metadata key and every KEK with the generations it still
 * holds. {@link BuiltinKeyService} replaces the whole snapshot on each change, so readers need no
 * lock. {@link #encode()} / {@link #decode} give the plaintext payload of the keyring file.
 */
record Keyring(byte[] metadataKey, SortedMap<String, Kek> keks) {
    /** Longest description createKey accepts (AWS KMS's limit). */
    static final int MAX_DESCRIPTION_CHARS = 8192;
    private static final int KEY_ID_LENGTH_BYTES = Short.BYTES;
    private static final int FLAG_BYTES = 1;

    Keyring {
        keks = Collections.unmodifiableSortedMap(new TreeMap<>(keks));
    }

    /** One generation (version of the material) of a KEK. */
    record Generation(int number, byte[] material, long createdMillis, SecretKeySpec key) {
        static Generation of(int number, byte[] material, long createdMillis) {
            return new Generation(number, material, createdMillis, Aead.aesKey(material));
        }
    }

    /** A named KEK; {@code generations} is ascending and always holds {@code currentGeneration}. */
    record Kek(String id, String description, boolean enabled, long createdMillis, int currentGeneration,
            SortedMap<Integer, Generation> generations) {
        Kek {
            generations = Collections.unmodifiableSortedMap(new TreeMap<>(generations));
        }

        Generation current() {
            return generations.get(currentGeneration);
        }

        Kek withEnabled(boolean on) {
            return new Kek(id, description, on, createdMillis, currentGeneration, generations);
        }

        Kek withGeneration(Generation added) {
            SortedMap<Integer, Generation> more = new TreeMap<>(generations);
            more.put(added.number(), added);
            return new Kek(id, description, enabled, createdMillis, added.number(), more);
        }

        Kek withoutGenerationsBelow(int keepFrom) {
            return new Kek(id, description, enabled, createdMillis, currentGeneration, generations.tailMap(keepFrom));
        }

        KeyInfo info() {
            return new KeyInfo(id, description, enabled, currentGeneration, List.copyOf(generations.keySet()),
                    createdMillis);
        }
    }

    Keyring with(Kek kek) {
        SortedMap<String, Kek> next = new TreeMap<>(keks);
        next.put(kek.id(), kek);
        return new Keyring(metadataKey, next);
    }

    /** Overwrites every key held in this snapshot (on close). */
    void wipe() {
        Aead.wipe(metadataKey);
        for (Kek kek : keks.values()) {
            for (Generation g : kek.generations().values()) {
                Aead.wipe(g.material());
            }
        }
    }

    /**
     * The payload: metadata key (32), u32 KEK count, then per KEK: u16 id length + id (UTF-8), u32
     * description length + description (UTF-8), u8 enabled, i64 created ms, u32 current generation,
     * u32 generation count, then per generation: u32 number, material (32), i64 created ms. Big-endian.
     * Sized exactly so no stray copy of key material is left in a growing buffer.
     */
    byte[] encode() {
        List<byte[]> ids = new ArrayList<>();
        List<byte[]> descriptions = new ArrayList<>();
        int size = Aead.KEY_BYTES + Integer.BYTES;
        for (Kek kek : keks.values()) {
            byte[] id = kek.id().getBytes(StandardCharsets.UTF_8);
            byte[] description = kek.description().getBytes(StandardCharsets.UTF_8);
            ids.add(id);
            descriptions.add(description);
            size += KEY_ID_LENGTH_BYTES + id.length + Integer.BYTES + description.length + FLAG_BYTES + Long.BYTES
                    + Integer.BYTES + Integer.BYTES;
            size += kek.generations().size() * (Integer.BYTES + Aead.KEY_BYTES + Long.BYTES);
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(metadataKey).putInt(keks.size());
        int i = 0;
        for (Kek kek : keks.values()) {
            buf.putShort((short) ids.get(i).length).put(ids.get(i));
            buf.putInt(descriptions.get(i).length).put(descriptions.get(i));
            buf.put((byte) (kek.enabled() ? 1 : 0)).putLong(kek.createdMillis()).putInt(kek.currentGeneration());
            buf.putInt(kek.generations().size());
            for (Generation g : kek.generations().values()) {
                buf.putInt(g.number()).put(g.material()).putLong(g.createdMillis());
            }
            i++;
        }
        return buf.array();
    }

    /** The keyring encoded by {@link #encode()}; IOException (naming {@code where}) if malformed. */
    static Keyring decode(byte[] payload, String where) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        try {
            byte[] metadataKey = bytes(buf, Aead.KEY_BYTES);
            int kekCount = buf.getInt();
            if (kekCount < 0) {
                throw malformed(where, "negative key count");
            }
            SortedMap<String, Kek> keks = new TreeMap<>();
            for (int k = 0; k < kekCount; k++) {
                String id = string(buf, Short.toUnsignedInt(buf.getShort()));
                String description = string(buf, buf.getInt());
                byte enabled = buf.get();
                if (enabled != 0 && enabled != 1) {
                    throw malformed(where, "bad enabled flag of " + id);
                }
                long createdMillis = buf.getLong();
                int current = buf.getInt();
                int generationCount = buf.getInt();
                if (generationCount < 1) {
                    throw malformed(where, "key " + id + " holds no generation");
                }
                SortedMap<Integer, Generation> generations = new TreeMap<>();
                for (int g = 0; g < generationCount; g++) {
                    int number = buf.getInt();
                    byte[] material = bytes(buf, Aead.KEY_BYTES);
                    long generationCreated = buf.getLong();
                    if (number < 1 || generations.put(number, Generation.of(number, material, generationCreated)) != null) {
                        throw malformed(where, "bad generation " + number + " of " + id);
                    }
                }
                if (!generations.containsKey(current) || generations.lastKey() != current) {
                    throw malformed(where, "current generation " + current + " of " + id + " is not its newest");
                }
                if (!BuiltinKeyService.isValidKeyId(id) || keks.put(id, new Kek(id, description, enabled == 1,
                        createdMillis, current, generations)) != null) {
                    throw malformed(where, "bad or repeated key id");
                }
            }
            if (buf.hasRemaining()) {
                throw malformed(where, buf.remaining() + " trailing bytes");
            }
            return new Keyring(metadataKey, keks);
        } catch (CharacterCodingException e) {
            throw new IOException(where + " is malformed: a name is not UTF-8", e);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException(where + " is malformed (cut short or a bad length)", e);
        }
    }

    private static byte[] bytes(ByteBuffer buf, int length) {
        if (length < 0 || length > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] out = new byte[length];
        buf.get(out);
        return out;
    }

    private static String string(ByteBuffer buf, int length) throws CharacterCodingException {
        byte[] raw = bytes(buf, length);
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    }

    private static IOException malformed(String where, String why) {
        return new IOException(where + " is malformed: " + why);
    }
}
