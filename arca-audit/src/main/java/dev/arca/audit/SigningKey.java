package dev.arca.audit;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * The Ed25519 key pair that signs checkpoints, kept in {@code audit-signing.key}:
 * {@code "ARCAAKEY" | version u32 | privLen u16 | PKCS#8 private | pubLen u16 | X.509 public | CRC32C u32},
 * mode 600, written with tmp + fsync + rename.
 */
final class SigningKey {
    static final byte[] MAGIC = "ARCAAKEY".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 1;
    static final String ALGORITHM = "Ed25519";
    /** Generous bound for the two encodings (48 and 44 bytes for Ed25519). */
    private static final int MAX_ENCODED_KEY_BYTES = 1_024;
    private static final String OWNER_ONLY = "rw-------";
    /** Signs and verifies a probe at load, so a mismatched pair fails at open, not at verify. */
    private static final byte[] PROBE = "arca audit key probe".getBytes(StandardCharsets.US_ASCII);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Signature signer;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) throws IOException {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        try {
            this.signer = Signature.getInstance(ALGORITHM);
            byte[] sig = signWith(signer, privateKey, PROBE);
            if (!verify(publicKey, PROBE, sig)) {
                throw new IOException("audit signing key: private and public keys do not belong together");
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("audit signing key unusable: " + e.getMessage(), e);
        }
    }

    /** Loads {@code file}, or creates it with a new key pair drawn from {@code entropy}. */
    static SigningKey loadOrCreate(Path file, Entropy entropy) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        KeyPair pair;
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance(ALGORITHM);
            gen.initialize(NamedParameterSpec.ED25519, new EntropyRandom(entropy));
            pair = gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate the audit signing key: " + e.getMessage(), e);
        }
        byte[] content = format(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded());
        Path tmp = file.resolveSibling(file.getFileName() + LogFormat.TMP_SUFFIX);
        Files.deleteIfExists(tmp);
        if (tmp.toAbsolutePath().getParent().getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
        } else {
            Files.createFile(tmp);
        }
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            LogFormat.writeFully(ch, ByteBuffer.wrap(content));
            ch.force(true);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
            return load(file);
        }
        LogFormat.fsyncDirectory(file.toAbsolutePath().getParent());
        return new SigningKey(pair.getPrivate(), pair.getPublic());
    }

    static SigningKey load(Path file) throws IOException {
        byte[][] parts = parse(Files.readAllBytes(file), file);
        try {
            KeyFactory kf = KeyFactory.getInstance(ALGORITHM);
            return new SigningKey(kf.generatePrivate(new PKCS8EncodedKeySpec(parts[0])),
                    kf.generatePublic(new X509EncodedKeySpec(parts[1])));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " does not hold an Ed25519 key pair: " + e.getMessage(), e);
        } finally {
            Arrays.fill(parts[0], (byte) 0);
        }
    }

    /** The public key stored in {@code file}, without touching the private key's use. */
    static PublicKey readPublic(Path file) throws IOException {
        byte[][] parts = parse(Files.readAllBytes(file), file);
        Arrays.fill(parts[0], (byte) 0);
        return decodePublic(parts[1]);
    }

    /** A public key from the base64 of its X.509 encoding (what {@link #publicKeyBase64()} prints). */
    static PublicKey decodePublicBase64(String b64) {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("public key is not base64: " + e.getMessage(), e);
        }
        try {
            return decodePublic(der);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (base64 of its X.509 encoding expected)", e);
        }
    }

    private static PublicKey decodePublic(byte[] der) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    static byte[] format(byte[] privateDer, byte[] publicDer) {
        ByteBuffer buf = ByteBuffer.allocate(MAGIC.length + 4 + 2 + privateDer.length + 2 + publicDer.length + 4);
        buf.put(MAGIC).putInt(FORMAT_VERSION)
                .putShort((short) privateDer.length).put(privateDer)
                .putShort((short) publicDer.length).put(publicDer);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    /** {private DER, public DER}; the caller clears the private part. */
    private static byte[][] parse(byte[] content, Path file) throws IOException {
        try {
            if (content.length < MAGIC.length + 4 + 2 + 2 + 4
                    || !Arrays.equals(content, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new IOException(file + " is not an Arca audit signing key file");
            }
            CRC32C crc = new CRC32C();
            crc.update(content, 0, content.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(content, content.length - 4, 4).getInt()) {
                throw new IOException(file + " is damaged (checksum mismatch)");
            }
            ByteBuffer buf = ByteBuffer.wrap(content, MAGIC.length, content.length - MAGIC.length - 4);
            int version = buf.getInt();
            if (version != FORMAT_VERSION) {
                throw new IOException(file + " has unsupported audit key format version " + version);
            }
            byte[] priv = field(buf, file);
            byte[] pub = field(buf, file);
            if (buf.hasRemaining()) {
                throw new IOException(file + " has trailing bytes");
            }
            return new byte[][] {priv, pub};
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    private static byte[] field(ByteBuffer buf, Path file) throws IOException {
        if (buf.remaining() < 2) {
            throw new IOException(file + " is truncated");
        }
        int n = Short.toUnsignedInt(buf.getShort());
        if (n > MAX_ENCODED_KEY_BYTES || n > buf.remaining()) {
            throw new IOException(file + " is truncated");
        }
        byte[] out = new byte[n];
        buf.get(out);
        return out;
    }

    /** Signs on the writer thread only (the Signature object is not thread-safe). */
    byte[] sign(byte[] message) {
        try {
            return signWith(signer, privateKey, message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    private static byte[] signWith(Signature s, PrivateKey key, byte[] message) throws GeneralSecurityException {
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    PublicKey publicKey() {
        return publicKey;
    }

    String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** Lets the injected {@link Entropy} drive key generation, so tests can replay a key. */
    private static final class EntropyRandom extends SecureRandom {
        EntropyRandom(Entropy entropy) {
            super(new Spi(entropy), null);
        }

        private static final class Spi extends SecureRandomSpi {
            private final transient Entropy entropy;

            Spi(Entropy entropy) {
                this.entropy = entropy;
            }

            @Override
            protected void engineSetSeed(byte[] seed) {
                // The injected source is already seeded.
            }

            @Override
            protected void engineNextBytes(byte[] bytes) {
                entropy.nextBytes(bytes);
            }

            @Override
            protected byte[] engineGenerateSeed(int numBytes) {
                byte[] b = new byte[numBytes];
                entropy.nextBytes(b);
                return b;
            }
        }
    }
}
