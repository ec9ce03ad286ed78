package io.conduit.codec;

import org.agrona.sbe.MessageDecoderFlyweight;

/**
 * Receives one decoded message from an {@link SbeDispatcher}.
 * <p>
 * The decoder is the one registered with the handler, wrapped at the message block with the sender's block length and
 * version: straight on the ring's buffer for a message without groups or var-data whose block is at least the
 * reader's, otherwise over a bounded view of the ring record (see {@link SbeDispatcher}). It is valid only for the
 * duration of the call: copy out what must outlive it. Read var-data and groups in schema order, as SBE requires.
 * Threading: called on the thread that reads the ring.
 *
 * @param <D> type of the generated decoder.
 */
@FunctionalInterface
public interface SbeMessageHandler<D extends MessageDecoderFlyweight>
{
    /**
     * Called for each message of the registered schema and template.
     *
     * @param decoder the registered decoder, wrapped over the message.
     */
    void onMessage(D decoder);
}
