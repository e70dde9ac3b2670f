/**
 * hoist's configuration file: a JSON object with docker {@code daemon.json}'s key names where they
 * mean the same ({@code registry-mirrors}, {@code insecure-registries}, {@code
 * max-concurrent-downloads}, {@code max-download-attempts}, {@code proxies}) and hoist's own
 * keys, read strictly: an unknown key or an invalid value is an error naming it.
 */
package dev.hoist.config;
