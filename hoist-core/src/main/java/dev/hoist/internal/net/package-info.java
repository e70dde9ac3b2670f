/** Network plumbing shared by hoist's packages. Not a published API: it may change at any time. */
package dev.hoist.internal.net;
