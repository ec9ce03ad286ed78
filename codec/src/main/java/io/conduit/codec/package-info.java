/**
 * SBE on Conduit rings: {@link io.conduit.codec.SbeDispatcher} routes records read from a ring to typed handlers by
 * schema id and template id, with every length checked against the record; {@link io.conduit.codec.SbePublisher}
 * encodes straight into a claimed record and commits or aborts it; {@link io.conduit.codec.MessageLengths} gives the
 * encoded lengths of Conduit's own messages.
 * <p>
 * Conduit's schemas live in {@code src/main/resources/schema} and are generated at build time into
 * {@code io.conduit.codec.sbe.sensor} (schema id 1), {@code io.conduit.codec.sbe.ping} (2) and
 * {@code io.conduit.codec.sbe.rpc} (3). The ring type id of every message is its SBE template id. See
 * {@code docs/CODEC.md} for how to add a schema of your own.
 */
package io.conduit.codec;
