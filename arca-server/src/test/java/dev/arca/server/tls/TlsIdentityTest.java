package dev.arca.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsIdentityTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- self-signed

    @Test
    void selfSignedIsGeneratedOnceWithP256AndTheExpectedNamesAndFileModes() throws Exception {
        Path tls = dir.resolve("data").resolve(TlsIdentity.DIRECTORY);
        TlsIdentity first = TlsIdentity.selfSigned(tls, "127.0.0.1", NOW, RANDOM);
        assertThat(first.generatedNow()).isTrue();
        assertThat(first.selfSigned()).isTrue();
        assertThat(first.certFile()).isEqualTo(tls.resolve("cert.pem"));
        assertThat(first.keyFile()).isEqualTo(tls.resolve("key.pem"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.keyFile()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls))).isEqualTo("rwx------");
        assertThat(Files.readString(first.keyFile())).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(first.certFile())).startsWith("-----BEGIN CERTIFICATE-----\n");
        try (var files = Files.list(tls)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("cert.pem", "key.pem");
        }

        X509Certificate cert = first.leaf();
        assertThat(first.key().getAlgorithm()).isEqualTo("EC");
        assertThat(cert.getPublicKey().toString()).contains("secp256r1");
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(sans(cert)).containsExactly("2:localhost", "7:127.0.0.1");
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
        assertThat(cert.getNotBefore().toInstant()).isBefore(NOW);
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        cert.verify(cert.getPublicKey());
        assertThat(first.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");

        TlsIdentity again = TlsIdentity.selfSigned(tls, "127.0.0.1", NOW.plus(Duration.ofDays(100)), RANDOM);
        assertThat(again.generatedNow()).isFalse();
        assertThat(again.selfSigned()).isTrue();
        assertThat(again.sha256Fingerprint()).isEqualTo(first.sha256Fingerprint());
        assertThat(again.key()).isEqualTo(first.key());
    }

    @Test
    void theListenHostIsNamedUnlessItIsAWildcard() {
        assertThat(sans(TlsIdentity.selfSigned(dir.resolve("a"), "s3.example.com", NOW, RANDOM).leaf()))
                .containsExactly("2:localhost", "7:127.0.0.1", "2:s3.example.com");
        assertThat(sans(TlsIdentity.selfSigned(dir.resolve("b"), "10.1.2.3", NOW, RANDOM).leaf()))
                .containsExactly("2:localhost", "7:127.0.0.1", "7:10.1.2.3");
        assertThat(sans(TlsIdentity.selfSigned(dir.resolve("c"), "0.0.0.0", NOW, RANDOM).leaf()))
                .containsExactly("2:localhost", "7:127.0.0.1");
        assertThat(sans(TlsIdentity.selfSigned(dir.resolve("d"), "::1", NOW, RANDOM).leaf()))
                .containsExactly("2:localhost", "7:127.0.0.1", "7:0:0:0:0:0:0:0:1");
        assertThat(sans(TlsIdentity.selfSigned(dir.resolve("e"), "localhost", NOW, RANDOM).leaf()))
                .containsExactly("2:localhost", "7:127.0.0.1");
    }

    @Test
    void anExpiredOrDamagedSelfSignedPairIsReplaced() throws Exception {
        TlsIdentity first = TlsIdentity.selfSigned(dir, "127.0.0.1", NOW, RANDOM);
        TlsIdentity later = TlsIdentity.selfSigned(dir, "127.0.0.1", NOW.plus(Duration.ofDays(366)), RANDOM);
        assertThat(later.generatedNow()).isTrue();
        assertThat(later.sha256Fingerprint()).isNotEqualTo(first.sha256Fingerprint());

        // A crash between the key's rename and the certificate's: the key no longer matches.
        Files.copy(TlsIdentity.selfSigned(dir.resolve("other"), "127.0.0.1", NOW, RANDOM).keyFile(), dir.resolve("key.pem"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TlsIdentity healed = TlsIdentity.selfSigned(dir, "127.0.0.1", NOW, RANDOM);
        assertThat(healed.generatedNow()).isTrue();
        assertThat(TlsIdentity.load(healed.certFile(), healed.keyFile()).sha256Fingerprint()).isEqualTo(healed.sha256Fingerprint());

        // Only the key made it to disk: regenerated.
        Files.delete(dir.resolve("cert.pem"));
        assertThat(TlsIdentity.selfSigned(dir, "127.0.0.1", NOW, RANDOM).generatedNow()).isTrue();
    }

    // ---------------------------------------------------------------- PEM files

    @Test
    void loadsAnRsaChainAndItsPkcs8Key() throws Exception {
        KeyPair caPair = generate("RSA", 2048);
        KeyPair leafPair = generate("RSA", 2048);
        X509Certificate ca = certificate("CN=Test CA", caPair, "CN=Test CA", caPair, "SHA256withRSA");
        X509Certificate leaf = certificate("CN=server", leafPair, "CN=Test CA", caPair, "SHA256withRSA");
        Path cert = write("chain.pem", TlsIdentity.pem("CERTIFICATE", leaf.getEncoded()) + TlsIdentity.pem("CERTIFICATE", ca.getEncoded()));
        Path key = write("key.pem", TlsIdentity.pem("PRIVATE KEY", leafPair.getPrivate().getEncoded()));

        TlsIdentity id = TlsIdentity.load(cert, key);
        assertThat(id.chain()).containsExactly(leaf, ca);
        assertThat(id.key().getAlgorithm()).isEqualTo("RSA");
        assertThat(id.selfSigned()).isFalse();
        assertThat(id.generatedNow()).isFalse();
    }

    @Test
    void loadsAnEcKeyInSec1FormToo() throws Exception {
        TlsIdentity generated = TlsIdentity.selfSigned(dir.resolve("g"), "127.0.0.1", NOW, RANDOM);
        assertThat(TlsIdentity.load(generated.certFile(), generated.keyFile()).key()).isEqualTo(generated.key());
        // "BEGIN EC PRIVATE KEY" (openssl ecparam -genkey): the SEC 1 structure inside the PKCS#8 one.
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((java.security.interfaces.ECPrivateKey) generated.key()).getS(),
                new org.bouncycastle.asn1.x9.X962Parameters(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1)).getEncoded();
        Path key = write("ec.pem", TlsIdentity.pem("EC PRIVATE KEY", sec1));
        // Loading checks that the key signs for the certificate; the secret is the same number.
        assertThat(((java.security.interfaces.ECPrivateKey) TlsIdentity.load(generated.certFile(), key).key()).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) generated.key()).getS());
    }

    @Test
    void badPemFilesAreRefusedWithAMessageNamingTheFile() throws Exception {
        TlsIdentity good = TlsIdentity.selfSigned(dir.resolve("good"), "127.0.0.1", NOW, RANDOM);
        Path garbage = write("garbage.pem", "this is not PEM\n");
        Path truncated = write("truncated.pem", Files.readString(good.certFile()).substring(0, 200));
        Path missing = dir.resolve("missing.pem");
        Path otherKey = TlsIdentity.selfSigned(dir.resolve("other"), "127.0.0.1", NOW, RANDOM).keyFile();
        Path encrypted = write("encrypted.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhKr9IG1PNfTgICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEC6T\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n");

        assertThatThrownBy(() -> TlsIdentity.load(garbage, good.keyFile()))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining(garbage.toString()).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> TlsIdentity.load(truncated, good.keyFile()))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining(truncated.toString()).hasMessageContaining("not a valid PEM certificate chain");
        assertThatThrownBy(() -> TlsIdentity.load(missing, good.keyFile()))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining(missing + " does not exist");
        assertThatThrownBy(() -> TlsIdentity.load(good.certFile(), garbage))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining(garbage.toString()).hasMessageContaining("no PEM block");
        assertThatThrownBy(() -> TlsIdentity.load(good.certFile(), good.certFile()))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining("holds no private key");
        assertThatThrownBy(() -> TlsIdentity.load(good.certFile(), encrypted))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining("encrypted");
        assertThatThrownBy(() -> TlsIdentity.load(good.certFile(), otherKey))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining("does not belong to the first certificate");
    }

    @Test
    void keysOtherThanRsaOrEcAreRefused() throws Exception {
        KeyPair ed = generate("Ed25519", 0);
        Path key = write("ed.pem", TlsIdentity.pem("PRIVATE KEY", ed.getPrivate().getEncoded()));
        assertThatThrownBy(() -> TlsIdentity.readPrivateKey(key))
                .isInstanceOf(TlsIdentity.InvalidTlsFileException.class)
                .hasMessageContaining("only RSA and EC keys");
    }

    // ---------------------------------------------------------------- helpers

    /** Subject alternative names as "type:value" (2 = DNS, 7 = IP). */
    static List<String> sans(X509Certificate cert) {
        try {
            return cert.getSubjectAlternativeNames().stream().map(n -> n.get(0) + ":" + n.get(1)).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }

    private Path write(String name, String text) throws java.io.IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static KeyPair generate(String algorithm, int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (bits > 0) {
            g.initialize(bits);
        }
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectPair, String issuer, KeyPair issuerPair, String alg)
            throws Exception {
        var builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(RANDOM.nextLong() & Long.MAX_VALUE),
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofDays(30))), new X500Name(subject),
                subjectPair.getPublic());
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(alg).build(issuerPair.getPrivate())));
    }
}
