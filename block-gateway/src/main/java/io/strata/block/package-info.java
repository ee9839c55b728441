/**
 * The block gateway: cloud disks served over NBD.
 *
 * <ul>
 *   <li>{@code volume} — volume records in the metadata service (create, resize, attach, delete).
 *   <li>{@code data} — a volume's bytes as 4 KiB chunks plus its allocation map; async I/O.
 *   <li>{@code nbd} — the NBD front-end: pure decoders, handlers, the server.
 * </ul>
 *
 * Depends only on the storage client library ({@code io.strata.client}, {@code io.strata.metadata.client}).
 */
package io.strata.block;
