/**
 * The S3 gateway. Sub-packages, in dependency order:
 * {@code error} (S3 error table), {@code xml} (safe XML in/out), {@code auth} (SigV4, users and
 * keys; pure apart from {@code IamStore}), {@code body} (aws-chunked decoding and payload
 * checksums; pure), {@code store} (metadata records, chunked data writer, garbage collector),
 * {@code http} (Netty connection handling: parse, authenticate, route, stream, respond),
 * {@code ops} (one class per S3 operation family), and {@link io.strata.s3.S3Server} wiring it
 * together. Only the storage client library ({@code io.strata.client}, metadata client) is used
 * to reach the cluster; nothing outside this module depends on it except the launcher.
 */
package io.strata.s3;
