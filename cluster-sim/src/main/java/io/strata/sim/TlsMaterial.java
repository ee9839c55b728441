package io.strata.sim;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * The embedded cloud's TLS identity: a self-signed certificate for {@code localhost} and
 * {@code 127.0.0.1} (basic constraints CA, so clients can trust it directly), made once with the
 * JDK's own keytool and kept in the data directory; its PEM is {@code DATA/ca.pem} for clients'
 * {@code --ca-bundle}. keytool is used because the JDK has no public API to create certificates
 * and a dependency only for that would be more code than this.
 */
final class TlsMaterial {
  static final String ALIAS = "strata";
  static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  private TlsMaterial() {}

  static SslContext ensure(Path dataDir) throws IOException {
    Path store = dataDir.resolve("tls.p12");
    Path ca = dataDir.resolve("ca.pem");
    Path passFile = dataDir.resolve("tls.pass");
    if (!Files.exists(store) || !Files.exists(ca) || !Files.exists(passFile)) {
      String pass = Long.toHexString(new java.security.SecureRandom().nextLong()) + "x1";
      Files.deleteIfExists(store);
      keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=strata-local", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "BC:c=ca:true",
          "-validity", "3650", "-keystore", store.toString(), "-storetype", "PKCS12",
          "-storepass", pass, "-keypass", pass);
      keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", store.toString(), "-storetype", "PKCS12",
          "-storepass", pass, "-file", ca.toString());
      Files.writeString(passFile, pass, StandardCharsets.UTF_8);
      ownerOnly(passFile);
      ownerOnly(store);
    }
    char[] pass = Files.readString(passFile, StandardCharsets.UTF_8).trim().toCharArray();
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, pass);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pass);
      return SslContextBuilder.forServer(kmf).build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot load " + store, e);
    }
  }

  private static void keytool(String... args) throws IOException {
    Path tool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> cmd = new java.util.ArrayList<>(List.of(tool.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("keytool " + args[0] + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running keytool", e);
    }
  }

  private static void ownerOnly(Path p) {
    try {
      Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      // best effort on non-POSIX filesystems
    }
  }
}
