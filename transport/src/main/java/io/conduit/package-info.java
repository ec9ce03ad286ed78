/**
 * Conduit's API: handlers, status and errors. Channels live in {@link io.conduit.file}, rings in
 * {@link io.conduit.ring}, waiting in {@link io.conduit.wait}.
 */
package io.conduit;
