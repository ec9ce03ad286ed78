package io.conduit.codec;

import org.agrona.sbe.MessageEncoderFlyweight;

/**
 * Fills an encoder wrapped over a claimed ring record, for {@link SbePublisher#offer}.
 * <p>
 * Write every field, then every group and var-data field in schema order, so that the encoded length is exactly the
 * claimed length. If it throws, the claim is aborted and the exception passes on.
 * To stay allocation-free, pass a handler that captures nothing (a static lambda or method reference) or a
 * reusable object that holds the values to send.
 * Threading: called on the thread that called {@code offer}.
 *
 * @param <E> type of the generated encoder.
 */
@FunctionalInterface
public interface SbeEncodeHandler<E extends MessageEncoderFlyweight>
{
    /**
     * Fill the encoder.
     *
     * @param encoder wrapped at the message block; the SBE header is already written.
     */
    void encode(E encoder);
}
