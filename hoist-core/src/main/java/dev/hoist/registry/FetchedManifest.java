package dev.hoist.registry;

import dev.hoist.image.Digest;

/**
 * Manifest bytes as a registry served them, already size-capped. The digest is computed by hoist
 * over the bytes; a registry's {@code Docker-Content-Digest} header is never trusted. Callers
 * must not modify {@code bytes}.
 *
 * @param contentType the response's {@code Content-Type}, empty when absent
 */
public record FetchedManifest(byte[] bytes, String contentType, Digest digest) {}
