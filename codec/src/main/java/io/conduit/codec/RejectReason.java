package io.conduit.codec;

/**
 * Why an {@link SbeDispatcher} did not hand a message to a handler.
 */
public enum RejectReason
{
    /** No handler is registered for the message's schema id. */
    UNKNOWN_SCHEMA,

    /** The schema is known but no handler is registered for the message's template id. */
    UNKNOWN_TEMPLATE,

    /**
     * The message's version is below the registration's minimum, or it claims the reader's version or a newer one
     * with a block shorter than the reader's.
     */
    INCOMPATIBLE_VERSION,

    /**
     * The record is not a well-formed SBE message: shorter than the header or the block, a type id that is not the
     * template id, group or var-data lengths that run outside the record, or a message block or group entry shorter
     * than the fields the reader reads at the sender's version.
     */
    MALFORMED
}
