/**
 * Image archives: {@code hoist save} and {@code hoist load}, the tars {@code docker save} writes and
 * {@code docker load} reads.
 *
 * <p>{@link dev.hoist.archive.ArchiveWriter} writes docker's current format (docker 25 and newer):
 * an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/}) plus the legacy
 * {@code manifest.json}, so {@code docker load}, containerd and skopeo's {@code docker-archive:}
 * and {@code oci-archive:} transports all read it. {@link dev.hoist.archive.ArchiveReader} reads
 * that format, the legacy one ({@code manifest.json}, {@code <id>/layer.tar}, {@code <hex>.json}) and
 * OCI layout tars, verifying every blob and DiffID as it copies them into the store.
 *
 * <p>Only {@code ArchiveWriter}, {@code ArchiveReader}, their result and listener types and
 * {@code InvalidArchiveException} are API; the rest is package-private.
 */
package dev.hoist.archive;
