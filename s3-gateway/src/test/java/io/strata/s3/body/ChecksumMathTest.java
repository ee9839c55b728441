package io.strata.s3.body;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import io.strata.s3.error.S3Exception;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** CRC-64/NVME against its check value, CRC combination against direct computation, crc64nvme headers. */
class ChecksumMathTest {
  @Test
  void crc64NvmeCheckValue() {
    Crc64Nvme c = new Crc64Nvme();
    c.update("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9);
    assertEquals(0xAE8B14860A799888L, c.crc());
    Crc64Nvme bytewise = new Crc64Nvme();
    for (byte b : "123456789".getBytes(StandardCharsets.US_ASCII)) {
      bytewise.update(b);
    }
    assertEquals(c.crc(), bytewise.crc());
  }

  @Test
  void combinedCrcsEqualTheCrcOfTheConcatenation() {
    byte[] a = new byte[100_003];
    byte[] b = new byte[77_777];
    new Random(5).nextBytes(a);
    new Random(6).nextBytes(b);
    byte[] ab = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    CRC32 x = new CRC32();
    x.update(a);
    CRC32 y = new CRC32();
    y.update(b);
    CRC32 all = new CRC32();
    all.update(ab);
    assertEquals(all.getValue(), CrcCombine.combine(x.getValue(), y.getValue(), b.length, CrcCombine.CRC32_POLY, 32));
    CRC32C xc = new CRC32C();
    xc.update(a);
    CRC32C yc = new CRC32C();
    yc.update(b);
    CRC32C allc = new CRC32C();
    allc.update(ab);
    assertEquals(allc.getValue(), CrcCombine.combine(xc.getValue(), yc.getValue(), b.length, CrcCombine.CRC32C_POLY, 32));
    Crc64Nvme x6 = new Crc64Nvme();
    x6.update(a, 0, a.length);
    Crc64Nvme y6 = new Crc64Nvme();
    y6.update(b, 0, b.length);
    Crc64Nvme all6 = new Crc64Nvme();
    all6.update(ab, 0, ab.length);
    assertEquals(all6.crc(), CrcCombine.combine(x6.crc(), y6.crc(), b.length, CrcCombine.CRC64NVME_POLY, 64));
  }

  @Test
  void crc64NvmeHeaderIsVerified() {
    byte[] data = "hello crc64".getBytes(StandardCharsets.UTF_8);
    Crc64Nvme c = new Crc64Nvme();
    c.update(data, 0, data.length);
    String good = Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(c.crc()).array());
    PayloadChecks ok = new PayloadChecks(null, Map.of("x-amz-checksum-crc64nvme", good));
    ok.update(Unpooled.wrappedBuffer(data));
    ok.verify(Map.of());
    assertEquals(Map.entry("x-amz-checksum-crc64nvme", good), ok.verifiedChecksum());
    PayloadChecks bad = new PayloadChecks(null, Map.of("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="));
    bad.update(Unpooled.wrappedBuffer(data));
    assertThrows(S3Exception.class, () -> bad.verify(Map.of()));
  }
}
