package dev.arca.server;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

/**
 * The root account's access key. From {@code ARCA_ROOT_ACCESS_KEY} / {@code ARCA_ROOT_SECRET_KEY}
 * when both are set; otherwise from {@code <data>/root-credentials}, which is generated (mode
 * 0600) on first start and kept.
 */
public record RootCredentials(String accessKey, String secretKey, boolean generated) {
    static final String FILE = "root-credentials";
    private static final String ACCESS_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static final int ACCESS_KEY_LENGTH = 20;
    static final int SECRET_KEY_LENGTH = 40;

    public RootCredentials {
        if (accessKey.length() < 3 || accessKey.length() > 128 || !accessKey.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigLoader.ConfigException("root access key must be 3-128 characters of letters, digits, '.', '_' or '-'");
        }
        if (secretKey.length() < 8 || secretKey.length() > 128) {
            throw new ConfigLoader.ConfigException("root secret key must be 8-128 characters");
        }
    }

    public static RootCredentials load(Path dataDir, Map<String, String> env, Entropy entropy) {
        String ak = env.get("ARCA_ROOT_ACCESS_KEY");
        String sk = env.get("ARCA_ROOT_SECRET_KEY");
        if (ak != null || sk != null) {
            if (ak == null || sk == null) {
                throw new ConfigLoader.ConfigException("set both ARCA_ROOT_ACCESS_KEY and ARCA_ROOT_SECRET_KEY, or neither");
            }
            return new RootCredentials(ak, sk, false);
        }
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                String a = p.getProperty("access_key");
                String s = p.getProperty("secret_key");
                if (a == null || s == null) {
                    throw new ConfigLoader.ConfigException(file + " is damaged: it must hold access_key and secret_key");
                }
                return new RootCredentials(a, s, false);
            }
            RootCredentials created = new RootCredentials(random(entropy, ACCESS_ALPHABET, ACCESS_KEY_LENGTH),
                    random(entropy, SECRET_ALPHABET, SECRET_KEY_LENGTH), true);
            Path tmp = dataDir.resolve(FILE + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, "# Arca root credentials, generated on first start. Keep secret.\naccess_key=" + created.accessKey
                    + "\nsecret_key=" + created.secretKey + "\n", StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static String random(Entropy entropy, String alphabet, int length) {
        byte[] bytes = new byte[length];
        entropy.nextBytes(bytes);
        StringBuilder sb = new StringBuilder(length);
        for (byte b : bytes) {
            sb.append(alphabet.charAt((b & 0xFF) % alphabet.length()));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "RootCredentials[" + accessKey + "]";
    }
}
