package dev.arca.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * The server's TLS identity: a private key and the certificate chain that goes with it, read from
 * PEM files ({@link #load}), or a self-signed one the server generates for itself on first start
 * and reuses afterwards ({@link #selfSigned}). The one place in Arca that uses Bouncy Castle (the
 * JDK has no public API to build a certificate); signing itself goes through the JDK's providers.
 *
 * @param key          the private key (RSA or EC)
 * @param chain        the certificate chain, leaf first; the leaf's public key matches {@code key}
 * @param certFile     where the chain was read from (or written to)
 * @param keyFile      where the key was read from (or written to)
 * @param selfSigned   whether the server generated this identity itself
 * @param generatedNow whether it was generated during this start (not reused)
 */
public record TlsIdentity(PrivateKey key, List<X509Certificate> chain, Path certFile, Path keyFile, boolean selfSigned,
        boolean generatedNow) {

    private static final System.Logger LOG = System.getLogger(TlsIdentity.class.getName());
    /** Directory under the data directory that holds the generated identity. */
    public static final String DIRECTORY = "tls";
    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";
    /** How long a generated certificate is valid. */
    static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);
    /** A generated certificate is backdated this much, for clients whose clock runs a little behind. */
    static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String PEM_CERTIFICATE = "CERTIFICATE";
    private static final String PEM_PRIVATE_KEY = "PRIVATE KEY";

    public TlsIdentity {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
    }

    /** A TLS file that cannot be used: says which file and why, fit to stop the server with. */
    public static final class InvalidTlsFileException extends RuntimeException {
        InvalidTlsFileException(String message) {
            super(message);
        }

        InvalidTlsFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /** SHA-256 of the leaf certificate (DER), as colon-separated upper-case hex, as browsers and openssl show it. */
    public String sha256Fingerprint() {
        return sha256Fingerprint(leaf());
    }

    /** SHA-256 of a certificate (DER), as colon-separated upper-case hex. */
    public static String sha256Fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 or certificate encoding unavailable", e);
        }
    }

    /** Whether the leaf certificate is outside its validity period at {@code now}. */
    public boolean expiredAt(Instant now) {
        return now.isAfter(leaf().getNotAfter().toInstant()) || now.isBefore(leaf().getNotBefore().toInstant());
    }

    // ---------------------------------------------------------------- loading PEM files

    /**
     * Reads a certificate chain ({@code CERTIFICATE} blocks, leaf first) and its private key
     * (PKCS#8 {@code PRIVATE KEY}; PKCS#1 {@code RSA PRIVATE KEY} and SEC 1 {@code EC PRIVATE KEY}
     * are accepted too; encrypted keys are not). Checks that the key is RSA or EC and belongs to the
     * leaf certificate.
     *
     * @throws InvalidTlsFileException naming the file and what is wrong with it
     */
    public static TlsIdentity load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = readCertificates(certFile);
        PrivateKey key = readPrivateKey(keyFile);
        checkPair(key, chain.getFirst(), certFile, keyFile);
        return new TlsIdentity(key, chain, certFile, keyFile, false, false);
    }

    static List<X509Certificate> readCertificates(Path file) {
        String text = readText(file, "certificate");
        if (!text.contains("-----BEGIN " + PEM_CERTIFICATE + "-----")) {
            throw new InvalidTlsFileException("certificate file " + file + " holds no PEM certificate (expected "
                    + "'-----BEGIN CERTIFICATE-----' blocks: the server certificate first, then any intermediates)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new InvalidTlsFileException("certificate file " + file + " is not a valid PEM certificate chain: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new InvalidTlsFileException("certificate file " + file + " holds no certificate");
        }
        return List.copyOf(chain);
    }

    static PrivateKey readPrivateKey(Path file) {
        String text = readText(file, "private key");
        Object parsed;
        try (Reader r = new java.io.StringReader(text); PEMParser pem = new PEMParser(r)) {
            parsed = pem.readObject();
        } catch (IOException | RuntimeException e) {
            throw new InvalidTlsFileException("private key file " + file + " is not valid PEM: " + e.getMessage(), e);
        }
        if (parsed == null) {
            throw new InvalidTlsFileException("private key file " + file + " holds no PEM block (expected "
                    + "'-----BEGIN PRIVATE KEY-----', an unencrypted PKCS#8 RSA or EC key)");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey key;
        try {
            key = switch (parsed) {
                case PrivateKeyInfo info -> converter.getPrivateKey(info);
                case PEMKeyPair pair -> converter.getPrivateKey(pair.getPrivateKeyInfo()); // PKCS#1 RSA, SEC 1 EC
                case PKCS8EncryptedPrivateKeyInfo _ -> throw new InvalidTlsFileException("private key file " + file
                        + " holds an encrypted key; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) and protect the file instead");
                default -> throw new InvalidTlsFileException("private key file " + file + " holds no private key but a "
                        + parsed.getClass().getSimpleName() + " (expected '-----BEGIN PRIVATE KEY-----')");
            };
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidTlsFileException invalid) {
                throw invalid;
            }
            throw new InvalidTlsFileException("private key file " + file + " holds a key that cannot be read: " + e.getMessage(), e);
        }
        String alg = key.getAlgorithm().toUpperCase(Locale.ROOT);
        if (!alg.equals("RSA") && !alg.equals("EC")) {
            throw new InvalidTlsFileException("private key file " + file + " holds a " + key.getAlgorithm()
                    + " key; only RSA and EC keys are supported");
        }
        return key;
    }

    private static String readText(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InvalidTlsFileException(what + " file " + file + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            throw new InvalidTlsFileException("cannot read " + what + " file " + file + ": " + e, e);
        }
    }

    /** The key must sign what the leaf's public key verifies. */
    private static void checkPair(PrivateKey key, X509Certificate leaf, Path certFile, Path keyFile) {
        String alg = key.getAlgorithm().toUpperCase(Locale.ROOT).equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        boolean matches;
        try {
            byte[] probe = "arca tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            matches = false;
        }
        if (!matches) {
            throw new InvalidTlsFileException("private key " + keyFile + " does not belong to the first certificate in " + certFile
                    + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
    }

    // ---------------------------------------------------------------- self-signed

    /**
     * The self-signed identity in {@code dir} ({@code cert.pem}, {@code key.pem}): reused when both
     * files are there and still valid, else generated: an EC P-256 key and a certificate valid for
     * one year naming {@code localhost}, {@code 127.0.0.1} and {@code host} (when it is a name or
     * an address other than a wildcard). Files are written to a temporary name, fsynced and renamed;
     * the key is created with mode 0600, the directory 0700.
     */
    public static TlsIdentity selfSigned(Path dir, String host, Instant now, SecureRandom random) {
        Path certFile = dir.resolve(CERT_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            try {
                TlsIdentity existing = load(certFile, keyFile);
                if (!existing.expiredAt(now)) {
                    return new TlsIdentity(existing.key, existing.chain, certFile, keyFile, true, false);
                }
                LOG.log(System.Logger.Level.INFO, "the self-signed TLS certificate {0} has expired; generating a new one", certFile);
            } catch (InvalidTlsFileException e) {
                // Ours, so nobody else's to keep: a crash between the two renames, or an edit.
                LOG.log(System.Logger.Level.WARNING, "replacing the unusable self-signed TLS identity in {0}: {1}", dir, e.getMessage());
            }
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = generator.generateKeyPair();
            X509Certificate cert = certificate(pair, subjectNames(host), now, random);
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // Key first: a crash in between leaves a key without its certificate, which is regenerated.
            writeAtomically(keyFile, pem(PEM_PRIVATE_KEY, pair.getPrivate().getEncoded()), true);
            writeAtomically(certFile, pem(PEM_CERTIFICATE, cert.getEncoded()), false);
            syncDirectory(dir);
            return new TlsIdentity(pair.getPrivate(), List.of(cert), certFile, keyFile, true, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the self-signed TLS certificate under " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed TLS certificate", e);
        }
    }

    /** DNS and IP names the generated certificate carries: localhost, 127.0.0.1 and the listen host. */
    static List<GeneralName> subjectNames(String host) {
        Set<GeneralName> names = new LinkedHashSet<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.contains(":") || IPV4.matcher(h).matches()) {
            if (!isWildcard(h)) {
                names.add(new GeneralName(GeneralName.iPAddress, h));
            }
        } else if (HOST_NAME.matcher(h).matches()) {
            names.add(new GeneralName(GeneralName.dNSName, h.toLowerCase(Locale.ROOT)));
        }
        return List.copyOf(names);
    }

    private static boolean isWildcard(String address) {
        try {
            return InetAddress.getByName(address).isAnyLocalAddress();
        } catch (IOException e) {
            return true;
        }
    }

    private static X509Certificate certificate(KeyPair pair, List<GeneralName> names, Instant now, SecureRandom random)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        X500Name subject = new X500Name("CN=Arca self-signed (localhost),O=Arca");
        byte[] serial = new byte[16];
        random.nextBytes(serial);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(1, serial),
                java.util.Date.from(now.minus(BACKDATE)), java.util.Date.from(now.plus(SELF_SIGNED_VALIDITY)), subject,
                pair.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])))
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        cert.verify(pair.getPublic());
        return cert;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void writeAtomically(Path file, String text, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + leaf().getSubjectX500Principal().getName() + ", " + certFile + "]";
    }
}
