package io.conduit.codec;

/**
 * What an {@link SbeDispatcher} does with a message it cannot hand to a handler: an unknown schema or template, an
 * incompatible version, or a truncated or garbage record (see {@link RejectReason}). Under both policies the message is
 * counted in {@link SbeDispatcher#rejectedCount(RejectReason)}.
 */
public enum UnknownMessagePolicy
{
    /**
     * Throw a {@link RejectedMessageException} naming the reason, schema id, template id, version and length. Suits
     * tests and channels where every message is expected to be understood.
     */
    THROW,

    /**
     * Skip the message and go on. Suits channels shared with newer or foreign senders; watch the counters.
     */
    DROP
}
