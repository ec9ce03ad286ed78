package io.conduit;

import org.agrona.MutableDirectBuffer;

/**
 * A {@link MessageHandler} that steers the read loop after each message, as Agrona's
 * {@code ControlledMessageHandler} does.
 * <p>
 * Threading: called on the thread that called {@code controlledRead}.
 */
@FunctionalInterface
public interface ControlledMessageHandler
{
    /**
     * What the read loop does after a message.
     */
    enum Action
    {
        /** Do not consume this message; stop the batch. It is delivered again by the next read. */
        ABORT,
        /** Consume this message and stop the batch. */
        BREAK,
        /** Consume this message and store the head now (messages so far are never re-delivered); go on. */
        COMMIT,
        /** Consume this message and go on. */
        CONTINUE
    }

    /**
     * Called for each message.
     *
     * @param typeId type id the sender gave the message, always {@code >= 1}.
     * @param buffer the ring's buffer holding the message.
     * @param offset offset in {@code buffer} at which the message body starts.
     * @param length length of the message body in bytes, {@code >= 0}.
     * @return what the read loop does next.
     */
    Action onMessage(int typeId, MutableDirectBuffer buffer, int offset, int length);
}
