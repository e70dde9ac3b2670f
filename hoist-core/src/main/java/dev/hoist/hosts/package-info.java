/**
 * Where a registry's content may come from: mirrors and the upstream, in order, with what each may
 * do and how to reach it ({@link dev.hoist.hosts.RegistryHosts}, {@link dev.hoist.hosts.Route},
 * {@link dev.hoist.hosts.Endpoint}), read from the places users already configure them: docker's
 * {@code registry-mirrors}, containerd's {@code hosts.toml} directories and containers' {@code
 * registries.conf}. Parsing only: the registry client does the talking.
 */
package dev.hoist.hosts;
