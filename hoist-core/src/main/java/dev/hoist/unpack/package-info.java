/**
 * Unpacks image layers into a root filesystem, applying the OCI layer rules (image-spec layer.md:
 * changesets, whiteouts, opaque directories) without ever creating, changing or following anything
 * outside the root.
 */
package dev.hoist.unpack;
