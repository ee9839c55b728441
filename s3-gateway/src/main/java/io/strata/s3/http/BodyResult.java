package io.strata.s3.http;

import java.util.Map;

/** What the gateway learned from a fully received, verified body. */
public record BodyResult(long length, byte[] md5, Map.Entry<String, String> checksum) {}
