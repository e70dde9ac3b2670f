/**
 * The images of a store as docker users know them: list, inspect, tag, remove, prune dangling
 * images, collect unreferenced blobs and verify the store. Built on {@link dev.hoist.store}; every
 * deletion holds the store's exclusive lease, so it never races a pull.
 */
package dev.hoist.catalog;
