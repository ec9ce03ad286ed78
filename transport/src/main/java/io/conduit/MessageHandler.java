package io.conduit;

import org.agrona.MutableDirectBuffer;

/**
 * Receives messages read from a ring, one call per message, in the order they were claimed.
 * <p>
 * The buffer is the mapped ring itself: the message is valid only for the duration of the call, and must be
 * copied (or decoded) before returning. Threading: called on the thread that called {@code read}.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * Called for each message.
     *
     * @param typeId type id the sender gave the message, always {@code >= 1}.
     * @param buffer the ring's buffer holding the message.
     * @param offset offset in {@code buffer} at which the message body starts.
     * @param length length of the message body in bytes, {@code >= 0}.
     */
    void onMessage(int typeId, MutableDirectBuffer buffer, int offset, int length);
}
